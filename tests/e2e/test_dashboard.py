"""The account dashboard: inline rename and the masked auth token."""

import pytest
from playwright.sync_api import expect

from tests.conftest import DEFAULT_PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

MASK = "•" * 32


def test_renaming_inline_updates_the_heading_and_the_top_bar(page, sign_in, account):
    sign_in(page, account.owner)
    page.goto(f"/console/{account.sid}/")

    page.get_by_text("Rename", exact=True).click()
    page.get_by_label("Friendly name").fill("Acme Europe")
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Acme Europe")
    expect(page.locator("#topbar-account-name")).to_have_text("Acme Europe")
    expect(page.get_by_role("status").filter(has_text="Saved.")).to_be_visible()
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text("Acme Europe")
    expect(page.locator("#topbar-account-name")).to_have_text("Acme Europe")


def test_auth_token_is_masked_until_show_is_clicked(page, sign_in, account):
    sign_in(page, account.owner, recently=False)
    page.goto(f"/console/{account.sid}/")
    token = page.locator("#auth-token")
    expect(token).to_have_text(MASK)
    assert account.auth_token not in page.content()

    # Showing it asks for the password again, then shows it on the credentials page.
    page.get_by_role("link", name="Show").click()
    expect(page.get_by_role("heading", name="Confirm it is you")).to_be_visible()
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Confirm").click()
    expect(page.locator("#primary-token")).to_have_text(account.auth_token)

    page.get_by_role("link", name="Hide").click()
    expect(page.locator("#primary-token")).to_have_text(MASK)
    assert account.auth_token not in page.content()
