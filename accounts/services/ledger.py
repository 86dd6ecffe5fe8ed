"""Money: the ledger behind every balance, and spend caps.

Every change to a balance is a `LedgerEntry` written under a row lock on the paying
(top-level) account, in the same transaction that updates `Account.balance`, so the balance
always equals the sum of its entries. A retried request with the same idempotency key is a
no-op that returns the first entry. When a charge takes the balance to zero or below, the
account and its subaccounts are suspended (source "balance"); when funds bring it back above
zero, exactly the accounts suspended for that reason come back.
"""

from decimal import Decimal, InvalidOperation

from .. import errors
from ..models import Account, LedgerEntry
from ..selectors.ledger import spent_this_month
from . import accounts
from .events import change, changes, event_record, service

Kind = LedgerEntry.Kind
BALANCE = Account.StatusSource.BALANCE
ZERO = Decimal("0")
CENT = Decimal("0.01")

# What the ledger's columns hold exactly (max_digits=14, decimal_places=4). An amount finer
# than that would be rounded by the database while the balance kept it, and the balance would
# drift from the sum of its entries; a larger one would not fit at all.
LEDGER_PLACES = Decimal("0.0001")
LEDGER_LIMIT = Decimal("1e10")


def decimal_clean(value, message):
    try:
        number = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        raise errors.BillingError(message) from None
    if not number.is_finite():
        raise errors.BillingError(message)
    return number


def amount_clean(value):
    """`value` as an amount the ledger holds exactly, or BillingError."""
    amount = decimal_clean(value, errors.AMOUNT_NOT_A_NUMBER)
    if abs(amount) >= LEDGER_LIMIT:
        raise errors.BillingError(errors.AMOUNT_TOO_LARGE)
    if amount != amount.quantize(LEDGER_PLACES):
        raise errors.BillingError(errors.AMOUNT_TOO_PRECISE)
    return amount


def money(value):
    return f"{Decimal(value).quantize(CENT):,}"


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
):
    """Write one ledger entry for `account` (a subaccount's entries go to its parent) and move
    the paying balance by `amount` (negative for charges). `check(account)`, if given, can
    refuse the entry once the account is locked (a retried key returns its entry first)."""
    amount = amount_clean(amount)
    paying = Account.objects.select_for_update().get(pk=account.parent_id or account.pk)
    if account.parent_id:
        # The subaccount (its spend cap) as it is now, locked after its parent as spend_cap_set
        # locks them: the caller's copy may have been read before the cap changed.
        account = Account.objects.select_for_update().get(pk=account.pk)
        account.parent = paying
    else:
        account = paying
    if idempotency_key:
        existing = LedgerEntry.objects.filter(
            paying_account=paying, idempotency_key=idempotency_key
        ).first()
        if existing is not None:
            return existing
    if paying.status == Account.Status.CLOSED:
        raise errors.BillingError(errors.CLOSED_ACCOUNT_BILLING)
    if check is not None:
        check(account)
    if amount < 0 and require_funds and paying.balance + amount < 0:
        raise errors.BillingError(
            errors.INSUFFICIENT_FUNDS.format(balance=money(paying.balance), amount=money(-amount))
        )
    if kind == Kind.USAGE and account.parent_id and account.monthly_spend_cap is not None:
        spent = spent_this_month(account)
        if spent - amount > account.monthly_spend_cap:
            raise errors.BillingError(
                errors.SPEND_CAP_REACHED.format(
                    amount=money(-amount),
                    name=account.friendly_name,
                    cap=money(account.monthly_spend_cap),
                    spent=money(spent),
                )
            )
    old_balance = paying.balance
    new_balance = old_balance + amount
    if abs(new_balance) >= LEDGER_LIMIT:
        raise errors.BillingError(errors.AMOUNT_TOO_LARGE)
    entry = LedgerEntry.objects.create(
        paying_account=paying,
        account_id=account.pk,
        amount=amount,
        balance_after=new_balance,
        kind=kind,
        description=description[:300],
        actor=actor.user,
        idempotency_key=idempotency_key or None,
    )
    Account.objects.filter(pk=paying.pk).update(balance=new_balance)
    paying.balance = new_balance
    event_record(
        actor=actor,
        event_type="ledger-entry.created",
        account=account,
        resource_sid=entry.sid,
        data={
            "amount": change(None, amount),
            "kind": change(None, kind),
            "description": change(None, entry.description),
            "balance": change(old_balance, new_balance),
        },
    )
    _suspend_or_restore(paying, old_balance, new_balance, actor=actor)
    return entry


def _suspend_or_restore(paying, old_balance, new_balance, *, actor):
    # Any charge that leaves the balance at or below zero suspends, also one made while it
    # already was (an account reactivated by support, a charge right after another).
    if new_balance <= 0 and new_balance < old_balance and paying.status == Account.Status.ACTIVE:
        accounts.account_status_set(
            account=paying,
            status=Account.Status.SUSPENDED,
            actor=actor,
            source=BALANCE,
            reason=f"Balance reached ${money(new_balance)}",
        )
    elif (
        new_balance > 0
        and paying.status == Account.Status.SUSPENDED
        and paying.status_source == BALANCE
    ):
        accounts.account_status_set(
            account=paying,
            status=Account.Status.ACTIVE,
            actor=actor,
            source=BALANCE,
            reason=f"Funds brought the balance to ${money(new_balance)}",
        )


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
    if account.main_account.status == Account.Status.CLOSED:
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
    new_cap = None if cap is None else Decimal(cap)
    data = changes(monthly_spend_cap=(subaccount.monthly_spend_cap, new_cap))
    if data:
        subaccount.monthly_spend_cap = new_cap
        subaccount.save(update_fields=["monthly_spend_cap", "date_updated"])
        event_record(
            actor=actor,
            event_type="account.updated",
            account=subaccount,
            resource_sid=subaccount.sid,
            data=data,
        )
    return subaccount
