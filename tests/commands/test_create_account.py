"""create_account: an account (and its owner, unless they exist) for operators' scripts."""

import io
import json
import re

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts import errors
from accounts.models import Account, AccountMembership, User

pytestmark = pytest.mark.django_db


def create_account(*args):
    out = io.StringIO()
    call_command("create_account", *args, stdout=out)
    lines = out.getvalue().splitlines()
    assert len(lines) == 1
    return json.loads(lines[0])


def test_create_account_creates_the_owner_and_prints_json(db):
    result = create_account(
        "--email",
        "New.Owner@Example.com",
        "--password",
        "a-long-pass-123",
        "--friendly-name",
        "Production",
    )

    account = Account.objects.get(sid=result["sid"])
    assert re.fullmatch(r"AC[0-9a-f]{32}", result["sid"])
    assert result["auth_token"] == account.auth_token
    assert re.fullmatch(r"[0-9a-f]{32}", result["auth_token"])
    assert result["friendly_name"] == "Production" == account.friendly_name
    assert result["owner_email"] == "new.owner@example.com"
    assert result["user_created"] is True
    assert account.parent is None
    assert account.owner.email == "new.owner@example.com"
    assert AccountMembership.objects.get(account=account).role == "owner"
    assert authenticate(username="new.owner@example.com", password="a-long-pass-123")


def test_create_account_without_password_makes_an_owner_who_cannot_sign_in(db):
    result = create_account("--email", "nopass@example.com")

    user = User.objects.get(email="nopass@example.com")
    assert not user.has_usable_password()
    assert result["friendly_name"] == "nopass@example.com"


def test_create_account_reuses_an_existing_owner_in_any_case(make_user):
    owner = make_user(email="existing@example.com")

    result = create_account("--email", "EXISTING@example.com", "--friendly-name", "Second")

    assert result["user_created"] is False
    assert Account.objects.get(sid=result["sid"]).owner == owner
    assert User.objects.filter(email__iexact="existing@example.com").count() == 1
    # The existing password is untouched.
    owner.refresh_from_db()
    assert owner.check_password("a-long-test-password-42")


def test_create_account_refuses_past_the_owners_limit(make_user):
    owner = make_user(email="full@example.com")
    for n in range(10):
        create_account("--email", owner.email, "--friendly-name", f"Account {n}")

    with pytest.raises(CommandError) as excinfo:
        create_account("--email", owner.email, "--friendly-name", "Eleventh")

    assert str(excinfo.value) == errors.ACCOUNT_LIMIT_REACHED.format(limit=10)
    assert Account.objects.filter(owner=owner).count() == 10


def test_create_account_refuses_an_invalid_friendly_name_without_creating_the_user(db):
    with pytest.raises(CommandError) as excinfo:
        create_account("--email", "someone@example.com", "--friendly-name", "z" * 65)

    assert str(excinfo.value) == errors.FRIENDLY_NAME_TOO_LONG.format(limit=64, length=65)
    assert not User.objects.filter(email="someone@example.com").exists()


def test_create_account_requires_an_email(db):
    with pytest.raises(CommandError):
        call_command("create_account", stdout=io.StringIO())
