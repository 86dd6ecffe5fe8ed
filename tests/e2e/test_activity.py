"""The Activity page in a browser: a rename shows up with its before and after, the event
type filter swaps the results in place (and the URL follows), at desktop and phone widths."""

import re

import pytest
from playwright.sync_api import expect

from accounts import roles
from accounts.models import AccountMembership
from accounts.services import accounts as account_services
from accounts.services import ledger as ledger_services
from accounts.services import numbers as number_services
from accounts.services.events import Actor

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def _family(account):
    sub = account_services.subaccount_create(
        parent=account,
        friendly_name="Northwind Traders International Holdings",
        actor=Actor.system(),
    )
    account_services.account_suspend(account=sub, actor=Actor.for_user(account.owner))
    return sub


def test_rename_then_find_it_on_the_activity_page(page, sign_in, account, screenshot):
    _family(account)
    sign_in(page, account.owner)
    page.goto(f"/console/{account.sid}/")
    page.get_by_text("Rename", exact=True).click()
    page.get_by_label("Friendly name").fill("Acme Europe")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Acme Europe")

    page.get_by_role("navigation", name="Account").get_by_role("link", name="Activity").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Activity")
    rows = page.locator("#activity-table tbody tr")
    newest = rows.first
    expect(newest).to_contain_text("Account updated")
    expect(newest).to_contain_text(account.owner.email)
    expect(newest.locator("del")).to_have_text("Acme")
    expect(newest.locator("ins")).to_have_text("Acme Europe")
    screenshot(page, "40-activity-desktop")

    page.get_by_label("Event").select_option("account.created")

    expect(page).to_have_url(re.compile(r"event_type=account\.created"))
    expect(rows).to_have_count(2)  # the account and its subaccount
    for index in range(2):
        expect(rows.nth(index)).to_contain_text("Account created")
    expect(page.get_by_role("link", name="Clear filters")).to_be_visible()
    screenshot(page, "41-activity-filtered-desktop")

    page.get_by_role("link", name="Clear filters").click()
    expect(page).not_to_have_url(re.compile(r"event_type="))
    expect(rows).to_have_count(4)


def test_the_activity_page_on_a_phone(browser, live_server, sign_in, account, screenshot):
    _family(account)
    account_services.account_rename(
        account=account, friendly_name="Acme Europe", actor=Actor.for_user(account.owner)
    )
    context = browser.new_context(base_url=live_server.url, viewport=PHONE)
    page = context.new_page()
    try:
        sign_in(page, account.owner)
        page.goto(f"/console/{account.sid}/activity/")
        expect(page.locator("#activity-table")).to_be_visible()
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"the page scrolls sideways by {overflow}px"
        screenshot(page, "42-activity-phone", full_page=True)

        page.get_by_label("Event").select_option("account.updated")
        expect(page).to_have_url(re.compile(r"event_type=account\.updated"))
        expect(page.locator("#activity-table tbody tr")).to_have_count(2)
        screenshot(page, "43-activity-filtered-phone", full_page=True)
    finally:
        context.close()


def test_filters_and_pages_work_without_javascript(page_without_js, sign_in, account):
    page = page_without_js
    for number in range(55):
        account_services.account_rename(
            account=account, friendly_name=f"Acme {number}", actor=Actor.for_user(account.owner)
        )
    sign_in(page, account.owner)
    page.goto(f"/console/{account.sid}/activity/")
    rows = page.locator("#activity-table tbody tr")
    expect(rows).to_have_count(50)

    page.get_by_role("link", name="Older →").click()
    expect(rows).to_have_count(6)  # the last 5 renames and the account's creation
    expect(rows.last).to_contain_text("Account created")
    page.get_by_role("link", name="← Newer").click()
    expect(rows.first.locator("ins")).to_have_text("Acme 54")

    page.get_by_label("Event").select_option("account.created")
    page.get_by_role("button", name="Filter").click()
    expect(page).to_have_url(re.compile(r"event_type=account\.created"))
    expect(rows).to_have_count(1)


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
def test_a_number_moved_to_a_sibling_reads_as_another_subaccount(
    page, sign_in, account, make_user, stock, screenshot, phone
):
    system = Actor.system()
    ledger_services.funds_add(account=account, amount="20", reason="Top-up", actor=system)
    eu = account_services.subaccount_create(parent=account, friendly_name="EU", actor=system)
    us = account_services.subaccount_create(parent=account, friendly_name="US", actor=system)
    number = number_services.number_buy(account=eu, phone_number="+14155550100", actor=system)
    number_services.number_transfer(number=number, target=us, acting_account=account, actor=system)
    person = make_user(email="eu-admin@example.com")
    AccountMembership.objects.create(account=eu, user=person, role=roles.ADMINISTRATOR)
    AccountMembership.objects.create(account=us, user=person, role=roles.ADMINISTRATOR)
    if phone:
        page.set_viewport_size(PHONE)
    sign_in(page, person)
    shown = "phone" if phone else "desktop"

    # Where it left: EU's log names EU, and the sibling it went to only as another.
    page.goto(f"/console/{eu.sid}/activity/")
    moved = page.locator("#activity-table tbody tr", has_text="Phone number updated")
    expect(moved).to_contain_text("Another subaccount")
    expect(moved).to_contain_text(eu.sid)
    expect(page.locator("body")).not_to_contain_text(us.sid)
    screenshot(page, f"activity-number-moved-{shown}", full_page=True)

    # Where it came to: US's log has the arrival too, from another subaccount.
    page.goto(f"/console/{us.sid}/activity/")
    arrived = page.locator("#activity-table tbody tr", has_text="Phone number updated")
    expect(arrived).to_contain_text("Another subaccount")
    expect(arrived).to_contain_text(us.sid)
    expect(page.locator("#activity-table")).not_to_contain_text(eu.sid)
    screenshot(page, f"activity-number-arrived-{shown}", full_page=True)
