"""Audit: money stays exact. Every amount fits the ledger's columns (4 decimal places, 14
digits), a charge checks the spend cap as it is now (not as the caller last read it), and the
usage CSV cannot carry spreadsheet formulas from a subaccount's name to whoever opens it."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from accounts import errors
from accounts.models import Account, LedgerEntry, UsageRecord
from accounts.selectors import ledger as ledger_selectors
from accounts.services import accounts as account_services
from accounts.services import ledger as ledger_services
from accounts.services import usage as usage_services
from accounts.services.events import Actor
from tests.usage_time import charging_on

pytestmark = pytest.mark.django_db

DAY = date(2026, 11, 1)


@pytest.fixture
def funded(account, user):
    ledger_services.funds_add(
        account=account, amount="10", actor=Actor.for_user(user), reason="Top-up"
    )
    return account


def charge(account, price, **extra):
    with charging_on(DAY):  # usage counts on the day it is charged
        return usage_services.usage_record(
            account=account,
            category="calls",
            quantity=1,
            price=price,
            start_date=DAY,
            end_date=DAY,
            **extra,
            actor=Actor.system(),
        )


# --- Amounts the ledger can hold exactly ----------------------------------------------------


@pytest.mark.parametrize("price", ["0.00005", "0.12345", "1E-7"])
def test_a_charge_finer_than_the_ledger_is_refused_and_moves_nothing(funded, price):
    with pytest.raises(errors.BillingError) as refusal:
        charge(funded, Decimal(price))

    assert refusal.value.message == errors.AMOUNT_TOO_PRECISE
    funded.refresh_from_db()
    assert funded.balance == Decimal("10")
    assert ledger_selectors.ledger_differences() == []


def test_repeated_sub_cent_charges_cannot_leave_the_balance_behind_its_ledger(funded):
    for _ in range(3):
        with pytest.raises(errors.BillingError):
            charge(funded, Decimal("0.00005"))
    # The same charges rounded by the caller to what the ledger holds are fine.
    for _ in range(3):
        charge(funded, Decimal("0.0001"))

    funded.refresh_from_db()
    assert funded.balance == Decimal("9.9997")
    assert ledger_selectors.ledger_differences() == []


@pytest.mark.parametrize("amount", ["1e10", "12345678901.5", "1e309"])
def test_an_amount_too_large_for_the_ledger_is_refused(funded, user, amount):
    with pytest.raises(errors.BillingError) as refusal:
        ledger_services.funds_add(
            account=funded, amount=Decimal(amount), actor=Actor.for_user(user), reason="x"
        )

    assert refusal.value.message == errors.AMOUNT_TOO_LARGE
    funded.refresh_from_db()
    assert funded.balance == Decimal("10")


def test_a_charge_that_would_overflow_the_balance_is_refused(funded, user):
    ledger_services.funds_add(
        account=funded, amount=Decimal("9999999980"), actor=Actor.for_user(user), reason="x"
    )

    with pytest.raises(errors.BillingError) as refusal:
        ledger_services.funds_add(
            account=funded, amount=Decimal("20"), actor=Actor.for_user(user), reason="x"
        )

    assert refusal.value.message == errors.AMOUNT_TOO_LARGE
    assert ledger_selectors.ledger_differences() == []


@pytest.mark.parametrize("price", ["NaN", "sNaN", "Infinity", "-Infinity"])
def test_a_price_that_is_not_a_number_is_a_clear_refusal(funded, price):
    with pytest.raises(errors.BillingError):
        charge(funded, Decimal(price))
    assert not UsageRecord.objects.exists()


def test_import_usage_refuses_rows_the_ledger_cannot_hold_and_keeps_the_rest(tmp_path, funded):
    path = tmp_path / "usage.csv"
    path.write_text(
        "account_sid,category,quantity,price,start_date,end_date,idempotency_key\n"
        f"{funded.sid},sms,1,0.00005,2026-11-01,2026-11-01,a\n"
        f"{funded.sid},sms,1,1e12,2026-11-01,2026-11-01,b\n"
        f"{funded.sid},sms,1e20,1,2026-11-01,2026-11-01,c\n"
        f"{funded.sid},sms,1,0.25,2026-11-01,2026-11-01,d\n"
    )
    err = io.StringIO()

    with pytest.raises(CommandError):
        call_command("import_usage", str(path), stdout=io.StringIO(), stderr=err)

    assert all(f"line {n}" in err.getvalue() for n in (2, 3, 4))
    assert UsageRecord.objects.count() == 1
    funded.refresh_from_db()
    assert funded.balance == Decimal("9.75")
    assert ledger_selectors.ledger_differences() == []


# --- Spend caps are read under the lock -------------------------------------------------------


def test_a_charge_checks_the_spend_cap_set_since_the_caller_read_the_subaccount(
    funded, make_subaccount
):
    sub = make_subaccount(funded)
    read_before = Account.objects.get(pk=sub.pk)  # e.g. import_usage loads accounts up front
    ledger_services.spend_cap_set(subaccount=sub, cap=Decimal("1"), actor=Actor.system())

    with pytest.raises(errors.BillingError) as refusal:
        charge(read_before, Decimal("5"))

    assert "spend cap" in refusal.value.message
    funded.refresh_from_db()
    assert funded.balance == Decimal("10")


def test_a_charge_is_not_refused_by_a_spend_cap_lifted_since_the_caller_read_it(
    funded, make_subaccount
):
    sub = make_subaccount(funded)
    ledger_services.spend_cap_set(subaccount=sub, cap=Decimal("1"), actor=Actor.system())
    read_before = Account.objects.get(pk=sub.pk)
    ledger_services.spend_cap_set(subaccount=sub, cap=None, actor=Actor.system())

    charge(read_before, Decimal("5"))

    funded.refresh_from_db()
    assert funded.balance == Decimal("5")
    assert LedgerEntry.objects.filter(account=sub).count() == 1


# --- The usage CSV ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)"])
def test_usage_csv_does_not_export_a_subaccount_name_as_a_formula(
    client, user, funded, make_subaccount, name
):
    sub = make_subaccount(funded)
    account_services.account_rename(
        account=sub, friendly_name=name, actor=Actor.system()
    )  # e.g. with its own API credentials
    charge(sub, Decimal("1"))
    client.force_login(user)

    response = client.get(
        reverse("console:usage", args=[funded.sid]),
        {"start": "2026-11-01", "end": "2026-11-30", "format": "csv"},
    )

    rows = list(csv.reader(io.StringIO(response.content.decode())))
    (row,) = [r for r in rows if r[0] == sub.sid]
    assert row[1] == "'" + name
    assert row[3:] == ["1.0000", "1.0000"]


def test_usage_csv_keeps_ordinary_names_as_they_are(client, user, funded, make_subaccount):
    sub = make_subaccount(funded, friendly_name="Customer 42")
    charge(sub, Decimal("1"))
    client = Client()
    client.force_login(user)

    response = client.get(
        reverse("console:usage", args=[funded.sid]),
        {"start": "2026-11-01", "end": "2026-11-30", "format": "csv"},
    )

    assert f"{sub.sid},Customer 42,calls,1.0000,1.0000" in response.content.decode()
