"""The trial limits in the console, in Chromium, at a desktop and a phone width: the dashboard
says what Trial means and how to leave it; a trial account creates one subaccount, and the
second is refused with the trial words while the form keeps what was typed; its subaccount's
Buy is refused with the API's words; the one number of the family shows its message, and so
does moving that number to the trial subaccount."""

import pytest
from playwright.sync_api import expect

from accounts import errors
from accounts.models import Account, IncomingPhoneNumber
from tests.e2e.scenes import stock_numbers

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WIDTHS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}


def no_sideways_scroll(page):
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px"


@pytest.mark.parametrize("width", WIDTHS)
def test_the_trial_limits_in_the_console(page, sign_in, trial, screenshot, width):
    page.set_viewport_size(WIDTHS[width])
    stock_numbers(5)
    sign_in(page, trial.owner)

    # The dashboard says what Trial means and how to leave it.
    page.goto(f"/console/{trial.sid}/")
    card = page.locator("#trial")
    expect(card.get_by_role("heading", name="Trial account")).to_be_visible()
    expect(card).to_contain_text("one subaccount")
    expect(card).to_contain_text("one phone number")
    expect(card).to_contain_text("Upgrading with a first payment lifts these limits")
    expect(card.get_by_role("link", name="Upgrade…")).to_be_visible()
    no_sideways_scroll(page)
    screenshot(page, f"trial-dashboard-{width}", full_page=True)

    # One subaccount; the second is refused with the trial words, the name kept.
    page.goto(f"/console/{trial.sid}/subaccounts/")
    expect(page.locator("#subaccount-usage")).to_contain_text("0 of 1")
    page.get_by_role("link", name="Create subaccount").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("0 of 1 are in use")
    dialog.get_by_label("Friendly name", exact=True).fill("Trial sub")
    dialog.get_by_role("button", name="Create subaccount").click()
    expect(dialog).to_be_hidden()
    expect(page.locator("#subaccount-usage")).to_contain_text("1 of 1")
    page.get_by_role("link", name="Create subaccount").click()
    dialog.get_by_label("Friendly name", exact=True).fill("Second sub")
    dialog.get_by_role("button", name="Create subaccount").click()
    expect(dialog.get_by_role("alert")).to_contain_text(errors.TRIAL_SUBACCOUNT_LIMIT_REACHED)
    expect(dialog.get_by_label("Friendly name", exact=True)).to_have_value("Second sub")
    no_sideways_scroll(page)
    screenshot(page, f"trial-second-subaccount-{width}")
    page.keyboard.press("Escape")
    assert Account.objects.filter(parent=trial).count() == 1
    sub = Account.objects.get(parent=trial)

    # The trial subaccount cannot buy a number: the API's words.
    page.goto(f"/console/{sub.sid}/phone-numbers/buy/")
    expect(page.locator("#trial-numbers")).to_have_text(errors.TRIAL_SUBACCOUNT_NUMBERS)
    page.get_by_role("button", name="Buy +14155550100").click()
    expect(page.get_by_role("alert")).to_contain_text(errors.TRIAL_SUBACCOUNT_NUMBERS)
    no_sideways_scroll(page)
    screenshot(page, f"trial-subaccount-buy-{width}", full_page=True)
    assert not sub.phone_numbers.exists()

    # The main account holds one number across the family.
    page.goto(f"/console/{trial.sid}/phone-numbers/buy/")
    page.get_by_role("button", name="Buy +14155550100").click()
    expect(page.get_by_role("status")).to_contain_text("Bought +14155550100")
    page.get_by_role("button", name="Buy +14155550101").click()
    expect(page.get_by_role("alert")).to_contain_text(errors.TRIAL_NUMBER_LIMIT)
    no_sideways_scroll(page)
    screenshot(page, f"trial-number-limit-{width}", full_page=True)

    # Moving that number to the trial subaccount: the same words as buying there.
    number = IncomingPhoneNumber.objects.get(account=trial)
    page.goto(f"/console/{trial.sid}/phone-numbers/")
    page.locator(f"#transfer-{number.sid}").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Move to").select_option(sub.sid)
    dialog.get_by_role("button", name="Transfer number").click()
    expect(dialog.get_by_role("alert")).to_contain_text(errors.TRIAL_SUBACCOUNT_NUMBERS)
    expect(dialog.get_by_label("Move to")).to_have_value(sub.sid)
    no_sideways_scroll(page)
    screenshot(page, f"trial-number-move-{width}")
    number.refresh_from_db()
    assert number.account == trial
    assert set(IncomingPhoneNumber.objects.values_list("phone_number", flat=True)) == {
        "+14155550100"
    }
