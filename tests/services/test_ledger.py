"""The ledger behind every balance: invariants, idempotency, suspension at zero, spend caps,
amounts it can hold exactly, and charges made at the same moment."""

from decimal import Decimal

import pytest

from accounts import errors
from accounts.models import Account, LedgerEntry, UsageRecord
from accounts.selectors import ledger as ledger_selectors
from accounts.services import accounts as account_services
from accounts.services import ledger as ledger_services
from accounts.services.events import Actor
from tests.factories import SubaccountFactory, UsageRecordFactory
from tests.history import status_changes
from tests.races import run_at_once, split

pytestmark = pytest.mark.django_db


def refresh(account):
    account.refresh_from_db()
    return account


@pytest.mark.django_db
def test_every_change_is_an_entry_and_the_balance_is_their_sum(account, make_subaccount, user):
    sub = make_subaccount(account)
    ledger_services.funds_add(
        account=account, amount="20", actor=Actor.for_user(user), reason="Card payment"
    )
    UsageRecordFactory(account=sub, price="3.25")
    UsageRecordFactory(account=account, price="1.5")
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
    first = UsageRecordFactory(account=account, price="4", idempotency_key="req-1")
    second = UsageRecordFactory(account=account, price="4", idempotency_key="req-1")
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
    UsageRecordFactory(account=cascaded, price="5")
    assert refresh(account).status == "suspended"
    assert account.status_source == "balance"
    assert refresh(cascaded).status == "suspended"
    assert (
        sum(c.new_status == "suspended" and c.source == "balance" for c in status_changes(account))
        == 1
    )
    # More charges (recurring ones continue) do not suspend it again.
    UsageRecordFactory(account=cascaded, price="1")
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
    UsageRecordFactory(account=sub, price="6")
    UsageRecordFactory(account=sub, price="4")  # exactly at the cap is fine
    with pytest.raises(errors.BillingError) as refusal:
        UsageRecordFactory(account=sub, price="0.01")
    assert "monthly spend cap of $10.00" in refusal.value.message
    assert "Capped" in refusal.value.message
    UsageRecordFactory(account=sibling, price="50")  # the cap is the subaccount's own
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


# Amounts the ledger can hold exactly.


@pytest.mark.parametrize("price", ["0.00005", "0.12345", "1E-7"])
def test_a_charge_finer_than_the_ledger_is_refused_and_moves_nothing(funded, price):
    with pytest.raises(errors.BillingError) as refusal:
        UsageRecordFactory(account=funded, price=Decimal(price))

    assert refusal.value.message == errors.AMOUNT_TOO_PRECISE
    funded.refresh_from_db()
    assert funded.balance == Decimal("20")
    assert ledger_selectors.ledger_differences() == []


def test_repeated_sub_cent_charges_cannot_leave_the_balance_behind_its_ledger(funded):
    for _ in range(3):
        with pytest.raises(errors.BillingError):
            UsageRecordFactory(account=funded, price=Decimal("0.00005"))
    # The same charges rounded by the caller to what the ledger holds are fine.
    for _ in range(3):
        UsageRecordFactory(account=funded, price=Decimal("0.0001"))

    funded.refresh_from_db()
    assert funded.balance == Decimal("19.9997")
    assert ledger_selectors.ledger_differences() == []


@pytest.mark.parametrize("amount", ["1e10", "12345678901.5", "1e309"])
def test_an_amount_too_large_for_the_ledger_is_refused(funded, user, amount):
    with pytest.raises(errors.BillingError) as refusal:
        ledger_services.funds_add(
            account=funded, amount=Decimal(amount), actor=Actor.for_user(user), reason="x"
        )

    assert refusal.value.message == errors.AMOUNT_TOO_LARGE
    funded.refresh_from_db()
    assert funded.balance == Decimal("20")


def test_a_charge_that_would_overflow_the_balance_is_refused(funded, user):
    ledger_services.funds_add(
        account=funded, amount=Decimal("9999999970"), actor=Actor.for_user(user), reason="x"
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
        UsageRecordFactory(account=funded, price=Decimal(price))
    assert not UsageRecord.objects.exists()


# Spend caps are read under the lock.


def test_a_charge_checks_the_spend_cap_set_since_the_caller_read_the_subaccount(
    funded, make_subaccount
):
    sub = make_subaccount(funded)
    read_before = Account.objects.get(pk=sub.pk)  # e.g. import_usage loads accounts up front
    ledger_services.spend_cap_set(subaccount=sub, cap=Decimal("1"), actor=Actor.system())

    with pytest.raises(errors.BillingError) as refusal:
        UsageRecordFactory(account=read_before, price=Decimal("5"))

    assert "spend cap" in refusal.value.message
    funded.refresh_from_db()
    assert funded.balance == Decimal("20")


def test_a_charge_is_not_refused_by_a_spend_cap_lifted_since_the_caller_read_it(
    funded, make_subaccount
):
    sub = make_subaccount(funded)
    ledger_services.spend_cap_set(subaccount=sub, cap=Decimal("1"), actor=Actor.system())
    read_before = Account.objects.get(pk=sub.pk)
    ledger_services.spend_cap_set(subaccount=sub, cap=None, actor=Actor.system())

    UsageRecordFactory(account=read_before, price=Decimal("5"))

    funded.refresh_from_db()
    assert funded.balance == Decimal("15")
    assert LedgerEntry.objects.filter(account=sub).count() == 1


# Concurrent charges (PostgreSQL).


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_50_parallel_charges_are_exact_and_suspend_once(postgres_only, make_account):
    parent = make_account()
    SubaccountFactory.bulk(parent, 50, name="Sub {n}")
    subaccounts = list(parent.subaccounts.all())
    ledger_services.funds_add(account=parent, amount="25", actor=Actor.system(), reason="Top-up")

    outcomes = run_at_once(
        *[lambda sub=sub: UsageRecordFactory(account=sub, price="1.01") for sub in subaccounts]
    )

    done, _refused = split(outcomes, errors.BillingError)
    assert len(done) == 50
    parent.refresh_from_db()
    assert parent.balance == Decimal("25") - 50 * Decimal("1.01")
    assert ledger_selectors.ledger_differences() == []
    # balance_after forms one unbroken chain: no two charges saw the same balance.
    afters = sorted(
        LedgerEntry.objects.filter(paying_account=parent, kind="usage").values_list(
            "balance_after", flat=True
        )
    )
    assert len(set(afters)) == 50
    assert parent.status == "suspended"
    assert (
        sum(c.new_status == "suspended" and c.source == "balance" for c in status_changes(parent))
        == 1
    )
    assert Account.objects.subaccounts_of(parent).filter(status="suspended").count() == 50


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_retried_charge_is_applied_once_even_in_parallel(postgres_only, make_account):
    parent = make_account()
    ledger_services.funds_add(account=parent, amount="10", actor=Actor.system(), reason="Top-up")
    outcomes = run_at_once(
        *[
            lambda: UsageRecordFactory(account=parent, price="2", idempotency_key="retry-me")
            for _ in range(10)
        ]
    )
    done, _ = split(outcomes, errors.BillingError)
    assert len({record.pk for record in done}) == 1
    parent.refresh_from_db()
    assert parent.balance == Decimal("8")
