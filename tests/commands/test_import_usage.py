"""import_usage never drops a row in silence: each is charged once, or refused by line."""

import csv
import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from accounts.models import UsageRecord
from accounts.selectors import ledger as ledger_selectors
from accounts.services import ledger
from accounts.services.events import Actor

pytestmark = pytest.mark.django_db

HEADER = "account_sid,category,quantity,price,start_date,end_date"


def run(path):
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_usage", str(path), stdout=out, stderr=err)
        failed = False
    except CommandError:
        failed = True
    return out.getvalue(), err.getvalue(), failed


def test_a_second_row_for_the_same_period_is_refused_naming_both_lines(tmp_path, account):
    ledger.funds_add(account=account, amount="10", actor=Actor.system(), reason="Top-up")
    path = tmp_path / "usage.csv"
    path.write_text(
        f"{HEADER}\n"
        f"{account.sid},sms,10,0.10,2026-11-01,2026-11-30\n"
        f"{account.sid},calls,5,0.50,2026-11-01,2026-11-30\n"
        f"{account.sid},sms,3,0.03,2026-11-01,2026-11-30\n"
    )
    out, err, failed = run(path)
    assert failed
    assert "Imported 2 usage record(s); 0 already imported (skipped); 1 refused." in out
    assert "line 4: the same account, category and period as line 2" in err
    assert UsageRecord.objects.count() == 2
    account.refresh_from_db()
    assert account.balance == Decimal("9.40")


def test_rows_with_their_own_keys_are_each_charged(tmp_path, account):
    ledger.funds_add(account=account, amount="10", actor=Actor.system(), reason="Top-up")
    path = tmp_path / "usage.csv"
    path.write_text(
        f"{HEADER},count,idempotency_key\n"
        f"{account.sid},sms,10,0.10,2026-11-01,2026-11-30,10,batch-1\n"
        f"{account.sid},sms,3,0.03,2026-11-01,2026-11-30,3,batch-2\n"
        f"{account.sid},sms,3,0.03,2026-11-01,2026-11-30,3,batch-2\n"
    )
    out, err, failed = run(path)
    assert failed and "line 4: the same idempotency_key as line 3" in err
    assert "Imported 2 usage record(s)" in out
    assert UsageRecord.objects.count() == 2


def test_a_re_import_is_reported_not_charged(tmp_path, account):
    ledger.funds_add(account=account, amount="10", actor=Actor.system(), reason="Top-up")
    path = tmp_path / "usage.csv"
    path.write_text(f"{HEADER}\n{account.sid},mms,2,0.20,2026-11-01,2026-11-30\n")
    run(path)
    out, _, failed = run(path)
    assert not failed
    assert "Imported 0 usage record(s); 1 already imported (skipped); 0 refused." in out
    assert UsageRecord.objects.get().count == 2


@pytest.mark.django_db
def test_import_usage_charges_once_per_row_even_when_imported_twice(
    tmp_path, account, make_subaccount, user
):
    sub = make_subaccount(account)
    ledger.funds_add(account=account, amount="100", actor=Actor.for_user(user), reason="Top-up")
    path = tmp_path / "usage.csv"
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["account_sid", "category", "quantity", "price", "start_date", "end_date"])
        writer.writerow([sub.sid, "sms", "120", "0.9480", "2026-11-01", "2026-11-30"])
        writer.writerow([account.sid, "calls", "35", "4.20", "2026-11-01", "2026-11-30"])
    call_command("import_usage", str(path), stdout=io.StringIO())
    again = io.StringIO()
    call_command("import_usage", str(path), stdout=again)
    assert "Imported 0 usage record(s); 2 already imported (skipped)" in again.getvalue()
    assert UsageRecord.objects.count() == 2
    account.refresh_from_db()
    assert account.balance == Decimal("100") - Decimal("0.948") - Decimal("4.2")
    assert ledger_selectors.ledger_differences() == []


@pytest.mark.django_db
def test_import_usage_reports_bad_rows_and_keeps_good_ones(tmp_path, account, user):
    ledger.funds_add(account=account, amount="10", actor=Actor.for_user(user), reason="Top-up")
    path = tmp_path / "usage.csv"
    path.write_text(
        "account_sid,category,quantity,price,start_date,end_date\n"
        f"{account.sid},sms,1,0.01,2026-11-01,2026-11-01\n"
        "AC00000000000000000000000000000000,sms,1,0.01,2026-11-01,2026-11-01\n"
        f"{account.sid},teleport,1,0.01,2026-11-01,2026-11-01\n"
        f"{account.sid},sms,1,abc,2026-11-01,2026-11-01\n"
    )
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_usage", str(path), stdout=io.StringIO(), stderr=err)
    assert "line 3" in err.getvalue() and "line 4" in err.getvalue() and "line 5" in err.getvalue()
    assert UsageRecord.objects.count() == 1


@pytest.mark.django_db
def test_import_usage_needs_the_columns(tmp_path):
    path = tmp_path / "usage.csv"
    path.write_text("sid,price\n")
    with pytest.raises(CommandError, match="Missing column"):
        call_command("import_usage", str(path), stdout=io.StringIO())


@pytest.mark.django_db
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
    assert funded.balance == Decimal("19.75")
    assert ledger_selectors.ledger_differences() == []
