"""The console works without JavaScript: plain links and form posts."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_subaccounts_without_javascript(page_without_js, sign_in, account, make_subaccount):
    page = page_without_js
    existing = make_subaccount(account, friendly_name="Shop EU")
    sign_in(page, account.owner)
    page.goto(f"/console/{account.sid}/subaccounts/")
    rows = page.locator("#subaccount-table tbody tr")

    # Create, from the form's own page, by a plain form post and a redirect back to the list.
    page.get_by_role("link", name="Create subaccount").click()
    page.get_by_label("Friendly name", exact=True).fill("Shop US")
    page.get_by_role("button", name="Create subaccount").click()
    expect(page).to_have_url(re.compile(rf"/console/{account.sid}/subaccounts/$"))
    expect(
        page.get_by_role("status").filter(has_text="Created subaccount “Shop US”")
    ).to_be_visible()
    expect(rows).to_have_count(2)
    expect(page.locator("#subaccount-usage")).to_contain_text("2 of 1,000")

    # Search with the Search button.
    page.get_by_label("Search by name or SID").fill("US")
    page.get_by_role("button", name="Search").click()
    expect(page).to_have_url(re.compile(r"[?&]q=US(&|$)"))
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Shop US")

    # Close: a confirmation page instead of a dialog.
    page.goto(f"/console/{account.sid}/subaccounts/")
    page.locator(f"#row-{existing.sid}").get_by_role("link", name="Close…").click()
    expect(page.get_by_role("heading", name="Close subaccount “Shop EU”?")).to_be_visible()
    page.get_by_role("button", name="Close subaccount permanently").click()
    expect(page).to_have_url(re.compile(rf"/console/{account.sid}/subaccounts/$"))
    expect(page.locator(f"#row-{existing.sid} .badge")).to_have_text("Closed")
    expect(page.locator("#subaccount-usage")).to_contain_text("1 of 1,000")
