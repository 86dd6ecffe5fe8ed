"""Signing up, in and out, and passwords: the email in any case, errors that keep what was
typed, throttled failures, a reset by emailed link that works once."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from accounts import roles
from accounts.models import Account, User
from tests.factories import DEFAULT_PASSWORD


@pytest.mark.django_db
def test_sign_up_creates_the_user_and_first_account_and_lands_on_its_dashboard(client):
    response = client.post(
        "/signup/",
        {
            "email": "New.Person@Example.com",
            "full_name": "New Person",
            "password1": DEFAULT_PASSWORD,
            "password2": DEFAULT_PASSWORD,
            "account_name": "My startup",
        },
    )
    user = User.objects.get(email="new.person@example.com")
    account = Account.objects.get(owner=user)
    assert account.friendly_name == "My startup"
    assert account.memberships.get().role == roles.OWNER
    # The address is confirmed first (sign-up answers the same for a taken email).
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    [message] = mail.outbox
    link = re.search(r"http://testserver(/accounts/confirm-email/\S+/)", message.body).group(1)
    confirmed = client.post(link, follow=True)
    assert confirmed.redirect_chain[-1][0] == reverse(
        "console:account_dashboard", args=[account.sid]
    )
    assert b"My startup" in confirmed.content


@pytest.mark.django_db
def test_wrong_password_shows_a_clear_error_and_keeps_the_email(client, user):
    response = client.post("/signin/", {"login": user.email, "password": "not-it"})
    assert response.status_code == 200
    assert b"do not match" in response.content
    assert f'value="{user.email}"'.encode() in response.content


@pytest.mark.django_db
def test_sign_in_ignores_email_case_and_lands_on_the_first_account(client, account):
    response = client.post(
        "/signin/",
        {"login": account.owner.email.upper(), "password": DEFAULT_PASSWORD},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse(
        "console:account_dashboard", args=[account.sid]
    )


def test_sign_in_page_accepts_the_email_in_another_case(client, make_user):
    user = make_user(email="signin@example.com")

    response = client.post(
        "/signin/", {"login": "SignIn@Example.COM", "password": DEFAULT_PASSWORD}
    )

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


@pytest.mark.django_db
def test_sign_out_is_a_post_and_ends_the_session(owner_client, account):
    response = owner_client.post("/signout/")
    assert response.status_code == 302
    assert (
        owner_client.get(reverse("console:account_dashboard", args=[account.sid])).status_code
        == 302
    )
    # A GET only asks (a link cannot sign anyone out).
    owner_client.force_login(account.owner)
    assert b"Sign out?" in owner_client.get("/signout/").content
    assert "_auth_user_id" in owner_client.session


@pytest.mark.django_db
def test_change_password(owner_client, user):
    response = owner_client.post(
        "/password/",
        {
            "oldpassword": DEFAULT_PASSWORD,
            "password1": "brand-new-pass-99",
            "password2": "brand-new-pass-99",
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("brand-new-pass-99")


@pytest.mark.django_db
def test_sign_in_is_throttled_after_five_failures(client, user):
    for _ in range(5):
        response = client.post("/signin/", {"login": user.email, "password": "wrong"})
        assert b"do not match" in response.content
    # Even the right password waits now.
    response = client.post("/signin/", {"login": user.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 200
    assert b"Too many failed attempts" in response.content
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_a_forgotten_password_is_reset_through_an_emailed_link(client, user):
    page = client.get("/signin/").content.decode()
    assert reverse("password_reset") in page
    response = client.post(reverse("password_reset"), {"email": user.email.upper()})
    assert response["Location"] == reverse("password_reset_done")
    [message] = mail.outbox
    link = re.search(r"http://testserver(/accounts/password/reset/key/\S+/)", message.body).group(1)
    form = client.get(link, follow=True)
    assert b"Choose a new password" in form.content
    client.post(
        form.redirect_chain[-1][0],
        {"password1": "fresh-password-2026", "password2": "fresh-password-2026"},
    )
    user.refresh_from_db()
    assert user.check_password("fresh-password-2026")
    again = client.get(link, follow=True)
    assert b"This link has expired" in again.content


@pytest.mark.django_db
def test_a_reset_for_an_unknown_email_looks_the_same_and_sends_nothing(client):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.com"})
    assert response["Location"] == reverse("password_reset_done")
    assert mail.outbox == []


@pytest.mark.django_db
def test_sign_up_with_a_taken_email_answers_as_for_a_new_one(client, user):
    response = client.post(
        "/signup/",
        {
            "email": user.email.upper(),
            "full_name": "Someone Else",
            "password1": DEFAULT_PASSWORD,
            "password2": DEFAULT_PASSWORD,
            "account_name": "Kept name",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert User.objects.count() == 1
    # The owner of the address is told instead.
    [message] = mail.outbox
    assert [address.lower() for address in message.to] == [user.email]
    assert "already" in message.subject.lower()
