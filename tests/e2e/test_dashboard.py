"""The account dashboard: inline rename and the masked auth token."""

import re

import pytest
from playwright.sync_api import expect

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
    sign_in(page, account.owner)
    page.goto(f"/console/{account.sid}/")
    token = page.locator("#auth-token")
    expect(token).to_have_text(MASK)
    assert account.auth_token not in page.locator("main").inner_text()

    page.get_by_role("button", name="Show").click()
    expect(token).to_have_text(account.auth_token)
    expect(page.get_by_role("button", name="Hide")).to_have_attribute("aria-pressed", "true")

    page.get_by_role("button", name="Hide").click()
    expect(token).to_have_text(MASK)
    expect(page.get_by_role("button", name="Show")).to_have_attribute(
        "aria-pressed", re.compile("false")
    )
