"""Charging rules found in an audit: suspension at or below zero, closed subaccounts."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts import errors
from accounts.models import Account, UsageDay, UsageRecord
from accounts.services import accounts as account_services
from accounts.services import ledger
from accounts.services.events import Actor
from accounts.services.usage import usage_record

pytestmark = pytest.mark.django_db
SYSTEM = Actor.system()


def today():
    return timezone.now().astimezone(datetime.UTC).date()


def charge(account, price, *, end_date=None):
    return usage_record(
        account=account,
        category="calls-outbound",
        quantity=1,
        price=price,
        start_date=end_date or today(),
        end_date=end_date or today(),
        actor=SYSTEM,
    )


def test_a_charge_that_leaves_the_balance_at_zero_suspends(account, make_subaccount):
    sub = make_subaccount(account)
    ledger.funds_add(account=account, amount="1", actor=SYSTEM, reason="Funds")
    charge(sub, "1")
    account.refresh_from_db()
    sub.refresh_from_db()
    assert (account.status, account.status_source) == ("suspended", "balance")
    assert sub.status == "suspended"


def test_a_charge_suspends_even_when_the_balance_already_was_at_or_below_zero(account):
    ledger.funds_add(account=account, amount="1", actor=SYSTEM, reason="Funds")
    charge(account, "1.50")
    account.refresh_from_db()
    assert account.balance == Decimal("-0.50") and account.status == "suspended"
    # Support lets it run again without paying: the next charge suspends it again.
    account_services.account_status_set(
        account=account, status="active", actor=SYSTEM, source="support", reason="Grace"
    )
    account.refresh_from_db()
    assert account.status == "active"
    charge(account, "0.10")
    account.refresh_from_db()
    assert (account.status, account.status_source) == ("suspended", "balance")


def test_a_free_charge_does_not_suspend_a_new_account(account):
    charge(account, "0")
    account.refresh_from_db()
    assert account.status == "active"


def test_a_closed_subaccount_is_not_charged_for_usage_after_its_closure(account, make_subaccount):
    sub = make_subaccount(account)
    ledger.funds_add(account=account, amount="10", actor=SYSTEM, reason="Funds")
    account_services.account_close(account=sub, actor=SYSTEM, source="support")
    sub.refresh_from_db()
    with pytest.raises(errors.BillingError) as refusal:
        charge(sub, "1", end_date=today() + datetime.timedelta(days=1))
    assert refusal.value.message == errors.USAGE_AFTER_CLOSURE.format(
        name=sub.friendly_name, closed_on=today()
    )
    account.refresh_from_db()
    assert account.balance == Decimal("10")
    assert not UsageRecord.objects.filter(account=sub).exists()


def test_usage_from_before_the_closure_is_still_the_parents_to_pay(account, make_subaccount):
    sub = make_subaccount(account)
    ledger.funds_add(account=account, amount="10", actor=SYSTEM, reason="Funds")
    account_services.account_close(account=sub, actor=SYSTEM, source="support")
    charge(sub, "2", end_date=today())
    account.refresh_from_db()
    assert account.balance == Decimal("8")
    assert UsageDay.objects.get(account=account, family=True).price == Decimal("2")


def test_every_charge_is_in_the_daily_roll_up_of_its_account_and_family(account, make_subaccount):
    sub = make_subaccount(account)
    ledger.funds_add(account=account, amount="10", actor=SYSTEM, reason="Funds")
    charge(sub, "1.25")
    charge(sub, "0.75")
    charge(account, "2")
    own = UsageDay.objects.get(account=sub, family=False)
    family = UsageDay.objects.get(account=account, family=True)
    assert (own.price, own.count, own.day) == (Decimal("2"), Decimal("2"), today())
    assert family.price == Decimal("4") and family.main_account_id == account.pk
    assert not UsageDay.objects.filter(account=sub, family=True).exists()
    assert Account.objects.get(pk=account.pk).balance == Decimal("6")
