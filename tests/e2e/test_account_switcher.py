"""The account switcher in the top bar."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_switcher_lists_filters_and_keeps_the_page(
    page, sign_in, user, account, make_account, make_subaccount, screenshot
):
    other = make_account(owner=user, friendly_name="Beta Labs")
    shop_eu = make_subaccount(account, friendly_name="Shop EU")
    make_subaccount(account, friendly_name="Shop US")
    make_subaccount(other, friendly_name="Beta sandbox")  # not the current main account's
    sign_in(page, user)
    page.goto(f"/console/{account.sid}/settings/")

    page.get_by_role("group").get_by_text("Acme").click()
    panel = page.locator("#switcher-panel")
    items = panel.locator(".switcher-item .item-name")
    expect(items).to_have_text(["Acme", "↳ Shop US", "↳ Shop EU", "Beta Labs"])
    expect(panel.locator(".switcher-item.is-current")).to_contain_text("Acme")
    # The filter has focus as soon as the panel opens.
    expect(panel.get_by_label("Filter accounts by name or SID")).to_be_focused()
    screenshot(page, "06-switcher-open")

    page.keyboard.type("shop e")
    expect(items).to_have_text(["↳ Shop EU"])
    panel.get_by_role("link", name=re.compile("Shop EU")).click()

    # Same page (Settings), on the chosen account.
    expect(page).to_have_url(re.compile(rf"/console/{shop_eu.sid}/settings/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Account settings")
    expect(page.locator("#topbar-account-name")).to_have_text("Shop EU")

    # And back to the other main account, from the subaccount.
    page.get_by_role("group").get_by_text("Shop EU").click()
    # Wait for the loaded panel to take focus: htmx listens to the filter from then on.
    expect(panel.get_by_label("Filter accounts by name or SID")).to_be_focused()
    panel.get_by_label("Filter accounts by name or SID").fill(other.sid)
    expect(items).to_have_text(["Beta Labs"])
    panel.get_by_role("link", name=re.compile("Beta Labs")).click()
    expect(page).to_have_url(re.compile(rf"/console/{other.sid}/settings/$"))
