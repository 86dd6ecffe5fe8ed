import itertools
import os
import time

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test import Client

from accounts.models import User
from accounts.services import accounts as account_services
from accounts.services.events import Actor

pytest_plugins = ["tests.fixtures_organizations", "tests.receiver", "tests.tasks_support"]

_emails = itertools.count(1)

DEFAULT_PASSWORD = "a-long-test-password-42"


def on_postgres():
    return connection.vendor == "postgresql"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test database, with the cache table the sign-in rate limits count in (as
    `manage.py createcachetable` makes it wherever `migrate` runs)."""
    with django_db_blocker.unblock():
        call_command("createcachetable", verbosity=0)


@pytest.fixture(autouse=True)
def _empty_cache(request):
    """Rate limits from one test never reach another. Tests in a transaction roll their
    cache rows back; the others (live server, threads) start from an empty cache."""
    marker = request.node.get_closest_marker("django_db")
    transactional = bool(marker and marker.kwargs.get("transaction")) or bool(
        {"transactional_db", "live_server"} & set(request.fixturenames)
    )
    if transactional:
        request.getfixturevalue("django_db_setup")
        blocker = request.getfixturevalue("django_db_blocker")
        with blocker.unblock():
            cache.clear()


def mark_recently_authenticated(session, user):
    """What signing in with a password and confirming it again leaves in the session (allauth's
    records): sensitive actions go through without asking for the password again."""
    session["account_authentication_methods"] = [
        {"method": "password", "at": time.time(), "email": user.email, "reauthenticated": True}
    ]
    session["account_authentication_methods_user"] = str(user.pk)


class ConsoleClient(Client):
    """Django's test client, whose `force_login` is a fresh sign-in: allauth's
    re-authentication does not ask again (`force_login(user, recently=False)` for a session
    that has to confirm the password first)."""

    def force_login(self, user, backend=None, recently=True):
        super().force_login(user, backend)
        if recently:
            session = self.session
            mark_recently_authenticated(session, user)
            session.save()


@pytest.fixture
def client():
    return ConsoleClient()


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
