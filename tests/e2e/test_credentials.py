"""API keys & credentials, in the browser: create a key and see its secret once, revoke it,
and rotate the auth token."""

import re

import pytest
from playwright.sync_api import expect

from accounts.models import ApiKey

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_keys_and_token_rotation(page, sign_in, account, screenshot):
    sign_in(page, account.owner)
    page.goto(f"/console/{account.sid}/")
    page.get_by_role("navigation", name="Account").get_by_role(
        "link", name="API keys & credentials"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("API keys & credentials")

    page.get_by_label("Friendly name").fill("Production server")
    page.get_by_label(re.compile("Main: everything")).check()
    page.get_by_role("button", name="Create API key").click()
    expect(page.get_by_role("alert")).to_contain_text("shown only this once")
    secret = page.locator("#key-secret").inner_text()
    key = ApiKey.objects.get(account=account)
    assert key.secret_matches(secret) and key.key_type == "main"
    screenshot(page, "credentials-key-created")
    page.get_by_role("link", name="I have copied the secret").click()
    row = page.locator(f"#key-{key.sid}")
    expect(row).to_contain_text("Production server")
    expect(page.locator("main")).not_to_contain_text(secret)

    # The token is masked until shown.
    expect(page.locator("main")).not_to_contain_text(account.auth_token)
    page.locator("#auth-tokens").get_by_role("link", name="Show").click()
    expect(page.locator("#primary-token")).to_have_text(account.auth_token)
    page.get_by_role("link", name="Hide").click()

    page.get_by_role("button", name="Create a secondary token").click()
    expect(page.get_by_role("status").first).to_contain_text("Created a secondary auth token")
    screenshot(page, "credentials-page")
    page.get_by_role("link", name="Promote to primary…").click()
    expect(page.locator("main")).to_contain_text("stops working at once")
    page.get_by_role("button", name="Promote, and stop the old token").click()
    expect(page.get_by_role("status").first).to_contain_text("is now the primary")
    account.refresh_from_db()
    assert account.secondary_auth_token == ""

    # Revoke, in the dialog.
    row.get_by_role("link", name="Revoke…").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("stops authenticating at once")
    dialog.get_by_role("button", name="Revoke the key").click()
    expect(page.locator("#key-table")).to_contain_text("No API keys yet.")
    assert not ApiKey.objects.exists()
