"""Signing in with django-allauth: two-factor codes, no enumeration, the sign-in page for
signed-in visitors, the admin's sign-in, sessions."""

import re

import pyotp
import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from allauth.usersessions.models import UserSession
from django.core import mail
from django.urls import reverse

from accounts import errors
from accounts.models import Event, User
from tests.conftest import DEFAULT_PASSWORD, ConsoleClient

pytestmark = pytest.mark.django_db


def sign_in(client, email, password=DEFAULT_PASSWORD, **extra):
    return client.post("/signin/", {"login": email, "password": password, **extra})


def with_totp(user):
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    codes = RecoveryCodes.activate(user).get_unused_codes()
    return pyotp.TOTP(secret), codes


# --- Two-factor ------------------------------------------------------------------------------


def test_a_user_with_two_factor_is_asked_for_a_code(client, account):
    totp, _codes = with_totp(account.owner)
    response = sign_in(client, account.owner.email)
    assert response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session
    wrong = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert wrong.status_code == 200 and "_auth_user_id" not in client.session
    right = client.post(reverse("mfa_authenticate"), {"code": totp.now()}, follow=True)
    assert right.redirect_chain[-1][0] == reverse("console:account_dashboard", args=[account.sid])


def test_a_recovery_code_works_once(client, account):
    _totp, codes = with_totp(account.owner)
    sign_in(client, account.owner.email)
    client.post(reverse("mfa_authenticate"), {"code": codes[0]})
    assert client.session["_auth_user_id"] == str(account.owner.pk)

    again = ConsoleClient()
    sign_in(again, account.owner.email)
    response = again.post(reverse("mfa_authenticate"), {"code": codes[0]})
    assert response.status_code == 200
    assert "_auth_user_id" not in again.session
    assert b"Incorrect code" in response.content


def test_turning_two_factor_on_is_an_event(client, user, django_capture_on_commit_callbacks):
    client.force_login(user)
    page = client.get(reverse("mfa_activate_totp"))
    secret = page.context["form"].secret
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("mfa_activate_totp"), {"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=user, type="totp").exists()
    data = [
        event.event_data
        for event in Event.objects.filter(event_type="user.updated", resource_sid=user.sid)
    ]
    assert {"two_factor_totp": {"previous": False, "updated": True}} in data


# --- No enumeration --------------------------------------------------------------------------


def _sign_up(client, email):
    return client.post(
        "/signup/",
        {
            "email": email,
            "full_name": "Someone",
            "password1": DEFAULT_PASSWORD,
            "password2": DEFAULT_PASSWORD,
            "account_name": "Mine",
        },
        follow=True,
    )


def _answer(response, email):
    """What a visitor sees: where they end up, the status and the page's text (the address
    they typed, echoed back, aside)."""
    text = re.sub(
        r'(csrfmiddlewaretoken" value=|X-CSRFToken": |nonce=)"[^"]+"', "", response.content.decode()
    )
    return response.redirect_chain, response.status_code, text.replace(email, "EMAIL")


def test_sign_up_answers_the_same_for_a_taken_email(user):
    new = _sign_up(ConsoleClient(), "someone.new@example.com")
    taken = _sign_up(ConsoleClient(), user.email)
    assert _answer(new, "someone.new@example.com") == _answer(taken, user.email)
    # The new address is asked to confirm; the taken one is told it has a login.
    confirm, exists = mail.outbox
    assert confirm.to == ["someone.new@example.com"] and "confirm-email" in confirm.body
    assert exists.to == [user.email] and "already exists" in exists.body
    assert User.objects.filter(email=user.email).count() == 1


def test_a_password_reset_answers_the_same_for_an_unknown_email(user):
    def reset(email):
        return ConsoleClient().post(reverse("password_reset"), {"email": email}, follow=True)

    known, unknown = reset(user.email), reset("nobody@example.com")
    assert _answer(known, user.email) == _answer(unknown, "nobody@example.com")
    [message] = mail.outbox
    assert message.to == [user.email]


def test_signing_in_before_confirming_the_address_asks_to_confirm_it(client):
    _sign_up(client, "late@example.com")
    response = sign_in(ConsoleClient(), "late@example.com")
    assert response["Location"] == reverse("account_email_verification_sent")


# --- The sign-in page for someone already signed in ------------------------------------------


@pytest.mark.parametrize("path", ["/signin/", "/signup/"])
def test_another_site_cannot_tell_whether_a_visitor_is_signed_in(client, user, path):
    probe = f"{path}?next=/static/img/favicon.svg"
    cross_site = {"Sec-Fetch-Site": "cross-site"}
    signed_out = client.get(probe, headers=cross_site)
    client.force_login(user)
    signed_in = client.get(probe, headers=cross_site)
    for response in (signed_out, signed_in):
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/html")
        assert "Location" not in response
    assert b"You are signed in" in signed_in.content


def test_a_signed_in_person_on_this_site_is_sent_on(client, user):
    client.force_login(user)
    own = {"Sec-Fetch-Site": "same-origin"}
    assert client.get("/signin/?next=/console/accounts/", headers=own)["Location"] == (
        "/console/accounts/"
    )
    # Never to another site.
    away = client.get("/signin/?next=https://evil.example/", headers=own)
    assert away["Location"] == reverse("console:home")


# --- The admin --------------------------------------------------------------------------------


def test_the_admin_signs_in_through_the_console_sign_in_and_its_throttle(client, make_user):
    staff = make_user(email="staff@example.com", is_staff=True, is_superuser=True)
    assert client.get("/admin/login/")["Location"].startswith("/signin/")
    for _ in range(5):
        sign_in(client, staff.email, "wrong")
    response = sign_in(client, staff.email, next="/admin/")
    assert errors.SIGN_IN_THROTTLED.encode() in response.content
    assert client.get("/admin/").status_code == 302


# --- Sessions ---------------------------------------------------------------------------------


def test_the_sessions_page_lists_sessions_and_signs_out_the_others(user):
    laptop, phone = ConsoleClient(), ConsoleClient()
    laptop.defaults["HTTP_USER_AGENT"] = "Laptop browser"
    sign_in(laptop, user.email)
    phone.defaults["HTTP_USER_AGENT"] = "Phone browser"
    phone.defaults["REMOTE_ADDR"] = "10.1.2.3"
    sign_in(phone, user.email)
    assert UserSession.objects.filter(user=user).count() == 2

    page = laptop.get(reverse("usersessions_list")).content.decode()
    assert "Phone browser" in page and "10.1.2.3" in page and "This browser" in page
    laptop.post(reverse("usersessions_list"))
    assert phone.get(reverse("console:account_list")).status_code == 302
    assert laptop.get(reverse("console:account_list")).status_code == 200
    assert UserSession.objects.filter(user=user).count() == 1


def test_failed_sign_ins_count_per_email_whatever_the_host_name(client, user):
    for host in ["localhost", "127.0.0.1", "localhost", "127.0.0.1", "localhost"]:
        client.post("/signin/", {"login": user.email, "password": "wrong"}, headers={"Host": host})
    response = client.post(
        "/signin/", {"login": user.email.upper(), "password": DEFAULT_PASSWORD}, HTTP_HOST="[::1]"
    )
    assert errors.SIGN_IN_THROTTLED.encode() in response.content


# --- Password hashing ------------------------------------------------------------------------


def test_a_password_stored_with_pbkdf2_works_and_is_stored_again_with_argon2(
    client, user, settings
):
    """Argon2 is the production hasher (issue 15 measured it); passwords set before it (Django's
    default, PBKDF2) still sign in, and the first sign-in stores them again as Argon2."""
    from django.contrib.auth.hashers import make_password

    settings.PASSWORD_HASHERS = settings.PRODUCTION_PASSWORD_HASHERS
    User.objects.filter(pk=user.pk).update(
        password=make_password(DEFAULT_PASSWORD, hasher="pbkdf2_sha256")
    )
    wrong = sign_in(client, user.email, "not-the-password")
    user.refresh_from_db()
    assert wrong.status_code == 200 and user.password.startswith("pbkdf2_sha256$")

    response = sign_in(client, user.email)
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.password.startswith("argon2$")
    assert client.get(reverse("console:account_list")).status_code == 200
