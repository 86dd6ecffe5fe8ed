"""Validation errors appear next to the field, without leaving the page, and keep what was typed."""

import pytest
from playwright.sync_api import expect

from accounts import errors

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

TOO_LONG = "N" * 65


def test_subaccount_create_errors_appear_in_place(page, sign_in, account, screenshot):
    sign_in(page, account.owner)
    page.goto(f"/console/{account.sid}/subaccounts/")
    page.get_by_role("link", name="Create subaccount").click()  # the form is in a dialog
    form = page.locator("#create-subaccount")
    name = form.get_by_label("Friendly name", exact=True)

    form.get_by_role("button", name="Create subaccount").click()
    expect(form.locator(".field-error")).to_have_text(errors.FRIENDLY_NAME_REQUIRED)
    expect(page.locator("#subaccount-table tbody tr")).to_have_text(["No subaccounts yet."])

    # Nothing cuts a long name short silently: the console says what is wrong.
    name.fill(TOO_LONG)
    form.get_by_role("button", name="Create subaccount").click()
    expect(form.locator(".field-error")).to_have_text(
        errors.FRIENDLY_NAME_TOO_LONG.format(limit=64, length=65)
    )
    expect(name).to_have_value(TOO_LONG)
    expect(name).to_be_visible()
    screenshot(page, "08-subaccount-create-error")
    expect(page.locator("#subaccount-table tbody tr")).to_have_text(["No subaccounts yet."])

    # Fixing it creates the subaccount, and the form is empty again.
    name.fill("Shop EU")
    form.get_by_role("button", name="Create subaccount").click()
    expect(page.get_by_role("dialog")).to_be_hidden()
    expect(page.locator("#subaccount-table tbody tr")).to_have_count(1)
    page.get_by_role("link", name="Create subaccount").click()
    expect(form.locator(".field-error")).to_have_count(0)
    expect(name).to_have_value("")


def test_rename_errors_appear_in_place(page, sign_in, account):
    sign_in(page, account.owner)
    page.goto(f"/console/{account.sid}/")
    page.get_by_text("Rename", exact=True).click()
    name = page.get_by_label("Friendly name")

    name.fill("")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#account-name .field-error")).to_have_text(errors.FRIENDLY_NAME_REQUIRED)
    expect(name).to_be_visible()  # the form stays open
    expect(page.get_by_role("heading", level=1)).to_have_text("Acme")

    name.fill(TOO_LONG)
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#account-name .field-error")).to_have_text(
        errors.FRIENDLY_NAME_TOO_LONG.format(limit=64, length=65)
    )
    expect(name).to_have_value(TOO_LONG)
    expect(page.get_by_role("heading", level=1)).to_have_text("Acme")
    expect(page.locator("#topbar-account-name")).to_have_text("Acme")
