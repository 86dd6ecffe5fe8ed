"""check_ledger: every balance against the sum of its ledger entries."""

import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from accounts.models import Account
from accounts.services import ledger as ledger_services
from accounts.services.events import Actor


@pytest.mark.django_db
def test_check_ledger_reports_differences(account, user):
    ledger_services.funds_add(
        account=account, amount="5", actor=Actor.for_user(user), reason="Top-up"
    )
    out = io.StringIO()
    call_command("check_ledger", stdout=out)
    assert "Every balance matches" in out.getvalue()
    # Written behind the ledger's back on purpose: what the command exists to find.
    Account.objects.filter(pk=account.pk).update(balance=Decimal("7"))
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("check_ledger", stdout=out)
    assert f"{account.sid}: balance 7" in out.getvalue()
