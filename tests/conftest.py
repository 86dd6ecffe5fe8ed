import itertools
import os

import pytest
from django.db import connection

from accounts.models import User
from accounts.services import accounts as account_services
from accounts.services.events import Actor

pytest_plugins = ["tests.fixtures_organizations", "tests.receiver", "tests.tasks_support"]

_emails = itertools.count(1)

DEFAULT_PASSWORD = "a-long-test-password-42"


def on_postgres():
    return connection.vendor == "postgresql"


@pytest.fixture
def make_user(db):
    def make_user(email=None, password=DEFAULT_PASSWORD, **fields):
        email = email or f"user{next(_emails)}@example.com"
        return User.objects.create_user(email=email, password=password, **fields)

    return make_user


@pytest.fixture
def make_account(make_user):
    """A top-level account (and its owner, unless given)."""

    def make_account(owner=None, friendly_name="Main account", **fields):
        account = account_services.account_create(
            owner=owner or make_user(),
            friendly_name=friendly_name,
            actor=Actor.for_user(owner or make_user()),
        )
        if fields:
            for name, value in fields.items():
                setattr(account, name, value)
            account.save()
        return account

    return make_account


@pytest.fixture
def make_subaccount():
    def make_subaccount(parent, friendly_name="Subaccount"):
        return account_services.subaccount_create(
            parent=parent, friendly_name=friendly_name, actor=Actor.system()
        )

    return make_subaccount


@pytest.fixture
def user(make_user):
    return make_user()


@pytest.fixture
def account(make_account, user):
    return make_account(owner=user, friendly_name="Acme")


@pytest.fixture
def postgres_only():
    """Skip on SQLite (no row locks, one writer); fail instead when CI demands PostgreSQL."""
    if connection.vendor != "postgresql":
        if os.environ.get("REQUIRE_POSTGRES"):
            pytest.fail("REQUIRE_POSTGRES is set but the tests are not running on PostgreSQL")
        pytest.skip(
            "needs PostgreSQL for real row locks and parallel connections (set DATABASE_URL)"
        )
