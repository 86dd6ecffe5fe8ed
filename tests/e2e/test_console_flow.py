"""The console's main user story, end to end in headless Chromium: sign up, a second account,
subaccounts (create, search, switch into, suspend, close), sign out."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery-staple-42"
DASHBOARD_URL = re.compile(r"/console/(AC[0-9a-f]{32})/$")


def _sid_from_url(page):
    return DASHBOARD_URL.search(page.url).group(1)


def test_sign_up_manage_subaccounts_and_sign_out(page, screenshot, settings):
    settings.PAYMENTS_BACKEND = "test"
    # Sign up: email, name, password twice, name of the first account.
    page.goto("/signup/")
    page.get_by_label("Email").fill("ada@example.com")
    page.get_by_label("Your name").fill("Ada Lovelace")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password confirmation").fill(PASSWORD)
    page.get_by_label("Name of your first account").fill("Analytical Engines")
    page.get_by_role("button", name="Sign up").click()

    # Confirms the address from the email, and lands on the new account's dashboard.
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    [message] = mail.outbox
    page.goto(re.search(r"https?://[^/\s]+(/accounts/confirm-email/\S+/)", message.body).group(1))
    page.get_by_role("button", name="Confirm").click()
    expect(page).to_have_url(DASHBOARD_URL)
    first_sid = _sid_from_url(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Analytical Engines")
    expect(page.locator("#topbar-account-name")).to_have_text("Analytical Engines")
    expect(page.locator("#account-sid")).to_have_text(first_sid)
    screenshot(page, "01-dashboard")

    # A second account, from the Accounts page.
    page.get_by_role("navigation", name="Your login").get_by_role("link", name="Accounts").click()
    expect(page).to_have_url(re.compile(r"/console/accounts/$"))
    expect(page.get_by_role("row").filter(has_text="Analytical Engines")).to_be_visible()
    screenshot(page, "02-accounts")
    # The form is behind a button, in a dialog.
    page.get_by_role("link", name="Create new account").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Friendly name", exact=True).fill("Difference Engines")
    dialog.get_by_role("button", name="Create account").click()

    # Lands on the second account's dashboard.
    expect(page.get_by_role("heading", level=1)).to_have_text("Difference Engines")
    expect(page).to_have_url(DASHBOARD_URL)
    second_sid = _sid_from_url(page)
    assert second_sid != first_sid
    expect(page.get_by_text("Created account “Difference Engines”.")).to_be_visible()

    # A trial account: one subaccount. Upgrade from the dashboard with a first payment.
    page.get_by_role("link", name="Upgrade…").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Upgrade to a Full account")
    screenshot(page, "02b-upgrade")
    page.get_by_label("Street address").fill("12 Dorset St")
    page.get_by_label("City").fill("London")
    page.get_by_label("Postal code").fill("W1U 4EH")
    page.get_by_label("Country").fill("GB")
    page.get_by_label("First payment (USD)").fill("25")
    page.get_by_role("button", name="Pay and upgrade").click()
    expect(page).to_have_url(DASHBOARD_URL)
    expect(page.get_by_role("status").filter(has_text="Upgraded to Full")).to_be_visible()
    expect(page.get_by_role("link", name="Upgrade…")).to_have_count(0)

    # Three subaccounts, created inline; the list refreshes after each.
    page.get_by_role("navigation", name="Account").get_by_role("link", name="Subaccounts").click()
    expect(page).to_have_url(re.compile(rf"/console/{second_sid}/subaccounts/$"))
    rows = page.locator("#subaccount-table tbody tr")
    expect(rows).to_have_text(["No subaccounts yet."])
    names = ["Customer A", "Customer B", "Customer C"]
    for count, name in enumerate(names, start=1):
        page.get_by_role("link", name="Create subaccount").click()
        dialog = page.get_by_role("dialog")
        dialog.get_by_label("Friendly name", exact=True).fill(name)
        dialog.get_by_role("button", name="Create subaccount").click()
        expect(dialog).to_be_hidden()
        expect(
            page.get_by_role("status").filter(has_text=f"Created subaccount “{name}”")
        ).to_be_visible()
        expect(rows).to_have_count(count)
        expect(rows.first).to_contain_text(name)  # newest first
        expect(page.locator("#subaccount-usage")).to_contain_text(f"{count} of 1,000")
    page.get_by_role("link", name="Create subaccount").click()
    expect(dialog.get_by_label("Friendly name", exact=True)).to_have_value("")
    page.keyboard.press("Escape")
    sids = {name: rows.filter(has_text=name).locator("code").inner_text() for name in names}

    # Live search by the start of a SID: the URL records the query, and only that row shows.
    part = sids["Customer B"][:14]
    page.get_by_label("Search by name or SID").fill(part)
    expect(page).to_have_url(re.compile(rf"[?&]q={part}(&|$)"))
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Customer B")
    expect(rows.first).to_contain_text(sids["Customer B"])
    screenshot(page, "03-subaccounts-search")

    # Switch into it: the banner says where you are.
    rows.first.get_by_role("link", name="Switch to").click()
    expect(page).to_have_url(re.compile(rf"/console/{sids['Customer B']}/$"))
    banner = page.locator(".banner-info")
    expect(banner).to_have_text(
        re.compile(r"You are viewing Customer B, a subaccount of Difference Engines\.")
    )
    expect(page.locator("#topbar-account-name")).to_have_text("Customer B")
    screenshot(page, "04-subaccount-banner")
    banner.get_by_role("link", name="Return to parent account").click()
    expect(page).to_have_url(re.compile(rf"/console/{second_sid}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Difference Engines")
    expect(page.locator(".banner-info")).to_have_count(0)

    # Suspend one from its row.
    page.get_by_role("navigation", name="Account").get_by_role("link", name="Subaccounts").click()
    expect(rows).to_have_count(3)
    row_a = page.locator(f"#row-{sids['Customer A']}")
    row_a.get_by_role("button", name="Suspend").click()
    expect(row_a.locator(".badge")).to_have_text("Suspended")
    expect(row_a.get_by_role("button", name="Reactivate")).to_be_visible()
    # Suspended subaccounts still count toward the limit.
    expect(page.locator("#subaccount-usage")).to_contain_text("3 of 1,000")

    # Close one: a dialog says it is permanent and releases phone numbers; confirm.
    row_c = page.locator(f"#row-{sids['Customer C']}")
    row_c.get_by_role("link", name="Close…").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("heading", level=2)).to_have_text("Close subaccount “Customer C”?")
    expect(dialog).to_contain_text("permanent")
    expect(dialog).to_contain_text("phone numbers are released")
    screenshot(page, "05-close-confirmation")
    dialog.get_by_role("button", name="Close subaccount permanently").click()
    # Closing is sensitive: the password again, then it is done.
    expect(page.get_by_role("heading", name="Confirm it is you")).to_be_visible()
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()
    expect(row_c.locator(".badge")).to_have_text("Closed")
    expect(row_c.get_by_role("link", name="Close…")).to_have_count(0)
    expect(page.locator("#subaccount-usage")).to_contain_text("2 of 1,000")
    expect(row_a.locator(".badge")).to_have_text("Suspended")
    expect(page.locator(f"#row-{sids['Customer B']} .badge")).to_have_text("Active")

    # Sign out, from the login menu in the top bar: back on the sign-in page.
    page.get_by_label("Your login: ada@example.com").click()
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/signin/$"))
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
