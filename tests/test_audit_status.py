"""Audit: a suspension by support holds until support lifts it, even when the account was
already suspended for another reason (its balance, its owner) when support suspended it."""

import pytest
from django.urls import reverse

from accounts.models import Account
from accounts.services import ledger as ledger_services
from accounts.services.events import Actor
from tests.factories import UsageRecordFactory

pytestmark = pytest.mark.django_db

Source = Account.StatusSource


def test_the_admin_action_on_a_balance_suspended_account_holds(admin_client, account, user):
    ledger_services.funds_add(account=account, amount="5", actor=Actor.system(), reason="Top-up")
    UsageRecordFactory(account=account, price="5")  # the balance runs out: suspended
    account.refresh_from_db()
    assert account.status == "suspended" and account.status_source == Source.BALANCE

    admin_client.post(
        reverse("admin:accounts_account_changelist"),
        {
            "action": "suspend_accounts",
            "_selected_action": [account.pk],
            "apply": "1",
            "reason": "Chargeback",
        },
    )
    ledger_services.funds_add(
        account=account, amount="10", actor=Actor.for_user(user), reason="Top-up"
    )

    account.refresh_from_db()
    assert account.status == "suspended" and account.status_source == Source.SUPPORT
