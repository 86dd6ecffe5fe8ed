"""Services for money: the ledger behind every balance, usage charges, spend caps.

Every change to a balance is a `LedgerEntry` written under a row lock on the paying
(top-level) account, in the same transaction that updates `Account.balance`, so the balance
always equals the sum of its entries. A retried request with the same idempotency key is a
no-op that returns the first entry. When a charge takes the balance to zero or below, the
account and its subaccounts are suspended (source "balance"); when funds bring it back above
zero, exactly the accounts suspended for that reason come back.
"""

from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from . import errors, services
from .models import Account, AccountStatusEvent, LedgerEntry, UsageRecord

Kind = LedgerEntry.Kind
BALANCE = AccountStatusEvent.Source.BALANCE
ZERO = Decimal("0")
CENT = Decimal("0.01")

INSUFFICIENT_FUNDS = (
    "The balance (${balance}) does not cover this charge of ${amount}. Add funds first."
)
SPEND_CAP_REACHED = (
    "This charge of ${amount} would take {name} past its monthly spend cap of ${cap} "
    "(${spent} spent this month)."
)
AMOUNT_MUST_BE_POSITIVE = "Enter an amount greater than zero."
AMOUNT_NOT_A_NUMBER = "Enter the amount as a number of dollars, e.g. 12.50."
AMOUNT_TOO_PRECISE = (
    "The ledger keeps amounts to four decimal places ($0.0001): round this amount first."
)
AMOUNT_TOO_LARGE = "This amount is too large: the ledger holds up to $9,999,999,999.9999."
QUANTITY_INVALID = "Enter the usage quantity as a number from 0 to below 10,000,000,000."
AMOUNT_MUST_NOT_BE_ZERO = "An adjustment cannot be zero."
REASON_REQUIRED = "Give a reason: it is kept with the ledger entry."
CLOSED_ACCOUNT_BILLING = "A closed account's balance cannot change."


class BillingError(errors.AccountError):
    pass


# What the ledger's columns hold exactly (max_digits=14, decimal_places=4). An amount finer
# than that would be rounded by the database while the balance kept it, and the balance would
# drift from the sum of its entries; a larger one would not fit at all.
LEDGER_PLACES = Decimal("0.0001")
LEDGER_LIMIT = Decimal("1e10")


def _decimal(value, message):
    try:
        number = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        raise BillingError(message) from None
    if not number.is_finite():
        raise BillingError(message)
    return number


def amount_clean(value):
    """`value` as an amount the ledger holds exactly, or BillingError."""
    amount = _decimal(value, AMOUNT_NOT_A_NUMBER)
    if abs(amount) >= LEDGER_LIMIT:
        raise BillingError(AMOUNT_TOO_LARGE)
    if amount != amount.quantize(LEDGER_PLACES):
        raise BillingError(AMOUNT_TOO_PRECISE)
    return amount


def month_start(now=None):
    now = now or timezone.now()
    return now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def spent_this_month(account, now=None):
    """What `account`'s usage has charged to the shared balance this calendar month."""
    total = LedgerEntry.objects.filter(
        account=account, kind=Kind.USAGE, date_created__gte=month_start(now)
    ).aggregate(total=Sum("amount"))["total"]
    return -(total or ZERO)


@transaction.atomic
def ledger_post(
    *,
    account,
    amount,
    kind,
    description,
    actor=None,
    idempotency_key=None,
    require_funds=False,
):
    """Write one ledger entry for `account` (a subaccount's entries go to its parent) and move
    the paying balance by `amount` (negative for charges)."""
    amount = amount_clean(amount)
    paying = Account.objects.select_for_update().get(pk=account.parent_id or account.pk)
    if account.parent_id:
        # The subaccount (its spend cap) as it is now, locked after its parent as spend_cap_set
        # locks them: the caller's copy may have been read before the cap changed.
        account = Account.objects.select_for_update().get(pk=account.pk)
    if idempotency_key:
        existing = LedgerEntry.objects.filter(
            paying_account=paying, idempotency_key=idempotency_key
        ).first()
        if existing is not None:
            return existing
    if paying.status == Account.Status.CLOSED:
        raise BillingError(CLOSED_ACCOUNT_BILLING)
    if amount < 0 and require_funds and paying.balance + amount < 0:
        raise BillingError(
            INSUFFICIENT_FUNDS.format(balance=_money(paying.balance), amount=_money(-amount))
        )
    if kind == Kind.USAGE and account.parent_id and account.monthly_spend_cap is not None:
        spent = spent_this_month(account)
        if spent - amount > account.monthly_spend_cap:
            raise BillingError(
                SPEND_CAP_REACHED.format(
                    amount=_money(-amount),
                    name=account.friendly_name,
                    cap=_money(account.monthly_spend_cap),
                    spent=_money(spent),
                )
            )
    old_balance = paying.balance
    new_balance = old_balance + amount
    if abs(new_balance) >= LEDGER_LIMIT:
        raise BillingError(AMOUNT_TOO_LARGE)
    entry = LedgerEntry.objects.create(
        paying_account=paying,
        account_id=account.pk,
        amount=amount,
        balance_after=new_balance,
        kind=kind,
        description=description[:300],
        actor=actor if actor is not None and actor.is_authenticated else None,
        idempotency_key=idempotency_key or None,
    )
    Account.objects.filter(pk=paying.pk).update(balance=new_balance)
    paying.balance = new_balance
    _suspend_or_restore(paying, old_balance, new_balance, actor=actor)
    return entry


def _suspend_or_restore(paying, old_balance, new_balance, *, actor):
    if new_balance <= 0 < old_balance and paying.status == Account.Status.ACTIVE:
        services.account_status_set(
            account=paying,
            status=Account.Status.SUSPENDED,
            acting_user=actor,
            source=BALANCE,
            reason=f"Balance reached ${_money(new_balance)}",
        )
    elif (
        new_balance > 0
        and paying.status == Account.Status.SUSPENDED
        and paying.status_source == BALANCE
    ):
        services.account_status_set(
            account=paying,
            status=Account.Status.ACTIVE,
            acting_user=actor,
            source=BALANCE,
            reason=f"Funds brought the balance to ${_money(new_balance)}",
        )


def _money(value):
    return f"{Decimal(value).quantize(CENT):,}"


def _reason(reason):
    reason = (reason or "").strip()
    if not reason:
        raise BillingError(REASON_REQUIRED)
    return reason


def funds_add(*, account, amount, actor, reason, idempotency_key=None):
    amount = amount_clean(amount)
    if amount <= 0:
        raise BillingError(AMOUNT_MUST_BE_POSITIVE)
    return ledger_post(
        account=account,
        amount=amount,
        kind=Kind.FUNDS_ADDED,
        description=_reason(reason),
        actor=actor,
        idempotency_key=idempotency_key,
    )


def balance_adjust(*, account, amount, actor, reason, kind=Kind.ADJUSTMENT, idempotency_key=None):
    """Support's correction (positive or negative) or refund (positive)."""
    amount = amount_clean(amount)
    if amount == 0:
        raise BillingError(AMOUNT_MUST_NOT_BE_ZERO)
    if kind == Kind.REFUND and amount < 0:
        raise BillingError(AMOUNT_MUST_BE_POSITIVE)
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
        raise BillingError(f"Support cannot write {kind} entries by hand.")
    if kind == Kind.ADJUSTMENT and amount == 0:
        raise BillingError(AMOUNT_MUST_NOT_BE_ZERO)
    if kind != Kind.ADJUSTMENT and amount <= 0:
        raise BillingError(AMOUNT_MUST_BE_POSITIVE)
    _reason(reason)
    if account.main_account.status == Account.Status.CLOSED:
        raise BillingError(CLOSED_ACCOUNT_BILLING)


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


@transaction.atomic
def usage_record(
    *,
    account,
    category,
    quantity,
    price,
    start_date,
    end_date,
    idempotency_key=None,
    description=None,
    actor=None,
    require_funds=False,
):
    """Record usage of `account` and charge its price to the paying balance. Retrying with the
    same idempotency key records and charges nothing more."""
    price = amount_clean(price)
    if price < 0:
        raise BillingError("A usage price cannot be negative.")
    quantity = _decimal(quantity, QUANTITY_INVALID)
    if quantity < 0 or quantity >= LEDGER_LIMIT:
        raise BillingError(QUANTITY_INVALID)
    if category not in UsageRecord.Category.values:
        raise BillingError(f"Unknown usage category: {category}.")
    entry = ledger_post(
        account=account,
        amount=-price,
        kind=Kind.USAGE,
        description=description
        or f"{UsageRecord.Category(category).label}: {quantity} ({start_date} to {end_date})",
        actor=actor,
        idempotency_key=idempotency_key,
        require_funds=require_funds,
    )
    existing = UsageRecord.objects.filter(ledger_entry=entry).first()
    if existing is not None:
        return existing
    return UsageRecord.objects.create(
        account=account,
        category=category,
        quantity=quantity,
        price=price,
        start_date=start_date,
        end_date=end_date,
        ledger_entry=entry,
    )


def ledger_differences():
    """Top-level accounts whose balance is not the sum of their ledger entries:
    [(account, balance, ledger_sum)]."""
    sums = dict(
        LedgerEntry.objects.values("paying_account")
        .annotate(total=Sum("amount"))
        .values_list("paying_account", "total")
    )
    differences = []
    for account in Account.objects.top_level().only("pk", "sid", "balance").iterator():
        total = sums.get(account.pk, ZERO)
        if account.balance != total:
            differences.append((account, account.balance, total))
    return differences


SPEND_CAP_SUBACCOUNTS_ONLY = "Only subaccounts have a spend cap: a main account holds the balance."
SPEND_CAP_NEGATIVE = "A spend cap cannot be negative. Leave it empty for no cap."


@transaction.atomic
def spend_cap_set(*, subaccount, cap, acting_user=None):
    """Set (or clear, with None) a subaccount's monthly cap on spending the shared balance."""
    if subaccount.parent_id is None:
        raise BillingError(SPEND_CAP_SUBACCOUNTS_ONLY)
    if cap is not None and Decimal(cap) < 0:
        raise BillingError(SPEND_CAP_NEGATIVE)
    # Charges check the cap under the paying account's lock: take it here too.
    Account.objects.select_for_update().get(pk=subaccount.parent_id)
    subaccount = Account.objects.select_for_update().get(pk=subaccount.pk)
    if subaccount.status == Account.Status.CLOSED:
        raise errors.AccountClosed()
    subaccount.monthly_spend_cap = None if cap is None else Decimal(cap)
    subaccount.save(update_fields=["monthly_spend_cap", "date_updated"])
    return subaccount
