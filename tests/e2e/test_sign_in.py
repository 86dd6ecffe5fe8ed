"""Signing in, in the browser."""

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import DEFAULT_PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_wrong_password_shows_a_clear_error_and_keeps_the_email(page, account, screenshot):
    email = account.owner.email
    page.goto("/signin/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("alert")).to_have_text(
        "That email and password do not match an account. Check them and try again."
    )
    expect(page).to_have_url(re.compile(r"/signin/$"))
    expect(page.get_by_label("Email")).to_have_value(email)
    expect(page.get_by_label("Password")).to_have_value("")
    screenshot(page, "07-signin-error")

    # The right password, typed again, gets in: to the account's dashboard.
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(rf"/console/{account.sid}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Acme")
