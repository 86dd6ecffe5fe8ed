"""The monthly usage roll-up (`UsageMonth`) that the Usage page ranks a month's accounts by:
kept with every charge, rename and deletion, equal to the daily rows, counting the accounts
with usage in the family's row, and exact under concurrent charges (PostgreSQL)."""

import datetime
import importlib
import io
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.utils import timezone

from accounts import errors
from accounts.models import UsageMonth
from accounts.models.usage import TOTAL_PRICE
from accounts.selectors.usage import usage_month_differences
from accounts.services import accounts as account_services
from accounts.services import deletion as deletion_services
from accounts.services import ledger as ledger_services
from accounts.services import transfers as transfer_services
from accounts.services import usage as usage_services
from accounts.services.events import Actor
from tests.factories import SubaccountFactory, UsageRecordFactory
from tests.races import run_at_once, split
from tests.usage_time import charging_on

backfill_migration = importlib.import_module("accounts.migrations.0013_usage_month")
SYSTEM = Actor.system()
NOV, DEC = datetime.date(2026, 11, 1), datetime.date(2026, 12, 1)


def charge(account, category, price, day):
    with charging_on(day):
        return usage_services.usage_record(
            account=account,
            category=category,
            quantity=1,
            price=price,
            start_date=day,
            end_date=day,
            actor=SYSTEM,
        )


def family_row(main, month):
    return UsageMonth.objects.get(account=main, family=True, category=TOTAL_PRICE, month=month)


def own_total(account, month):
    return UsageMonth.objects.get(account=account, family=False, category=TOTAL_PRICE, month=month)


@pytest.fixture
def charged(account, make_subaccount):
    """Acme and two subaccounts, charged in November (on three days) and December."""
    ledger_services.funds_add(account=account, amount="100", actor=SYSTEM, reason="test")
    alpha, beta = make_subaccount(account, "Alpha"), make_subaccount(account, "Beta")
    charge(account, "calls", "1.25", NOV)
    charge(alpha, "sms", "0.50", NOV)
    charge(alpha, "sms", "0.25", NOV + datetime.timedelta(days=9))
    charge(alpha, "calls", "2", NOV + datetime.timedelta(days=29))
    charge(beta, "mms", "0.10", DEC)
    return account, alpha, beta


@pytest.mark.django_db
def test_each_charge_adds_to_its_accounts_month_and_its_familys(charged):
    account, alpha, beta = charged
    sms = UsageMonth.objects.get(account=alpha, family=False, category="sms", month=NOV)
    assert (sms.count, sms.usage, sms.price) == (2, 2, Decimal("0.75"))
    assert own_total(alpha, NOV).price == Decimal("2.75")
    assert own_total(alpha, NOV).name == "Alpha" and not own_total(alpha, NOV).is_main
    assert own_total(account, NOV).is_main
    # Two accounts used something in November, one in December.
    assert (family_row(account, NOV).accounts, family_row(account, NOV).price) == (
        2,
        Decimal("4"),
    )
    assert (family_row(account, DEC).accounts, family_row(account, DEC).price) == (
        1,
        Decimal("0.10"),
    )
    assert usage_month_differences() == []


@pytest.mark.django_db
def test_a_rename_and_a_deletion_keep_the_rollup_equal_to_the_daily_rows(charged):
    account, alpha, beta = charged
    account_services.account_rename(account=alpha, friendly_name="Zulu", actor=SYSTEM)
    assert own_total(alpha, NOV).name == "Zulu"
    transfer_services.account_close(account=beta, actor=SYSTEM)
    beta.refresh_from_db()
    deletion_services.subaccount_delete(subaccount=beta, actor=SYSTEM)
    kept = UsageMonth.objects.get(account=None, incurred_by_sid=beta.sid, category=TOTAL_PRICE)
    assert (kept.incurred_by_name, kept.price) == ("Beta", Decimal("0.10"))
    # A deleted subaccount's usage still counts in its family's month.
    assert family_row(account, DEC).accounts == 1
    assert usage_month_differences() == []
    out = io.StringIO()
    call_command("check_ledger", stdout=out)
    assert "The monthly usage roll-up matches the daily one." in out.getvalue()


@pytest.mark.django_db
def test_check_ledger_reports_a_month_that_differs_from_its_days(charged):
    _account, alpha, _beta = charged
    # Written behind the services' back on purpose: what the command exists to find.
    UsageMonth.objects.filter(account=alpha, category="sms", month=NOV).update(price=9)
    out = io.StringIO()
    with pytest.raises(CommandError, match="1 monthly usage row"):
        call_command("check_ledger", stdout=out)
    assert f"account {alpha.pk}, sms, 2026-11" in out.getvalue()


@pytest.mark.django_db
def test_the_migration_fills_the_rollup_from_the_daily_rows(charged):
    account, alpha, beta = charged
    transfer_services.account_close(account=beta, actor=SYSTEM)
    beta.refresh_from_db()
    deletion_services.subaccount_delete(subaccount=beta, actor=SYSTEM)
    kept = {row.pop("id") and tuple(sorted(row.items())) for row in UsageMonth.objects.values()}
    UsageMonth.objects.all().delete()
    backfill_migration.backfill(apps, None)
    assert usage_month_differences() == []
    assert {
        row.pop("id") and tuple(sorted(row.items())) for row in UsageMonth.objects.values()
    } == kept


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_charges_for_different_subaccounts_all_land_in_the_month(
    postgres_only, make_account
):
    parent = make_account()
    ledger_services.funds_add(account=parent, amount="100", actor=SYSTEM, reason="test")
    SubaccountFactory.bulk(parent, 8, name="Sub {n}")
    subaccounts = list(parent.subaccounts.order_by("pk"))
    # Each subaccount's first usage of the month: every charge creates its account's rows
    # and moves the family's row (its total and its count) at once. Charged today (moving
    # the clock is not thread-safe).
    month = timezone.now().astimezone(datetime.UTC).date().replace(day=1)
    outcomes = run_at_once(
        *[lambda sub=sub: UsageRecordFactory(account=sub, price="1.01") for sub in subaccounts]
    )
    done, _ = split(outcomes, errors.BillingError)
    assert len(done) == 8
    row = family_row(parent, month)
    assert (row.accounts, row.price) == (8, 8 * Decimal("1.01"))
    assert UsageMonth.objects.filter(family=False, category=TOTAL_PRICE, month=month).count() == 8
    assert usage_month_differences() == []
