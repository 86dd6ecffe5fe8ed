"""The ledger behind every balance: invariants, idempotency, suspension at zero, spend caps."""

from datetime import date
from decimal import Decimal

import pytest

from accounts import errors
from accounts.models import Account, LedgerEntry, UsageRecord
from accounts.selectors import ledger as ledger_selectors
from accounts.services import accounts as account_services
from accounts.services import ledger as ledger_services
from accounts.services import usage as usage_services
from accounts.services.events import Actor
from tests.history import status_changes


def refresh(account):
    account.refresh_from_db()
    return account


def usage(account, price, key=None, category="sms"):
    return usage_services.usage_record(
        account=account,
        category=category,
        quantity=10,
        price=price,
        start_date=date(2026, 11, 1),
        end_date=date(2026, 11, 30),
        idempotency_key=key,
        actor=Actor.system(),
    )


@pytest.mark.django_db
def test_every_change_is_an_entry_and_the_balance_is_their_sum(account, make_subaccount, user):
    sub = make_subaccount(account)
    ledger_services.funds_add(
        account=account, amount="20", actor=Actor.for_user(user), reason="Card payment"
    )
    usage(sub, "3.25")
    usage(account, "1.5")
    ledger_services.balance_adjust(
        account=account, amount="-0.25", actor=Actor.for_user(user), reason="Correction"
    )
    ledger_services.balance_adjust(
        account=account,
        amount="2",
        actor=Actor.for_user(user),
        reason="Goodwill",
        kind=LedgerEntry.Kind.REFUND,
    )
    assert refresh(account).balance == Decimal("17.00")
    entries = LedgerEntry.objects.filter(paying_account=account)
    assert sum(entry.amount for entry in entries) == account.balance
    assert entries.first().balance_after == account.balance
    # The subaccount's charge is paid by the parent but remembered as the subaccount's.
    sub_entry = entries.get(account=sub)
    assert sub_entry.paying_account == account and sub_entry.amount == Decimal("-3.25")
    assert ledger_selectors.ledger_differences() == []


@pytest.mark.django_db
def test_a_subaccount_reports_its_parents_balance(account, make_subaccount, user):
    sub = make_subaccount(account)
    ledger_services.funds_add(
        account=account, amount="5", actor=Actor.for_user(user), reason="Top-up"
    )
    assert refresh(sub).balance is None
    assert refresh(sub).shared_balance == Decimal("5")


@pytest.mark.django_db
def test_the_same_idempotency_key_charges_once(account, user):
    ledger_services.funds_add(
        account=account, amount="10", actor=Actor.for_user(user), reason="Top-up"
    )
    first = usage(account, "4", key="req-1")
    second = usage(account, "4", key="req-1")
    assert first.pk == second.pk
    assert refresh(account).balance == Decimal("6")
    assert UsageRecord.objects.count() == 1
    funds = ledger_services.funds_add(
        account=account, amount="1", actor=Actor.for_user(user), reason="x", idempotency_key="f"
    )
    again = ledger_services.funds_add(
        account=account, amount="1", actor=Actor.for_user(user), reason="x", idempotency_key="f"
    )
    assert funds.pk == again.pk and refresh(account).balance == Decimal("7")


@pytest.mark.django_db
def test_reaching_zero_suspends_the_family_and_funds_bring_back_exactly_those(
    account, make_subaccount, user
):
    on_its_own = make_subaccount(account, "Paused by owner")
    cascaded = make_subaccount(account, "Running")
    account_services.account_suspend(account=on_its_own, actor=Actor.for_user(user))
    ledger_services.funds_add(
        account=account, amount="5", actor=Actor.for_user(user), reason="Top-up"
    )
    usage(cascaded, "5")
    assert refresh(account).status == "suspended"
    assert account.status_source == "balance"
    assert refresh(cascaded).status == "suspended"
    assert (
        sum(c.new_status == "suspended" and c.source == "balance" for c in status_changes(account))
        == 1
    )
    # More charges (recurring ones continue) do not suspend it again.
    usage(cascaded, "1")
    assert sum(c.new_status == "suspended" for c in status_changes(account)) == 1
    assert refresh(account).balance == Decimal("-1")

    ledger_services.funds_add(
        account=account, amount="0.5", actor=Actor.for_user(user), reason="Not enough yet"
    )
    assert refresh(account).status == "suspended"
    ledger_services.funds_add(
        account=account, amount="10", actor=Actor.for_user(user), reason="Top-up"
    )
    assert refresh(account).status == "active"
    assert refresh(cascaded).status == "active"
    assert refresh(on_its_own).status == "suspended"  # suspended on its own: stays


@pytest.mark.django_db
def test_funds_do_not_lift_a_support_suspension(account, user):
    account_services.account_suspend(
        account=account, source="support", reason="Fraud review", actor=Actor.system()
    )
    ledger_services.funds_add(
        account=account, amount="10", actor=Actor.for_user(user), reason="Top-up"
    )
    assert refresh(account).status == "suspended"
    assert account.status_source == "support"


@pytest.mark.django_db
def test_a_subaccount_spend_cap_refuses_charges_past_it(account, make_subaccount, user):
    sub = make_subaccount(account, "Capped")
    sibling = make_subaccount(account, "Uncapped")
    Account.objects.filter(pk=sub.pk).update(monthly_spend_cap=Decimal("10"))
    sub.refresh_from_db()
    ledger_services.funds_add(
        account=account, amount="100", actor=Actor.for_user(user), reason="Top-up"
    )
    usage(sub, "6")
    usage(sub, "4")  # exactly at the cap is fine
    with pytest.raises(errors.BillingError) as refusal:
        usage(sub, "0.01")
    assert "monthly spend cap of $10.00" in refusal.value.message
    assert "Capped" in refusal.value.message
    usage(sibling, "50")  # the cap is the subaccount's own
    assert refresh(account).balance == Decimal("40")
    assert UsageRecord.objects.filter(account=sub).count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kind", "amount", "message"),
    [
        ("funds_added", "0", errors.AMOUNT_MUST_BE_POSITIVE),
        ("funds_added", "-5", errors.AMOUNT_MUST_BE_POSITIVE),
        ("refund", "-1", errors.AMOUNT_MUST_BE_POSITIVE),
        ("adjustment", "0", errors.AMOUNT_MUST_NOT_BE_ZERO),
        ("usage", "1", "cannot write usage entries by hand"),
    ],
)
def test_support_entries_are_checked(account, user, kind, amount, message):
    with pytest.raises(errors.BillingError) as refusal:
        ledger_services.entry_post(
            account=account, kind=kind, amount=amount, reason="r", actor=Actor.for_user(user)
        )
    assert message in refusal.value.message
    assert not LedgerEntry.objects.exists()


@pytest.mark.django_db
def test_support_entries_need_a_reason(account, user):
    with pytest.raises(errors.BillingError) as refusal:
        ledger_services.entry_post(
            account=account, kind="funds_added", amount="5", reason=" ", actor=Actor.for_user(user)
        )
    assert refusal.value.message == errors.REASON_REQUIRED


@pytest.mark.django_db
def test_a_closed_accounts_balance_cannot_change(account, user):
    account_services.account_close(account=account, actor=Actor.for_user(user))
    with pytest.raises(errors.BillingError):
        ledger_services.funds_add(
            account=account, amount="5", actor=Actor.for_user(user), reason="Too late"
        )


@pytest.mark.django_db
def test_ledger_differences_reports_a_tampered_balance(account, user):
    ledger_services.funds_add(
        account=account, amount="5", actor=Actor.for_user(user), reason="Top-up"
    )
    Account.objects.filter(pk=account.pk).update(balance=Decimal("50"))
    [(reported, balance, total)] = ledger_selectors.ledger_differences()
    assert reported.pk == account.pk and balance == Decimal("50") and total == Decimal("5")
