"""Money: the ledger behind every balance, support's entries, and spend caps.

`ledger_post` is the one way the other services move a balance: the entry itself is written
by `balances.balance_post` (under the paying account's lock, with the suspension at zero and
the restoration by funds), and a charge that takes a main account's balance below its
auto-recharge threshold then queues the recharge (`payments.auto_recharge_check`), in the
same transaction, so parallel charges recharge once per crossing.
"""

from decimal import Decimal

from .. import errors
from ..models import Account, LedgerEntry
from . import payments
from .balances import amount_clean, balance_post
from .events import fields_update, service

Kind = LedgerEntry.Kind


@service
def ledger_post(
    *,
    account,
    amount,
    kind,
    description,
    actor,
    idempotency_key=None,
    require_funds=False,
    check=None,
    test_money=False,
    suspend=True,
):
    """Write one ledger entry for `account` on the balance it spends (its parent's for a
    subaccount that shares it) and move that balance by `amount` (negative for charges).
    `check(account)`, if given, can refuse the entry once the account is locked (a retried
    key returns its entry first). See `balances.balance_post`."""
    entry = balance_post(
        account=account,
        amount=amount,
        kind=kind,
        description=description,
        actor=actor,
        idempotency_key=idempotency_key,
        require_funds=require_funds,
        check=check,
        test_money=test_money,
        suspend=suspend,
    )
    payments.auto_recharge_check(entry=entry)
    return entry


def _reason(reason):
    reason = (reason or "").strip()
    if not reason:
        raise errors.BillingError(errors.REASON_REQUIRED)
    return reason


@service
def funds_add(*, account, amount, actor, reason, idempotency_key=None):
    amount = amount_clean(amount)
    if amount <= 0:
        raise errors.BillingError(errors.AMOUNT_MUST_BE_POSITIVE)
    return ledger_post(
        account=account,
        amount=amount,
        kind=Kind.FUNDS_ADDED,
        description=_reason(reason),
        actor=actor,
        idempotency_key=idempotency_key,
    )


@service
def balance_adjust(*, account, amount, actor, reason, kind=Kind.ADJUSTMENT, idempotency_key=None):
    """Support's correction (positive or negative) or refund (positive)."""
    amount = amount_clean(amount)
    if amount == 0:
        raise errors.BillingError(errors.AMOUNT_MUST_NOT_BE_ZERO)
    if kind == Kind.REFUND and amount < 0:
        raise errors.BillingError(errors.AMOUNT_MUST_BE_POSITIVE)
    return ledger_post(
        account=account,
        amount=amount,
        kind=kind,
        description=_reason(reason),
        actor=actor,
        idempotency_key=idempotency_key,
    )


SUPPORT_KINDS = (Kind.FUNDS_ADDED, Kind.REFUND, Kind.ADJUSTMENT)


def entry_check(*, account, kind, amount, reason):
    """The rules for an entry support writes by hand, checked before writing it."""
    amount = amount_clean(amount)
    if kind not in SUPPORT_KINDS:
        raise errors.BillingError(errors.SUPPORT_KIND_NOT_ALLOWED.format(kind=kind))
    if kind == Kind.ADJUSTMENT and amount == 0:
        raise errors.BillingError(errors.AMOUNT_MUST_NOT_BE_ZERO)
    if kind != Kind.ADJUSTMENT and amount <= 0:
        raise errors.BillingError(errors.AMOUNT_MUST_BE_POSITIVE)
    _reason(reason)
    if account.paying_account.status == Account.Status.CLOSED:
        raise errors.BillingError(errors.CLOSED_ACCOUNT_BILLING)


@service
def entry_post(*, account, kind, amount, reason, actor, idempotency_key=None):
    """Support's entry of any kind they may write (funds, refund, adjustment)."""
    entry_check(account=account, kind=kind, amount=amount, reason=reason)
    if kind == Kind.FUNDS_ADDED:
        return funds_add(
            account=account,
            amount=amount,
            actor=actor,
            reason=reason,
            idempotency_key=idempotency_key,
        )
    return balance_adjust(
        account=account,
        amount=amount,
        actor=actor,
        reason=reason,
        kind=kind,
        idempotency_key=idempotency_key,
    )


@service
def spend_cap_set(*, subaccount, cap, actor):
    """Set (or clear, with None) a subaccount's monthly cap on spending the shared balance."""
    if subaccount.parent_id is None:
        raise errors.BillingError(errors.SPEND_CAP_SUBACCOUNTS_ONLY)
    if cap is not None and Decimal(cap) < 0:
        raise errors.BillingError(errors.SPEND_CAP_NEGATIVE)
    # Charges check the cap under the paying account's lock: take it here too.
    Account.objects.select_for_update().get(pk=subaccount.parent_id)
    subaccount = Account.objects.select_for_update().get(pk=subaccount.pk)
    if subaccount.status == Account.Status.CLOSED:
        raise errors.AccountClosed()
    if subaccount.own_balance and cap is not None:
        raise errors.BillingError(errors.SPEND_CAP_SHARED_BALANCE_ONLY)
    new_cap = None if cap is None else Decimal(cap)
    fields_update(subaccount, actor=actor, monthly_spend_cap=new_cap)
    return subaccount
