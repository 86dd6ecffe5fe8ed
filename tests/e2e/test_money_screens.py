"""Upgrade and Add funds in Chromium, at a desktop and a phone width: the upgrade form with its
billing contact and address and first payment, its errors, and what the user sees after (the
ledger's entries, the trial credit removed, the trial limits gone); Add funds with the `test`
backend (at once, marked test money) and the `manual` one (waiting for support, then
approved)."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from accounts import errors
from accounts.models import Account, Payment
from accounts.services import payments as payment_services
from accounts.services.events import Actor
from tests.e2e.scenes import fund

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WIDTHS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}


def fits(page):
    """Nothing makes the page scroll sideways, and every button is inside the viewport's
    width."""
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px"
    width = page.viewport_size["width"]
    for box in page.locator("main button:visible, main .btn:visible").all():
        bounds = box.bounding_box()
        assert bounds["x"] >= 0 and bounds["x"] + bounds["width"] <= width, (
            f"{box.inner_text()!r} is off-screen at {width}px"
        )


@pytest.mark.parametrize("width", WIDTHS)
def test_upgrade_from_the_dashboard(page, sign_in, trial, screenshot, settings, width):
    settings.PAYMENTS_BACKEND = "test"
    page.set_viewport_size(WIDTHS[width])
    sign_in(page, trial.owner)
    page.goto(f"/console/{trial.sid}/")
    expect(page.locator("#trial")).to_contain_text("$15.50 of trial credit left")

    page.locator("#trial").get_by_role("link", name="Upgrade…").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Upgrade to a Full account")
    expect(page.locator(".lede")).to_contain_text("the $15.50 left of the trial credit goes")
    expect(page.locator("#payment-backend")).to_contain_text("Test payments")
    fits(page)
    screenshot(page, f"upgrade-form-{width}", full_page=True)

    # Missing address and a bad country: said next to each field, nothing paid.
    page.get_by_label("Country").fill("U")  # the field takes two letters at most
    page.get_by_label("First payment (USD)").fill("25")
    page.get_by_role("button", name="Pay and upgrade").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Upgrade to a Full account")
    street = page.locator(".field", has=page.get_by_label("Street address"))
    expect(street).to_contain_text(errors.BILLING_FIELD_REQUIRED.format(field="street address"))
    country = page.locator(".field", has=page.get_by_label("Country"))
    expect(country).to_contain_text(errors.BILLING_COUNTRY_INVALID)
    expect(page.get_by_label("First payment (USD)")).to_have_value("25")
    summary = page.locator("#upgrade-errors")
    expect(summary).to_contain_text("Nothing was paid")
    fits(page)
    screenshot(page, f"upgrade-errors-{width}", full_page=True)
    # The summary's links lead to the fields, clear of the sticky top bar.
    summary.get_by_role("link", name="Postal code").click()
    field = page.get_by_label("Postal code")
    expect(field).to_be_focused()
    # What is at the field's top-left corner is the field, not the top bar over it.
    page.wait_for_function(
        "(input) => { const box = input.getBoundingClientRect();"
        " return document.elementFromPoint(box.left + 5, box.top + 2) === input; }",
        arg=field.element_handle(),
    )
    assert not Payment.objects.exists()

    page.get_by_role("textbox", name="Billing contact").fill("Ada Payer")
    page.get_by_label("Street address").fill("1 Market St")
    page.get_by_label("City").fill("Oakland")
    page.get_by_label("Postal code").fill("94607")
    page.get_by_label("Country").fill("US")
    page.get_by_role("button", name="Pay and upgrade").click()

    expect(page).to_have_url(f"/console/{trial.sid}/")
    expect(page.get_by_role("status").filter(has_text="Upgraded to Full")).to_contain_text(
        "the balance is the $25.00 you paid"
    )
    expect(page.locator("#trial")).to_have_count(0)
    expect(page.locator("dd").filter(has_text="Full")).to_be_visible()
    fits(page)
    screenshot(page, f"upgrade-done-{width}")

    # The ledger: the first payment in, what was left of the trial credit out.
    page.get_by_role("navigation", name="Account").get_by_role("link", name="Billing").click()
    expect(page.locator("#current-balance")).to_have_text("$25.00 USD")
    rows = page.locator("#ledger-table tbody tr")
    removed = rows.filter(has_text="Trial credit removed")
    expect(removed).to_contain_text("−$15.50")
    expect(removed).to_contain_text("$0.00")  # the balance after it
    paid = rows.filter(has_text="Test money")
    expect(paid).to_contain_text("+$25.00")
    expect(paid.locator("td").last).to_have_text("$25.00")  # the balance is what was paid
    expect(rows.filter(has_text="Trial credit").filter(has_text="+$15.50")).to_have_count(1)
    expect(page.locator("#payment-table")).to_contain_text("Succeeded")
    expect(page.get_by_role("link", name="Upgrade…")).to_have_count(0)
    expect(page.get_by_role("link", name="Add funds…")).to_be_visible()
    fits(page)
    screenshot(page, f"upgrade-billing-{width}", full_page=True)

    # The trial limits are gone: a second subaccount.
    page.goto(f"/console/{trial.sid}/subaccounts/")
    expect(page.locator("#subaccount-usage")).to_contain_text("0 of 1,000")
    dialog = page.get_by_role("dialog")
    for count, name in enumerate(["First customer", "Second customer"], start=1):
        page.get_by_role("link", name="Create subaccount").click()
        dialog.get_by_label("Friendly name", exact=True).fill(name)
        dialog.get_by_role("button", name="Create subaccount").click()
        expect(dialog).to_be_hidden()
        expect(page.locator("#subaccount-usage")).to_contain_text(f"{count} of 1,000")
    assert set(Account.objects.filter(parent=trial).values_list("type", flat=True)) == {"Full"}


@pytest.mark.parametrize("width", WIDTHS)
def test_add_funds_with_the_test_backend(page, sign_in, account, screenshot, settings, width):
    settings.PAYMENTS_BACKEND = "test"
    fund(account, "20")
    page.set_viewport_size(WIDTHS[width])
    sign_in(page, account.owner)
    page.goto(f"/console/{account.sid}/billing/")
    page.get_by_role("link", name="Add funds…").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add funds")
    expect(page.locator(".lede")).to_contain_text("The balance is now $20.00")
    expect(page.locator("#payment-backend")).to_contain_text("No one is charged.")
    fits(page)
    screenshot(page, f"funds-form-{width}")

    page.get_by_label("Amount (USD)").fill("2")
    page.get_by_role("button", name="Add funds").click()
    minimum = errors.PAYMENT_AMOUNT_RANGE.format(minimum="5.00", maximum="10,000.00")
    expect(page.locator(".field", has=page.get_by_label("Amount (USD)"))).to_contain_text(minimum)
    expect(page.get_by_label("Amount (USD)")).to_have_value("2")
    fits(page)
    screenshot(page, f"funds-error-{width}")

    page.get_by_label("Amount (USD)").fill("1250")
    page.get_by_role("button", name="Add funds").click()
    expect(page).to_have_url(f"/console/{account.sid}/billing/")
    expect(page.get_by_role("status").filter(has_text="Added $1,250.00")).to_contain_text(
        "Test money: no one was charged."
    )
    expect(page.locator("#current-balance")).to_have_text("$1,270.00 USD")
    entry = page.locator("#ledger-table tbody tr").first
    expect(entry).to_contain_text("+$1,250.00")
    expect(entry).to_contain_text("Test money")
    expect(entry).to_contain_text("$1,270.00")
    fits(page)
    screenshot(page, f"funds-done-{width}", full_page=True)


@pytest.mark.parametrize("width", WIDTHS)
def test_add_funds_with_the_manual_backend_waits_for_support(
    page, sign_in, account, make_user, screenshot, settings, width
):
    settings.PAYMENTS_BACKEND = "manual"
    fund(account, "20")
    page.set_viewport_size(WIDTHS[width])
    sign_in(page, account.owner)
    page.goto(f"/console/{account.sid}/billing/add-funds/")
    expect(page.locator("#payment-backend")).to_contain_text(
        "Support approves each payment before the balance changes"
    )
    fits(page)
    screenshot(page, f"funds-manual-form-{width}")
    page.get_by_label("Amount (USD)").fill("30")
    page.get_by_role("button", name="Add funds").click()

    expect(page).to_have_url(f"/console/{account.sid}/billing/")
    expect(page.get_by_role("status").filter(has_text="waiting for support")).to_contain_text(
        "Your payment of $30.00 is waiting for support's approval"
    )
    expect(page.locator("#current-balance")).to_have_text("$20.00 USD")
    expect(page.locator("#payments-waiting")).to_contain_text(
        "$30.00 more is waiting for support's approval"
    )
    payments = page.locator("#payment-table tbody tr")
    expect(payments.first).to_contain_text("$30.00")
    expect(payments.first).to_contain_text("waiting for support's approval")
    fits(page)
    screenshot(page, f"funds-manual-waiting-{width}", full_page=True)

    agent = make_user(email="agent@example.com", is_staff=True)
    payment_services.payment_approve(
        payment=Payment.objects.get(amount=Decimal("30")), actor=Actor.for_support(agent)
    )
    page.reload()
    expect(page.locator("#current-balance")).to_have_text("$50.00 USD")
    expect(payments.first).to_contain_text("Succeeded")
    expect(page.locator("#payments-waiting")).to_have_count(0)
    expect(page.locator("#ledger-table tbody tr").first).to_contain_text("+$30.00")
