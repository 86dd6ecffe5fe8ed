"""Accounts: SIDs and tokens, the database's rules on status and balance, and the querysets
that split main accounts from subaccounts."""

import re
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from accounts.models import (
    Account,
)
from accounts.services import accounts as account_services
from accounts.services import ledger as ledger_services
from accounts.services.events import Actor

ACCOUNT_SID = re.compile(r"^AC[0-9a-f]{32}$")
AUTH_TOKEN = re.compile(r"^[0-9a-f]{32}$")

pytestmark = pytest.mark.django_db


def test_new_account_has_generated_sid_token_and_trial_type(user):
    account = account_services.account_create(owner=user, friendly_name="New", actor=Actor.system())
    assert ACCOUNT_SID.match(account.sid)
    assert AUTH_TOKEN.match(account.auth_token)
    assert account.type == Account.Type.TRIAL
    assert account.status == Account.Status.ACTIVE
    assert account.owner == user
    assert account.organization is None
    assert account.parent is None
    assert not account.is_subaccount


def test_sids_and_tokens_are_unique(make_account, user):
    user.account_limit = 50
    user.save()
    accounts = [make_account(owner=user) for _ in range(30)]

    assert len({a.sid for a in accounts}) == 30
    assert len({a.auth_token for a in accounts}) == 30


def test_database_refuses_a_duplicate_sid(account, make_user):
    duplicate = Account(friendly_name="Copy", owner=make_user(), sid=account.sid)

    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()


def test_database_refuses_an_unknown_status(account):
    with pytest.raises(IntegrityError), transaction.atomic():
        Account.objects.filter(pk=account.pk).update(status="deleted")


def test_top_level_account_holds_a_decimal_balance(account):
    account.refresh_from_db()

    assert account.balance == Decimal("0")
    assert isinstance(account.balance, Decimal)
    assert account.shared_balance == Decimal("0")


def test_subaccount_reports_its_parents_balance(account, make_subaccount):
    subaccount = make_subaccount(account)
    ledger_services.funds_add(
        account=account, amount="12.3456", reason="Top-up", actor=Actor.system()
    )
    account.refresh_from_db()

    subaccount = Account.objects.get(pk=subaccount.pk)

    assert subaccount.balance is None
    assert subaccount.shared_balance == Decimal("12.3456")
    assert subaccount.main_account == account
    assert subaccount.owner_account_sid == account.sid
    assert account.owner_account_sid == account.sid


def test_database_refuses_a_balance_on_a_subaccount(account, make_subaccount):
    subaccount = make_subaccount(account)

    with pytest.raises(IntegrityError), transaction.atomic():
        Account.objects.filter(pk=subaccount.pk).update(balance=Decimal("1"))


def test_database_refuses_a_top_level_account_without_balance(account):
    with pytest.raises(IntegrityError), transaction.atomic():
        Account.objects.filter(pk=account.pk).update(balance=None)


def test_subaccount_belongs_to_its_parent(account, make_subaccount):
    subaccount = make_subaccount(account)

    assert subaccount.is_subaccount
    assert subaccount.parent == account
    assert subaccount.owner == account.owner
    assert list(account.subaccounts.all()) == [subaccount]


def test_querysets_split_levels_and_count_open_subaccounts(account, make_subaccount):
    first = make_subaccount(account, "One")
    second = make_subaccount(account, "Two")
    account_services.account_close(account=second, actor=Actor.system())

    assert list(Account.objects.top_level()) == [account]
    assert set(Account.objects.subaccounts()) == {first, second}
    assert list(Account.objects.subaccounts_of(account).open()) == [first]
    # The parent's counter, kept by the services (tests/services/test_open_subaccount_counter).
    assert Account.objects.get(pk=account.pk).open_subaccount_count == 1
