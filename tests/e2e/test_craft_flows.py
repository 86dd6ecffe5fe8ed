"""Bulk actions on Subaccounts and the impact previews, end to end in Chromium."""

import re

import pytest
from playwright.sync_api import expect

from accounts import errors
from accounts.models import Event
from accounts.services import accounts as account_services

from . import scenes

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def scene(user):
    scene = scenes.family(
        user, subaccounts=["Customer A", "Customer B", "Customer C", "Staging", "Old"]
    )
    scenes.buy(scene.subaccounts["Customer B"])
    scenes.buy(scene.subaccounts["Customer B"])
    account_services.account_suspend(
        account=scene.subaccounts["Staging"], actor=scenes.SYSTEM, source="support"
    )
    account_services.account_close(account=scene.subaccounts["Old"], actor=scenes.SYSTEM)
    return scene


def _row(page, sub):
    return page.locator(f"#row-{sub.sid}")


def test_select_rows_preview_and_suspend_them_in_one_go(page, sign_in, user, scene, screenshot):
    a, b = scene.subaccounts["Customer A"], scene.subaccounts["Customer B"]
    sign_in(page, user)
    page.goto(f"/console/{scene.main.sid}/subaccounts/")
    bar = page.locator("#bulk-form")
    suspend = bar.get_by_role("button", name="Suspend…")
    expect(bar.locator("[data-bulk-count]")).to_have_text("None selected")
    expect(suspend).to_be_disabled()

    _row(page, a).get_by_label("Select Customer A").check()
    _row(page, b).get_by_label("Select Customer B").check()
    expect(bar.locator("[data-bulk-count]")).to_have_text("2 selected")
    expect(page.get_by_label("Select every subaccount on this page")).to_have_js_property(
        "indeterminate", True
    )
    suspend.click()

    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_role("heading", level=2)).to_have_text("Suspend 2 subaccounts?")
    expect(dialog.locator("#bulk-impact")).to_contain_text("Customer A")
    expect(dialog.locator("#bulk-impact")).to_contain_text("Customer B")
    expect(dialog.locator("#bulk-impact")).to_contain_text("phone numbers are kept")
    screenshot(page, "40-bulk-suspend-preview")
    dialog.get_by_label(re.compile("Reason")).fill("Unpaid invoices")
    dialog.get_by_role("button", name="Suspend 2 subaccounts").click()

    expect(dialog).to_be_hidden()
    result = page.locator("#bulk-result")
    expect(result).to_contain_text("Suspended 2 subaccounts.")
    toast = page.locator("#toasts .toast").filter(has_text="Suspended 2 subaccounts.")
    expect(toast).to_be_visible()
    expect(_row(page, a).locator(".badge")).to_have_text("Suspended")
    expect(_row(page, b).locator(".badge")).to_have_text("Suspended")
    # The list was refreshed: the selection is gone with it.
    expect(bar.locator("[data-bulk-count]")).to_have_text("None selected")
    screenshot(page, "41-bulk-suspend-done")
    for sub in (a, b):
        sub.refresh_from_db()
        assert sub.status == "suspended"
        event = Event.objects.filter(resource_sid=sub.sid, event_type="account.updated").latest(
            "id"
        )
        assert event.event_data["reason"] == "Unpaid invoices"
        assert event.actor_user == user


def test_close_all_that_match_shows_refusals_before_and_after(page, sign_in, user, scene):
    subs = scene.subaccounts
    sign_in(page, user)
    page.goto(f"/console/{scene.main.sid}/subaccounts/")
    page.get_by_label("Select every subaccount on this page").check()
    expect(page.locator("[data-bulk-count]")).to_have_text("4 selected")  # the closed one has none
    page.get_by_label("Select every subaccount on this page").uncheck()
    page.get_by_label(re.compile(r"All 5 that match")).check()
    expect(page.locator("[data-bulk-count]")).to_have_text("All 5 that match selected")
    page.locator("#bulk-form").get_by_role("button", name="Close…").click()

    dialog = page.get_by_role("dialog")
    impact = dialog.locator("#bulk-impact")
    expect(dialog.get_by_role("heading", level=2)).to_have_text("Close 5 subaccounts?")
    expect(impact).to_contain_text("3 subaccounts close at once")
    expect(impact).to_contain_text("2 phone numbers are released")
    refused = impact.locator(".impact-refused")
    expect(refused).to_contain_text("Staging")
    expect(refused).to_contain_text(errors.SUSPENDED_BY_SUPPORT)
    expect(refused).to_contain_text("Old")
    dialog.get_by_role("button", name="Close 3 subaccounts permanently").click()

    expect(dialog).to_be_hidden()
    expect(page.locator("#bulk-result")).to_contain_text("Closed 3 subaccounts.")
    for name in ["Customer A", "Customer B", "Customer C"]:
        expect(_row(page, subs[name]).locator(".badge")).to_have_text("Closed")
    expect(_row(page, subs["Staging"]).locator(".badge")).to_have_text("Suspended")
    expect(page.locator("#subaccount-usage")).to_contain_text("1 of 1,000")


def test_a_refusal_at_confirmation_time_is_reported_and_undoes_nothing(page, sign_in, user, scene):
    a, c = scene.subaccounts["Customer A"], scene.subaccounts["Customer C"]
    sign_in(page, user)
    page.goto(f"/console/{scene.main.sid}/subaccounts/")
    _row(page, a).get_by_label("Select Customer A").check()
    _row(page, c).get_by_label("Select Customer C").check()
    page.locator("#bulk-form").get_by_role("button", name="Suspend…").click()
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_role("button", name="Suspend 2 subaccounts")).to_be_visible()
    # Meanwhile, support suspends one of them.
    account_services.account_suspend(account=a, actor=scenes.SYSTEM, source="support")
    dialog.get_by_role("button", name="Suspend 2 subaccounts").click()

    result = page.locator("#bulk-result")
    expect(result).to_contain_text("Suspended 1 subaccount.")
    expect(result).to_contain_text("1 refused")
    expect(result).to_contain_text(errors.SUSPENDED_BY_SUPPORT)
    c.refresh_from_db()
    assert c.status == "suspended"


def test_closing_from_the_subaccount_page_previews_its_numbers(page, sign_in, user, scene):
    b = scene.subaccounts["Customer B"]
    sign_in(page, user)
    page.goto(f"/console/{scene.main.sid}/subaccounts/")
    _row(page, b).get_by_role("link", name="Customer B", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Customer B")
    expect(page.locator("#sub-numbers-title")).to_be_visible()
    page.get_by_role("link", name="Close…").click()
    dialog = page.get_by_role("dialog")
    expect(dialog.locator("#close-impact")).to_contain_text("2 phone numbers are released")
    dialog.get_by_role("button", name="Close subaccount permanently").click()
    expect(dialog).to_be_hidden()
    expect(page.locator("#subaccount-summary .badge")).to_have_text("Closed")
    expect(page.get_by_role("status").filter(has_text="Closed “Customer B”")).to_be_visible()
    b.refresh_from_db()
    assert b.status == "closed"
    assert not b.phone_numbers.filter(released_at__isnull=True).exists()


def test_bulk_actions_work_without_javascript(page_without_js, sign_in, user, scene):
    page = page_without_js
    a, c = scene.subaccounts["Customer A"], scene.subaccounts["Customer C"]
    sign_in(page, user)
    page.goto(f"/console/{scene.main.sid}/subaccounts/")
    _row(page, a).get_by_label("Select Customer A").check()
    _row(page, c).get_by_label("Select Customer C").check()
    page.locator("#bulk-form").get_by_role("button", name="Suspend…").click()
    # The preview is a page of its own.
    expect(page).to_have_url(re.compile(r"/subaccounts/bulk/\?"))
    expect(page.get_by_role("heading", level=2)).to_have_text("Suspend 2 subaccounts?")
    page.get_by_role("button", name="Suspend 2 subaccounts").click()
    expect(page).to_have_url(re.compile(rf"/console/{scene.main.sid}/subaccounts/$"))
    expect(page.get_by_role("status").filter(has_text="Suspended 2 subaccounts.")).to_be_visible()
    expect(_row(page, a).locator(".badge")).to_have_text("Suspended")
    expect(_row(page, c).locator(".badge")).to_have_text("Suspended")
