"""Ledger reads: which balances differ from the sum of their ledger entries."""

from decimal import Decimal

import pytest

from accounts.models import Account
from accounts.selectors import ledger as ledger_selectors
from accounts.services import ledger as ledger_services
from accounts.services.events import Actor

pytestmark = pytest.mark.django_db


def test_ledger_differences_reports_a_tampered_balance(account, user):
    ledger_services.funds_add(
        account=account, amount="5", actor=Actor.for_user(user), reason="Top-up"
    )
    # Written behind the ledger's back on purpose: what the check exists to find.
    Account.objects.filter(pk=account.pk).update(balance=Decimal("50"))
    [(reported, balance, total)] = ledger_selectors.ledger_differences()
    assert reported.pk == account.pk and balance == Decimal("50") and total == Decimal("5")
