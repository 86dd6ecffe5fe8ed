"""import_usage never drops a row in silence: each is charged once, or refused by line."""

import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from accounts.models import UsageRecord
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
