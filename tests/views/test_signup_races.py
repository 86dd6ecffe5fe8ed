"""Parallel sign-ups with one email, and parallel sign-ups through one invitation link
(PostgreSQL only): one succeeds, the others get the form's normal error."""

import re

import pytest
from django.core import mail
from django.test import Client
from django.utils.html import escape

from accounts import errors, roles
from accounts.models import Account, AccountMembership, User
from accounts.services import invitations as invitation_services
from accounts.services.events import Actor
from tests.conftest import DEFAULT_PASSWORD
from tests.races import run_at_once

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]

PARALLEL = 10


def _post(path, data):
    return Client(raise_request_exception=False).post(path, data)


def test_parallel_sign_ups_with_one_email_create_one_user(postgres_only):
    form = {
        "email": "same@example.com",
        "full_name": "Same Person",
        "password1": DEFAULT_PASSWORD,
        "password2": DEFAULT_PASSWORD,
        "account_name": "First account",
    }

    responses = run_at_once(*[lambda: _post("/signup/", form) for _ in range(PARALLEL)])

    # Every one of them is answered as any sign-up is (no error, and nothing that tells the
    # address was taken): on to "check your email".
    assert {(r.status_code, r["Location"]) for r in responses} == {
        (302, "/accounts/confirm-email/")
    }
    user = User.objects.get(email="same@example.com")
    assert Account.objects.filter(owner=user).count() == 1


def test_parallel_sign_ups_through_one_invitation_link_create_one_user(postgres_only, make_account):
    account = make_account(friendly_name="Invited to")
    invitation_services.invitation_create(
        account=account,
        email="invitee@example.com",
        roles_=[roles.DEVELOPER],
        actor=Actor.for_user(account.owner),
        base_url="http://testserver/",
    )
    link = re.search(r"http://testserver(/invitations/[^/\s]+/)", mail.outbox[-1].body).group(1)
    form = {"full_name": "In Vitee", "password1": DEFAULT_PASSWORD, "password2": DEFAULT_PASSWORD}

    responses = run_at_once(*[lambda: _post(link, form) for _ in range(PARALLEL)])

    # One signs up; the others are told why not: the address has a login now (422: as the
    # form's error when they lost the race to create it, or as the page says to anyone who
    # arrives once it exists), or the link was used (410 when it was before they came, 422
    # when the first accepted it while they were signing up). None fails.
    statuses = sorted(r.status_code for r in responses)
    assert statuses[0] == 302 and set(statuses[1:]) <= {410, 422}, statuses
    why_not = (
        errors.EMAIL_TAKEN,
        errors.INVITATION_WRONG_USER.format(email="invitee@example.com"),
        errors.INVITATION_USED,
    )
    for refused in (r for r in responses if r.status_code == 422):
        page = refused.content.decode()
        assert any(escape(text) in page for text in why_not), page
    user = User.objects.get(email="invitee@example.com")
    assert list(
        AccountMembership.objects.filter(account=account, user=user).values_list("role", flat=True)
    ) == [roles.DEVELOPER]
