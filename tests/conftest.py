"""Fixtures every test module may use: people, accounts and families, organizations and their
members, a funded account and phone numbers in stock, and a test client signed in as someone.
Objects come from tests/factories.py, through the app's services where it keeps invariants."""

import os
import time

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test import Client

from accounts.models import Account, OrganizationMembership
from accounts.services import ledger as ledger_services
from accounts.services.events import Actor

from .factories import (
    DEFAULT_PASSWORD,
    AccountFactory,
    AccountMembershipFactory,
    AvailablePhoneNumberFactory,
    OrganizationFactory,
    OrganizationMembershipFactory,
    SubaccountFactory,
    UserFactory,
)

pytest_plugins = ["tests.receiver", "tests.tasks_support"]

OrgRole = OrganizationMembership.Role


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
def postgres_only():
    """Skip on SQLite (no row locks, one writer, other plans and indexes); fail instead when
    CI demands PostgreSQL."""
    if connection.vendor != "postgresql":
        if os.environ.get("REQUIRE_POSTGRES"):
            pytest.fail("REQUIRE_POSTGRES is set but the tests are not running on PostgreSQL")
        pytest.skip(
            "needs PostgreSQL (row locks, parallel connections, its query plans and indexes):"
            " set DATABASE_URL"
        )


# People and accounts.


@pytest.fixture
def make_user(db):
    """make_user(email=None, password=DEFAULT_PASSWORD, **fields): a new user."""

    def make_user(email=None, password=DEFAULT_PASSWORD, **fields):
        if email is not None:
            fields["email"] = email
        return UserFactory(password=password, **fields)

    return make_user


@pytest.fixture
def make_account(db):
    """make_account(owner=None, friendly_name="Main account", **fields): a top-level account
    (and its owner, unless given), created by the account service: Full unless
    `type=Account.Type.TRIAL` (`trial_credit=True` gives it the sign-up's trial credit)."""

    def make_account(owner=None, friendly_name="Main account", **fields):
        if owner is not None:
            fields["owner"] = owner
        return AccountFactory(friendly_name=friendly_name, **fields)

    return make_account


@pytest.fixture
def make_subaccount(db):
    """make_subaccount(parent, friendly_name="Subaccount", own_balance=False), created by the
    account service."""

    def make_subaccount(parent, friendly_name="Subaccount", own_balance=False):
        return SubaccountFactory(
            parent=parent, friendly_name=friendly_name, own_balance=own_balance
        )

    return make_subaccount


@pytest.fixture
def make_member(db):
    """make_member(account, *roles, user=None): a user (a new one unless given) holding
    `roles` on `account`."""

    def make_member(account, *role_names, user=None):
        user = user or UserFactory()
        for role in role_names:
            AccountMembershipFactory(account=account, user=user, role=role)
        return user

    return make_member


@pytest.fixture
def user(make_user):
    return make_user()


@pytest.fixture
def account(make_account, user):
    """The user's main account, "Acme"."""
    return make_account(owner=user, friendly_name="Acme")


@pytest.fixture
def family(account, make_subaccount):
    """`account` and three active subaccounts of it: (account, [Sub 0, Sub 1, Sub 2])."""
    return account, [make_subaccount(account, f"Sub {n}") for n in range(3)]


@pytest.fixture
def funded(account):
    """`account` (Full) with $20 on its balance."""
    ledger_services.funds_add(account=account, amount="20", actor=Actor.system(), reason="Top-up")
    account.refresh_from_db()
    return account


@pytest.fixture
def trial(make_account, make_user):
    """A new Trial account as sign-up makes it: the trial limits and the trial credit."""
    return make_account(
        owner=make_user(), friendly_name="Trial Co", type=Account.Type.TRIAL, trial_credit=True
    )


@pytest.fixture
def stock(db):
    """The inventory: ten numbers in area code 415 (CA, MMS on even lines, $1.15 a month)
    and one in 212 (NY)."""
    for line in range(100, 110):
        AvailablePhoneNumberFactory(
            phone_number=f"+1415555{line:04d}", region="CA", mms=line % 2 == 0
        )
    AvailablePhoneNumberFactory(phone_number="+12125550199", region="NY", monthly_price=1)


# Organizations: an organization, its owner, an administrator and a member.


@pytest.fixture
def owner(make_user):
    return make_user(email="owner@example.com", full_name="Olive Owner")


@pytest.fixture
def org(owner):
    """Acme Group, owned by `owner`."""
    return OrganizationFactory(name="Acme Group", owner=owner)


@pytest.fixture
def join(org):
    """join(user, role=Member, organization=org): a membership of the organization."""

    def join(user, role=OrgRole.MEMBER, organization=None):
        return OrganizationMembershipFactory(organization=organization or org, user=user, role=role)

    return join


@pytest.fixture
def admin(make_user, join):
    user = make_user(email="admin@example.com")
    join(user, OrgRole.ADMINISTRATOR)
    return user


@pytest.fixture
def member(make_user, join):
    user = make_user(email="member@example.com")
    join(user, OrgRole.MEMBER)
    return user


# Signed in.


@pytest.fixture
def as_user(client):
    """as_user(user): the test client, signed in as `user` (a later call switches user)."""

    def as_user(user):
        client.force_login(user)
        return client

    return as_user
