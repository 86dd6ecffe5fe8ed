"""Subaccounts with their own balance and transfers with their parent: the one-way choice,
charges on the subaccount's own balance, transfers both ways under one idempotency key,
refusals, reversals in both ledgers, closing (the balance goes back to the parent), and
parallel transfers and charges that leave every balance equal to its ledger (PostgreSQL)."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from accounts import errors
from accounts.models import Account, BalanceTransfer, LedgerEntry
from accounts.selectors.ledger import ledger_differences, spent_this_month
from accounts.services import accounts as account_services
from accounts.services import ledger as ledger_services
from accounts.services import transfers as transfer_services
from accounts.services.events import Actor
from tests.factories import UsageRecordFactory
from tests.history import status_changes
from tests.races import run_at_once, split

pytestmark = pytest.mark.django_db
SYSTEM = Actor.system()


def refresh(*accounts):
    for account in accounts:
        account.refresh_from_db()
    return accounts[0]


def transfer(source, target, amount, **options):
    return transfer_services.balance_transfer(
        source=source, target=target, amount=amount, actor=SYSTEM, **options
    )


@pytest.fixture
def own(funded, make_subaccount):
    """`funded` ($20) and a subaccount with its own balance ($0): (main, sub)."""
    return funded, make_subaccount(funded, "Own", own_balance=True)


# The choice of balance.


def test_a_subaccount_shares_its_parents_balance_by_default(funded, make_subaccount):
    sub = make_subaccount(funded)
    assert (sub.own_balance, sub.balance, sub.shared_balance) == (False, None, Decimal("20"))


def test_a_subaccount_created_with_its_own_balance_starts_at_zero(own):
    main, sub = own
    assert (sub.own_balance, sub.balance, sub.shared_balance) == (True, 0, 0)
    assert sub.paying_account == sub


def test_a_shared_balance_becomes_its_own_once_and_for_good(funded, make_subaccount):
    sub = make_subaccount(funded)
    ledger_services.spend_cap_set(subaccount=sub, cap=Decimal("5"), actor=SYSTEM)

    transfer_services.subaccount_balance_separate(subaccount=sub, actor=SYSTEM)

    refresh(sub)
    assert (sub.own_balance, sub.balance, sub.monthly_spend_cap) == (True, 0, None)
    with pytest.raises(errors.TransferError) as refusal:
        transfer_services.subaccount_balance_separate(subaccount=sub, actor=SYSTEM)
    assert refusal.value.message == errors.OWN_BALANCE_ALREADY


def test_only_an_open_subaccount_gets_its_own_balance(funded, make_subaccount):
    with pytest.raises(errors.TransferError):
        transfer_services.subaccount_balance_separate(subaccount=funded, actor=SYSTEM)
    sub = make_subaccount(funded)
    account_services.account_close(account=sub, actor=SYSTEM)
    with pytest.raises(errors.AccountClosed):
        transfer_services.subaccount_balance_separate(subaccount=sub, actor=SYSTEM)


def test_the_database_holds_a_balance_exactly_where_money_is(own):
    main, sub = own
    for values in ({"balance": None}, {"own_balance": False}):
        with pytest.raises(IntegrityError), transaction.atomic():
            Account.objects.filter(pk=sub.pk).update(**values)


# Charges on an own balance.


def test_charges_move_the_subaccounts_own_balance_not_its_parents(own):
    main, sub = own
    transfer(main, sub, "10")

    UsageRecordFactory(account=sub, price="3")

    refresh(main, sub)
    assert (main.balance, sub.balance) == (Decimal("10"), Decimal("7"))
    entry = LedgerEntry.objects.get(kind="usage")
    assert entry.paying_account == sub and entry.account == sub
    assert ledger_differences() == []


def test_a_spend_cap_is_for_shared_balances(own):
    _main, sub = own
    with pytest.raises(errors.BillingError) as refusal:
        ledger_services.spend_cap_set(subaccount=sub, cap=Decimal("5"), actor=SYSTEM)
    assert refusal.value.message == errors.SPEND_CAP_SHARED_BALANCE_ONLY


def test_an_own_balance_at_zero_suspends_the_subaccount_only(own):
    main, sub = own
    transfer(main, sub, "2")

    UsageRecordFactory(account=sub, price="2")

    refresh(main, sub)
    assert (sub.status, sub.status_source) == ("suspended", "balance")
    assert main.status == "active" and main.balance == Decimal("18")
    # A transfer brings it back.
    transfer(main, sub, "5")
    assert refresh(sub).status == "active"


def test_an_own_balance_refilled_while_the_parent_is_suspended_comes_back_with_it(own):
    main, sub = own
    transfer(main, sub, "1")
    UsageRecordFactory(account=sub, price="1")  # sub: suspended for its balance
    account_services.account_suspend(account=main, actor=SYSTEM, source="support")
    ledger_services.entry_post(
        account=sub, kind="funds_added", amount="3", reason="Support credit", actor=SYSTEM
    )
    assert refresh(sub).status == "suspended"  # its parent is

    account_services.account_reactivate(account=main, actor=SYSTEM, source="support")

    assert refresh(sub).status == "active"


# Transfers.


def test_a_transfer_is_a_debit_and_a_credit_under_one_key(own):
    main, sub = own

    done = transfer(main, sub, "7.50", reason="May budget", idempotency_key="req-1")

    refresh(main, sub)
    assert (main.balance, sub.balance) == (Decimal("12.50"), Decimal("7.50"))
    assert done.direction == "to_subaccount" and done.amount == Decimal("7.50")
    debit, credit = done.debit_entry, done.credit_entry
    assert (debit.paying_account, debit.amount, debit.kind) == (main, Decimal("-7.50"), "transfer")
    assert (credit.paying_account, credit.amount) == (sub, Decimal("7.50"))
    assert debit.idempotency_key == credit.idempotency_key == "transfer-req-1"
    assert "May budget" in debit.description and "Own" in debit.description
    assert ledger_differences() == []


def test_a_retried_transfer_moves_money_once(own):
    main, sub = own
    first = transfer(main, sub, "5", idempotency_key="req-1")
    again = transfer(main, sub, "5", idempotency_key="req-1")

    assert first.pk == again.pk
    assert refresh(sub).balance == Decimal("5")
    assert BalanceTransfer.objects.count() == 1


def test_money_goes_back_to_the_parent(own):
    main, sub = own
    transfer(main, sub, "5")

    back = transfer(sub, main, "2")

    refresh(main, sub)
    assert back.direction == "to_parent"
    assert (main.balance, sub.balance) == (Decimal("17"), Decimal("3"))


def test_a_transfer_that_leaves_the_source_at_zero_does_not_suspend_it(own):
    main, sub = own
    transfer(main, sub, "5")
    transfer(sub, main, "5")

    refresh(sub)
    assert (sub.balance, sub.status) == (0, "active")


def test_the_source_must_be_able_to_pay(own):
    main, sub = own
    with pytest.raises(errors.TransferError) as refusal:
        transfer(main, sub, "20.01")
    assert refusal.value.message == errors.TRANSFER_CANNOT_PAY.format(
        name=main.friendly_name, balance="20.00", amount="20.01"
    )
    with pytest.raises(errors.TransferError):
        transfer(sub, main, "1")
    refresh(main, sub)
    assert (main.balance, sub.balance) == (Decimal("20"), 0)
    assert not LedgerEntry.objects.filter(kind="transfer").exists()


@pytest.mark.parametrize("amount", ["0", "-5", "0.00001"])
def test_a_transfer_needs_an_amount(own, amount):
    main, sub = own
    with pytest.raises(errors.BillingError):
        transfer(main, sub, amount)


def test_transfers_stay_within_a_family_and_need_an_own_balance(own, make_subaccount, make_account):
    main, sub = own
    sibling = make_subaccount(main, "Sibling", own_balance=True)
    shared = make_subaccount(main, "Shared")
    stranger = make_account()
    for source, target in [(sub, sibling), (main, stranger), (stranger, sub)]:
        with pytest.raises(errors.TransferError) as refusal:
            transfer(source, target, "1")
        assert refusal.value.message == errors.TRANSFER_NOT_IN_FAMILY
    with pytest.raises(errors.TransferError) as refusal:
        transfer(main, shared, "1")
    assert refusal.value.message == errors.TRANSFER_NEEDS_OWN_BALANCE.format(name="Shared")


def test_no_transfer_from_a_suspended_account_or_to_a_closed_one(own, make_subaccount):
    main, sub = own
    account_services.account_suspend(account=sub, actor=SYSTEM)
    transfer(main, sub, "5")  # to a suspended one: fine, it may need the money
    with pytest.raises(errors.TransferError) as refusal:
        transfer(sub, main, "1")
    assert refusal.value.message == errors.TRANSFER_SOURCE_NOT_ACTIVE.format(
        name="Own", status="suspended"
    )
    gone = make_subaccount(main, "Gone", own_balance=True)
    account_services.account_close(account=gone, actor=SYSTEM)
    with pytest.raises(errors.TransferError):
        transfer(main, gone, "1")


# Reversals.


def test_a_reversal_moves_the_money_back_and_shows_in_both_ledgers(own):
    main, sub = own
    original = transfer(main, sub, "8")

    reversal = transfer_services.balance_transfer_reverse(transfer=original, actor=SYSTEM)

    refresh(main, sub)
    assert (main.balance, sub.balance) == (Decimal("20"), 0)
    assert reversal.reverses == original and reversal.direction == "to_parent"
    assert original.reversal == reversal
    assert LedgerEntry.objects.filter(paying_account=main, kind="transfer").count() == 2
    assert LedgerEntry.objects.filter(paying_account=sub, kind="transfer").count() == 2
    assert ledger_differences() == []


def test_a_transfer_is_reversed_once_and_a_reversal_never(own):
    main, sub = own
    original = transfer(main, sub, "8")
    reversal = transfer_services.balance_transfer_reverse(transfer=original, actor=SYSTEM)

    with pytest.raises(errors.TransferError) as twice:
        transfer_services.balance_transfer_reverse(transfer=original, actor=SYSTEM)
    assert twice.value.message == errors.TRANSFER_ALREADY_REVERSED.format(sid=reversal.sid)
    with pytest.raises(errors.TransferError) as back:
        transfer_services.balance_transfer_reverse(transfer=reversal, actor=SYSTEM)
    assert back.value.message == errors.TRANSFER_REVERSAL_FINAL


def test_a_reversal_is_refused_when_the_money_is_spent(own):
    main, sub = own
    original = transfer(main, sub, "8")
    UsageRecordFactory(account=sub, price="5")

    with pytest.raises(errors.TransferError):
        transfer_services.balance_transfer_reverse(transfer=original, actor=SYSTEM)
    assert refresh(sub).balance == Decimal("3")


# Closing a subaccount with its own balance.


def test_closing_returns_the_balance_to_the_parent(own):
    main, sub = own
    transfer(main, sub, "6")

    transfer_services.account_close(account=sub, actor=SYSTEM)

    refresh(main, sub)
    assert (sub.status, sub.balance, main.balance) == ("closed", 0, Decimal("20"))
    returned = BalanceTransfer.objects.get(direction="to_parent")
    assert returned.reason == transfer_services.RETURNED_ON_CLOSING
    # It was not suspended on the way.
    assert [c.new_status for c in status_changes(sub)] == ["closed", "active"]
    assert ledger_differences() == []


def test_closing_with_a_debt_has_the_parent_cover_it(own):
    main, sub = own
    transfer(main, sub, "1")
    UsageRecordFactory(account=sub, price="3")  # sub at -2

    transfer_services.account_close(account=sub, actor=SYSTEM)

    refresh(main, sub)
    assert (sub.status, sub.balance, main.balance) == ("closed", 0, Decimal("17"))


def test_a_debt_the_parent_cannot_cover_keeps_the_subaccount_open(own):
    main, sub = own
    transfer(main, sub, "1")
    UsageRecordFactory(account=sub, price="30")  # sub at -29, parent has 19

    with pytest.raises(errors.TransferError) as refusal:
        transfer_services.account_close(account=sub, actor=SYSTEM)

    assert refusal.value.message == errors.CLOSE_DEBT_UNCOVERED.format(
        name="Own", debt="29.00", balance="19.00"
    )
    assert refresh(sub).status != "closed"


def test_other_doors_refuse_to_close_a_subaccount_that_holds_money(own):
    main, sub = own
    transfer(main, sub, "6")
    with pytest.raises(errors.TransferError) as refusal:
        account_services.account_update(account=sub, actor=SYSTEM, by_account=main, status="closed")
    assert refusal.value.message == errors.CLOSE_WITH_OWN_BALANCE.format(name="Own", balance="6.00")


def test_late_usage_of_a_closed_subaccount_is_its_parents(own):
    main, sub = own
    transfer(main, sub, "6")
    transfer_services.account_close(account=sub, actor=SYSTEM)
    closed_on = refresh(sub).date_closed.date()

    UsageRecordFactory(account=sub, price="1", start_date=closed_on, end_date=closed_on)

    refresh(main, sub)
    assert (main.balance, sub.balance) == (Decimal("19"), 0)


def test_closing_the_main_account_closes_an_own_balance_subaccount_as_it_is(own):
    main, sub = own
    transfer(main, sub, "6")
    account_services.account_close(account=main, actor=Actor.for_user(main.owner))
    refresh(main, sub)
    assert (sub.status, sub.balance) == ("closed", Decimal("6"))
    assert spent_this_month(sub) == 0


# Parallel transfers and charges (PostgreSQL).


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_transfers_and_charges_keep_both_balances_equal_to_their_ledgers(
    postgres_only, make_account, make_subaccount
):
    main = make_account()
    ledger_services.funds_add(account=main, amount="100", actor=SYSTEM, reason="Start")
    sub = make_subaccount(main, "Own", own_balance=True)
    transfer(main, sub, "30")

    tasks = []
    for n in range(8):
        tasks.append(lambda: transfer(main, sub, "2"))
        tasks.append(lambda: transfer(sub, main, "1"))
        tasks.append(lambda: UsageRecordFactory(account=sub, price="0.5"))
        tasks.append(lambda n=n: UsageRecordFactory(account=main, price="0.25"))
    outcomes = run_at_once(*tasks)

    done, refused = split(outcomes, errors.BillingError)
    assert not refused and len(done) == 32
    refresh(main, sub)
    assert main.balance == Decimal("100") - 30 - 16 + 8 - 2
    assert sub.balance == Decimal("30") + 16 - 8 - 4
    assert ledger_differences() == []
    assert BalanceTransfer.objects.count() == 17


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_reversals_reverse_once(postgres_only, make_account, make_subaccount):
    main = make_account()
    ledger_services.funds_add(account=main, amount="50", actor=SYSTEM, reason="Start")
    sub = make_subaccount(main, "Own", own_balance=True)
    original = transfer(main, sub, "10")

    outcomes = run_at_once(
        *[
            lambda: transfer_services.balance_transfer_reverse(transfer=original, actor=SYSTEM)
            for _ in range(6)
        ]
    )

    done, refused = split(outcomes, errors.TransferError)
    assert len(done) == 1 and len(refused) == 5
    refresh(main, sub)
    assert (main.balance, sub.balance) == (Decimal("50"), 0)
    assert ledger_differences() == []


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_retries_of_one_transfer_move_money_once(
    postgres_only, make_account, make_subaccount
):
    main = make_account()
    ledger_services.funds_add(account=main, amount="50", actor=SYSTEM, reason="Start")
    sub = make_subaccount(main, "Own", own_balance=True)

    outcomes = run_at_once(
        *[lambda: transfer(main, sub, "10", idempotency_key="once") for _ in range(8)]
    )

    done, _ = split(outcomes, errors.TransferError)
    assert len({t.pk for t in done}) == 1
    assert refresh(sub).balance == Decimal("10")
