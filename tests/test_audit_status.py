"""Audit: a suspension by support holds until support lifts it, even when the account was
already suspended for another reason (its balance, its owner) when support suspended it."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts import errors
from accounts.models import Account
from accounts.services import accounts as account_services
from accounts.services import ledger as ledger_services
from accounts.services import usage as usage_services
from accounts.services.events import Actor
from tests.history import status_changes

pytestmark = pytest.mark.django_db

Source = Account.StatusSource


def run_out_of_funds(account, user):
    ledger_services.funds_add(
        account=account, amount="5", actor=Actor.for_user(user), reason="Top-up"
    )
    usage_services.usage_record(
        account=account,
        category="calls",
        quantity=1,
        price=Decimal("5"),
        start_date=date(2026, 11, 1),
        end_date=date(2026, 11, 1),
        actor=Actor.system(),
    )
    account.refresh_from_db()
    assert account.status == "suspended" and account.status_source == Source.BALANCE


def test_support_suspends_an_account_already_suspended_for_its_balance_and_funds_do_not_lift_it(
    account, user
):
    run_out_of_funds(account, user)

    account_services.account_suspend(
        account=account, source=Source.SUPPORT, reason="Fraud review", actor=Actor.system()
    )
    ledger_services.funds_add(
        account=account, amount="10", actor=Actor.for_user(user), reason="Top-up"
    )

    account.refresh_from_db()
    assert account.status == "suspended" and account.status_source == Source.SUPPORT
    event = status_changes(account)[0]
    assert (event.source, event.reason) == (Source.SUPPORT, "Fraud review")


def test_the_admin_action_on_a_balance_suspended_account_holds(admin_client, account, user):
    run_out_of_funds(account, user)

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


def test_support_suspends_a_subaccount_its_owner_had_suspended_and_the_owner_cannot_lift_it(
    account, make_subaccount, user
):
    sub = make_subaccount(account)
    account_services.account_suspend(account=sub, actor=Actor.for_user(user))

    account_services.account_suspend(
        account=sub, source=Source.SUPPORT, reason="Abuse report", actor=Actor.system()
    )

    with pytest.raises(errors.SuspendedBySupport):
        account_services.account_reactivate(account=sub, actor=Actor.for_user(user))
    sub.refresh_from_db()
    assert sub.status == "suspended" and sub.status_source == Source.SUPPORT


def test_support_lifts_its_own_suspension_and_the_cascade_comes_back(
    account, make_subaccount, user
):
    sub = make_subaccount(account)
    run_out_of_funds(account, user)
    account_services.account_suspend(
        account=account, source=Source.SUPPORT, reason="Review", actor=Actor.system()
    )
    ledger_services.funds_add(
        account=account, amount="10", actor=Actor.for_user(user), reason="Top-up"
    )

    account_services.account_reactivate(
        account=account, source=Source.SUPPORT, reason="Cleared", actor=Actor.system()
    )

    account.refresh_from_db()
    sub.refresh_from_db()
    assert account.status == sub.status == Account.Status.ACTIVE


def test_suspending_again_from_the_same_side_records_nothing(account, make_subaccount, user):
    sub = make_subaccount(account)
    account_services.account_suspend(account=sub, actor=Actor.for_user(user))
    before = len(status_changes(sub))

    account_services.account_suspend(account=sub, actor=Actor.for_user(user))

    assert len(status_changes(sub)) == before


def test_support_reactivating_an_active_account_changes_nothing(account):
    before = len(status_changes(account))

    account_services.account_reactivate(
        account=account, source=Source.SUPPORT, reason="Check", actor=Actor.system()
    )

    account.refresh_from_db()
    assert account.status == "active" and account.status_source == ""
    assert len(status_changes(account)) == before
