"""The Usage and Usage triggers pages in a browser, at desktop and phone widths: a trigger is
created through the form and its row shows up; nothing scrolls sideways; screenshots saved."""

import datetime

import pytest
from playwright.sync_api import expect

from accounts.services import accounts as account_services
from accounts.services import ledger, triggers
from accounts.services.events import Actor
from accounts.services.usage import usage_record
from tests.usage_time import charging_on

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
SYSTEM = Actor.system()


@pytest.fixture
def busy_account(account):
    ledger.funds_add(account=account, amount="500", actor=SYSTEM, reason="Funds")
    subs = [
        account_services.subaccount_create(parent=account, friendly_name=name, actor=SYSTEM)
        for name in ["Northwind Traders", "Contoso Retail", "Fabrikam EU"]
    ]
    today = datetime.datetime.now(datetime.UTC).date()
    for back in range(30):
        day = today - datetime.timedelta(days=back)
        for index, (sub, category) in enumerate(
            zip(subs, ["calls-outbound", "sms-outbound", "phonenumbers-local"], strict=True)
        ):
            with charging_on(day):
                usage_record(
                    account=sub,
                    category=category,
                    quantity=3 + (back * (index + 2)) % 11,
                    price=f"{0.35 * (1 + (back + index) % 5):.2f}",
                    start_date=day,
                    end_date=day,
                    actor=SYSTEM,
                )
    triggers.usage_trigger_create(
        account=account,
        friendly_name="Monthly spend over $20",
        callback_url="https://example.com/usage",
        trigger_value="20",
        usage_category="totalprice",
        trigger_by="price",
        recurring="monthly",
        actor=SYSTEM,
    )
    return account


@pytest.mark.parametrize(("width", "height"), [(1280, 900), (390, 844)])
def test_usage_and_trigger_pages(
    browser, live_server, sign_in, busy_account, screenshot, width, height
):
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": width, "height": height}
    )
    page = context.new_page()
    try:
        sign_in(page, busy_account.owner)
        start = (
            datetime.datetime.now(datetime.UTC).date() - datetime.timedelta(days=29)
        ).isoformat()
        page.goto(
            f"/console/{busy_account.sid}/usage/?start={start}&end={datetime.datetime.now(datetime.UTC).date()}"
        )
        expect(page.locator("#usage-categories")).to_contain_text("minutes")
        screenshot(page, f"usage-{width}", full_page=True)
        # The charts up close: their text must be readable at both widths (the drawing for
        # the width shown: its labels at least 11 px tall on screen).
        for chart in ("#usage-accounts", "#usage-daily"):
            expect(page.locator(f"{chart} svg:visible")).to_have_count(1)
            label = page.locator(f"{chart} svg:visible text").first
            assert label.bounding_box()["height"] >= 11, (chart, label.bounding_box())
        screenshot(page.locator("#usage-accounts"), f"usage-accounts-chart-{width}")
        screenshot(page.locator("#usage-daily"), f"usage-daily-chart-{width}")
        page.uncheck("#id_subaccounts")
        page.click("text=Show usage")
        expect(page.locator("#usage-report")).to_contain_text("this account only")

        page.goto(f"/console/{busy_account.sid}/usage-triggers/")
        expect(page.locator("#trigger-table")).to_contain_text("Monthly spend over $20")
        page.fill("#id_friendly_name", "SMS over 500 messages")
        page.select_option("#id_usage_category", "sms")
        page.select_option("#id_trigger_by", "usage")
        page.fill("#id_trigger_value", "+500")
        page.fill("#id_callback_url", "https://example.com/sms-alert")
        page.click("text=Create trigger")
        expect(page.locator("#trigger-table")).to_contain_text("SMS over 500 messages")
        for path in [
            f"/console/{busy_account.sid}/usage/",
            f"/console/{busy_account.sid}/usage-triggers/",
        ]:
            page.goto(path)
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 0, f"{path} scrolls sideways by {overflow}px at {width}px"
        screenshot(page, f"usage-triggers-{width}", full_page=True)
        page.click("text=Deliveries >> nth=-1")
        expect(page.locator("main")).to_contain_text("5 tries over 30 minutes")
        screenshot(page, f"usage-trigger-deliveries-{width}", full_page=True)
    finally:
        context.close()
