"""On a phone-sized screen the pages fit: nothing makes the page itself scroll sideways (wide
tables scroll inside their own box)."""

import pytest
from playwright.sync_api import expect

from accounts.services import accounts as account_services
from accounts.services.events import Actor

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_no_page_scrolls_sideways_on_a_phone(browser, live_server, sign_in, account, screenshot):
    for number in range(3):
        account_services.subaccount_create(
            parent=account,
            friendly_name=f"Northwind Traders International Holdings {number}",
            actor=Actor.system(),
        )
    context = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        sign_in(page, account.owner)
        for path in [
            f"/console/{account.sid}/",
            f"/console/{account.sid}/subaccounts/",
            f"/console/{account.sid}/phone-numbers/",
            f"/console/{account.sid}/usage/",
            f"/console/{account.sid}/billing/",
            f"/console/{account.sid}/users/",
            f"/console/{account.sid}/settings/",
            "/console/accounts/",
            "/orgs/",
        ]:
            page.goto(path)
            expect(page.locator("main")).to_be_visible()
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 0, f"{path} scrolls sideways by {overflow}px"
        page.goto(f"/console/{account.sid}/subaccounts/")
        screenshot(page, "30-subaccounts-phone")
    finally:
        context.close()
