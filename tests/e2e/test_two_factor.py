"""Two-factor authentication in the browser: set up an authenticator app (codes computed
with pyotp from the secret the page shows), sign out, sign in with a code, sign in with a
recovery code once, and be refused when using it again."""

import re
import time

import pyotp
import pytest
from playwright.sync_api import expect

from tests.conftest import DEFAULT_PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def sign_in_with_password(page, email):
    page.goto("/signin/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def code_now(totp):
    """The app's code, once at least 5 s of its 30 s are left: a code typed just before the
    next one begins reaches the server after it, and allauth takes only the current one."""
    left = totp.interval - time.time() % totp.interval
    if left < 5:
        time.sleep(left + 0.1)
    return totp.now()


def sign_out(page, email):
    page.get_by_label(f"Your login: {email}").click()
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/signin/$"))


def test_enrol_sign_in_with_a_code_and_with_a_recovery_code(page, account, screenshot):
    email = account.owner.email
    dashboard = re.compile(rf"/console/{account.sid}/$")
    sign_in_with_password(page, email)
    expect(page).to_have_url(dashboard)

    # Set up: from the login menu, scan (here: read) the secret, type the app's code.
    page.get_by_label(f"Your login: {email}").click()
    page.get_by_role("link", name="Two-factor authentication").click()
    expect(page.get_by_text("Off")).to_be_visible()
    page.get_by_role("link", name="Set up an authenticator app").click()
    # A sensitive change: the password once more first.
    expect(page.get_by_role("heading", name="Confirm it is you")).to_be_visible()
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("img", name="QR code for your authenticator app")).to_be_visible()
    secret = page.locator("#authenticator_secret").inner_text().strip()
    totp = pyotp.TOTP(secret)
    screenshot(page, "two-factor-setup")
    page.get_by_label("Authenticator code").fill(code_now(totp))
    page.get_by_role("button", name="Turn on two-factor").click()

    # The recovery codes, shown to be kept.
    expect(page.get_by_role("heading", name="Recovery codes")).to_be_visible()
    codes = [code.strip() for code in page.locator("#recovery_codes code").all_inner_texts()]
    assert len(codes) >= 5
    screenshot(page, "two-factor-recovery-codes")
    page.get_by_role("link", name="Continue to the console").click()
    expect(page).to_have_url(dashboard)
    sign_out(page, email)

    # The password alone is not enough any more: the app's code.
    sign_in_with_password(page, email)
    expect(page.get_by_role("heading", name="Two-factor authentication")).to_be_visible()
    page.get_by_label("Code", exact=True).fill("000000")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("Incorrect code")
    page.get_by_label("Code", exact=True).fill(code_now(totp))
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(dashboard)
    sign_out(page, email)

    # A recovery code instead, once.
    sign_in_with_password(page, email)
    page.get_by_label("Code", exact=True).fill(codes[0])
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(dashboard)
    sign_out(page, email)

    # The same recovery code again is refused.
    sign_in_with_password(page, email)
    page.get_by_label("Code", exact=True).fill(codes[0])
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("Incorrect code")
    screenshot(page, "two-factor-code-refused")
    expect(page.get_by_role("heading", name="Two-factor authentication")).to_be_visible()
