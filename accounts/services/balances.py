"""The one write that moves a balance: a ledger entry, under the paying account's lock.

Every change to a balance is a `LedgerEntry` written under a row lock on the paying account,
in the same transaction that updates `Account.balance`, so the balance always equals the sum
of its entries. The paying account is a top-level account, or a subaccount with its own
balance; a subaccount that shares its parent's balance pays through the parent. Rows are
locked top-down: the main account first, then the subaccount, whichever of them pays.

A retried request with the same idempotency key is a no-op that returns the first entry. When
a charge takes the balance to zero or below, the paying account is suspended (source
"balance"), with its subaccounts if it is a main account; when funds bring it back above
zero, exactly the accounts suspended for that reason come back.

`services.ledger.ledger_post` is what the other services call: it adds auto-recharge to this.
"""

from decimal import Decimal, InvalidOperation

from .. import errors
from ..models import Account, LedgerEntry
from ..selectors.ledger import spent_this_month
from . import accounts
from .events import change, event_record, service

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


def lock_paying(account):
    """Lock `account`'s family top-down (its main account, then the account itself) and
    return fresh copies: (account, paying account)."""
    if account.parent_id is None:
        locked = Account.objects.select_for_update().get(pk=account.pk)
        return locked, locked
    parent = Account.objects.select_for_update().get(pk=account.parent_id)
    locked = Account.objects.select_for_update().get(pk=account.pk)
    locked.parent = parent
    return locked, (locked if locked.pays_own_way else parent)


@service
def balance_post(
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
    """Write one ledger entry for `account` on the balance it spends (see the module) and
    move that balance by `amount` (negative for charges). `check(account)`, if given, can
    refuse the entry once the account is locked (a retried key returns its entry first).
    `suspend=False` is for the one debit that may leave a balance at zero without suspending:
    a subaccount's own balance returned to its parent as it closes."""
    amount = amount_clean(amount)
    account, paying = lock_paying(account)
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
    # A spend cap limits what a subaccount spends of its parent's balance: one with its own
    # balance has none.
    if kind == Kind.USAGE and paying is not account and account.monthly_spend_cap is not None:
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
        test_money=test_money,
        actor=actor.user,
        idempotency_key=idempotency_key or None,
    )
    Account.objects.filter(pk=paying.pk).update(balance=new_balance)
    paying.balance = new_balance
    data = {
        "amount": change(None, amount),
        "kind": change(None, kind),
        "description": change(None, entry.description),
        "balance": change(old_balance, new_balance),
    }
    if test_money:
        data["test_money"] = change(None, True)
    event_record(
        actor=actor,
        event_type="ledger-entry.created",
        account=account,
        resource_sid=entry.sid,
        data=data,
    )
    _suspend_or_restore(paying, old_balance, new_balance, actor=actor, suspend=suspend)
    entry.paying_account = paying
    return entry


def _suspend_or_restore(paying, old_balance, new_balance, *, actor, suspend):
    # Any charge that leaves the balance at or below zero suspends, also one made while it
    # already was (an account reactivated by support, a charge right after another).
    if (
        suspend
        and new_balance <= 0
        and new_balance < old_balance
        and paying.status == Account.Status.ACTIVE
    ):
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
        # A subaccount suspended for its own balance stays suspended while its parent is: the
        # parent's reactivation brings it back then (see accounts._cascade_to_subaccounts).
        and (paying.parent_id is None or paying.parent.status == Account.Status.ACTIVE)
    ):
        accounts.account_status_set(
            account=paying,
            status=Account.Status.ACTIVE,
            actor=actor,
            source=BALANCE,
            reason=f"Funds brought the balance to ${money(new_balance)}",
        )
