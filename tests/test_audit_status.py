"""Audit: a suspension by support holds until support lifts it, even when the account was
already suspended for another reason (its balance, its owner) when support suspended it."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts import billing, errors, services
from accounts.models import Account, AccountStatusEvent

pytestmark = pytest.mark.django_db

Source = AccountStatusEvent.Source


def run_out_of_funds(account, user):
    billing.funds_add(account=account, amount="5", actor=user, reason="Top-up")
    billing.usage_record(
        account=account,
        category="calls",
        quantity=1,
        price=Decimal("5"),
        start_date=date(2026, 11, 1),
        end_date=date(2026, 11, 1),
    )
    account.refresh_from_db()
    assert account.status == "suspended" and account.status_source == Source.BALANCE


def test_support_suspends_an_account_already_suspended_for_its_balance_and_funds_do_not_lift_it(
    account, user
):
    run_out_of_funds(account, user)

    services.account_suspend(account=account, source=Source.SUPPORT, reason="Fraud review")
    billing.funds_add(account=account, amount="10", actor=user, reason="Top-up")

    account.refresh_from_db()
    assert account.status == "suspended" and account.status_source == Source.SUPPORT
    event = account.status_events.first()
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
    billing.funds_add(account=account, amount="10", actor=user, reason="Top-up")

    account.refresh_from_db()
    assert account.status == "suspended" and account.status_source == Source.SUPPORT


def test_support_suspends_a_subaccount_its_owner_had_suspended_and_the_owner_cannot_lift_it(
    account, make_subaccount, user
):
    sub = make_subaccount(account)
    services.account_suspend(account=sub, acting_user=user)

    services.account_suspend(account=sub, source=Source.SUPPORT, reason="Abuse report")

    with pytest.raises(errors.SuspendedBySupport):
        services.account_reactivate(account=sub, acting_user=user)
    sub.refresh_from_db()
    assert sub.status == "suspended" and sub.status_source == Source.SUPPORT


def test_support_lifts_its_own_suspension_and_the_cascade_comes_back(
    account, make_subaccount, user
):
    sub = make_subaccount(account)
    run_out_of_funds(account, user)
    services.account_suspend(account=account, source=Source.SUPPORT, reason="Review")
    billing.funds_add(account=account, amount="10", actor=user, reason="Top-up")

    services.account_reactivate(account=account, source=Source.SUPPORT, reason="Cleared")

    account.refresh_from_db()
    sub.refresh_from_db()
    assert account.status == sub.status == Account.Status.ACTIVE


def test_suspending_again_from_the_same_side_records_nothing(account, make_subaccount, user):
    sub = make_subaccount(account)
    services.account_suspend(account=sub, acting_user=user)
    before = sub.status_events.count()

    services.account_suspend(account=sub, acting_user=user)

    assert sub.status_events.count() == before


def test_support_reactivating_an_active_account_changes_nothing(account):
    before = account.status_events.count()

    services.account_reactivate(account=account, source=Source.SUPPORT, reason="Check")

    account.refresh_from_db()
    assert account.status == "active" and account.status_source == ""
    assert account.status_events.count() == before
