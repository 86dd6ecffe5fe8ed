"""Own balances and transfers between a main account and its subaccounts (beyond Twilio,
as Vonage and Telnyx offer).

A subaccount shares its parent's balance unless it is given its own, at creation or later
(`subaccount_balance_separate`); the choice is one-way. Money then moves between the parent
and that subaccount, both ways, by `balance_transfer`: a debit on the source's ledger and a
credit on the target's, written together under one idempotency key, refused when the source
cannot pay (its balance would go below zero). A transfer is not a charge: one that leaves
the source at $0 does not suspend it, as a new account at $0 is not suspended (its next
charge would be). A transfer is undone by its reversal (`balance_transfer_reverse`), a
transfer the other way that names it, so it shows in both ledgers.

Rows are locked as everywhere: the main account, then the subaccount, whichever way the
money goes, so parallel transfers and charges never wait on each other in a circle.
"""

from django.utils import timezone

from .. import errors
from ..models import Account, BalanceTransfer, LedgerEntry
from ..models.sids import new_balance_transfer_sid
from . import accounts, balances, ledger
from .events import created, event_record, fields_update, service

Direction = BalanceTransfer.Direction
Kind = LedgerEntry.Kind
RETURNED_ON_CLOSING = "Balance returned to the parent as the subaccount closed"
DEBT_COVERED_ON_CLOSING = "Debt covered by the parent as the subaccount closed"


@service
def subaccount_balance_separate(*, subaccount, actor):
    """Give a subaccount that shares its parent's balance one of its own, from $0 (one-way:
    it never shares again). Its spend cap goes: its own balance is its limit."""
    if subaccount.parent_id is None:
        raise errors.TransferError(errors.OWN_BALANCE_SUBACCOUNTS_ONLY)
    subaccount, parent = accounts.lock(subaccount)
    if subaccount.status == Account.Status.CLOSED:
        raise errors.AccountClosed()
    if subaccount.own_balance:
        raise errors.TransferError(errors.OWN_BALANCE_ALREADY)
    if parent.is_trial:
        raise errors.TrialRestriction(errors.TRIAL_OWN_BALANCE)
    fields_update(
        subaccount, actor=actor, own_balance=True, balance=balances.ZERO, monthly_spend_cap=None
    )
    return subaccount


def _family(source, target):
    """(main account, subaccount, direction) of a transfer from `source` to `target`."""
    if source.parent_id is not None and source.parent_id == target.pk:
        return target, source, Direction.TO_PARENT
    if target.parent_id is not None and target.parent_id == source.pk:
        return source, target, Direction.TO_SUBACCOUNT
    raise errors.TransferError(errors.TRANSFER_NOT_IN_FAMILY)


def _write(*, main, subaccount, direction, amount, actor, reason, key, reverses=None):
    """The debit, the credit and the transfer that joins them; the family is locked."""
    source, target = (
        (main, subaccount) if direction == Direction.TO_SUBACCOUNT else (subaccount, main)
    )
    sid = new_balance_transfer_sid()
    key = key or sid
    suffix = f": {reason}" if reason else ""
    debit = ledger.ledger_post(
        account=source,
        amount=-amount,
        kind=Kind.TRANSFER,
        description=f"Transfer to {target.friendly_name} ({target.sid}){suffix}",
        actor=actor,
        idempotency_key=f"transfer-{key}",
        suspend=False,
    )
    credit = ledger.ledger_post(
        account=target,
        amount=amount,
        kind=Kind.TRANSFER,
        description=f"Transfer from {source.friendly_name} ({source.sid}){suffix}",
        actor=actor,
        idempotency_key=f"transfer-{key}",
    )
    transfer = BalanceTransfer.objects.create(
        sid=sid,
        main_account=main,
        subaccount=subaccount,
        subaccount_sid=subaccount.sid,
        subaccount_name=subaccount.friendly_name,
        direction=direction,
        amount=amount,
        debit_entry=debit,
        credit_entry=credit,
        reverses=reverses,
        reason=reason[:300],
        idempotency_key=key,
        actor=actor.user,
        date_created=timezone.now(),
    )
    event_record(
        actor=actor,
        event_type="balance-transfer.created",
        account=subaccount,
        resource_sid=transfer.sid,
        data=created(
            amount=amount,
            direction=direction,
            source=source.sid,
            target=target.sid,
            reverses=reverses.sid if reverses else None,
        ),
    )
    return transfer


def transfer_check(*, source, target, amount):
    """The rules of a transfer, checked before asking for it (the admin's form): the service
    checks them again under its locks."""
    amount = balances.amount_clean(amount)
    if amount <= 0:
        raise errors.BillingError(errors.AMOUNT_MUST_BE_POSITIVE)
    main, subaccount, direction = _family(source, target)
    if not subaccount.own_balance:
        raise errors.TransferError(
            errors.TRANSFER_NEEDS_OWN_BALANCE.format(name=subaccount.friendly_name)
        )
    if source.status != Account.Status.ACTIVE:
        raise errors.TransferError(
            errors.TRANSFER_SOURCE_NOT_ACTIVE.format(
                name=source.friendly_name, status=source.status
            )
        )
    if target.status == Account.Status.CLOSED:
        raise errors.TransferError(errors.TRANSFER_TARGET_CLOSED.format(name=target.friendly_name))
    if source.balance is None or source.balance < amount:
        raise errors.TransferError(
            errors.TRANSFER_CANNOT_PAY.format(
                name=source.friendly_name,
                balance=balances.money(source.balance or 0),
                amount=balances.money(amount),
            )
        )


@service
def balance_transfer(*, source, target, amount, actor, reason="", idempotency_key=None):
    """Move `amount` from `source` to `target`: a main account and one of its subaccounts
    with its own balance, either way. A retry with the same idempotency key moves nothing
    more and returns the first transfer."""
    amount = balances.amount_clean(amount)
    if amount <= 0:
        raise errors.BillingError(errors.AMOUNT_MUST_BE_POSITIVE)
    main, subaccount, direction = _family(source, target)
    subaccount, main = accounts.lock(subaccount)
    if idempotency_key:
        existing = BalanceTransfer.objects.filter(
            main_account=main, idempotency_key=idempotency_key
        )
        if existing := existing.first():
            return existing
    return _checked_write(
        main=main,
        subaccount=subaccount,
        direction=direction,
        amount=amount,
        actor=actor,
        reason=(reason or "").replace("\x00", "").strip(),
        key=idempotency_key,
    )


def _checked_write(*, main, subaccount, direction, amount, actor, reason, key, reverses=None):
    if not subaccount.own_balance:
        raise errors.TransferError(
            errors.TRANSFER_NEEDS_OWN_BALANCE.format(name=subaccount.friendly_name)
        )
    source, target = (
        (main, subaccount) if direction == Direction.TO_SUBACCOUNT else (subaccount, main)
    )
    if source.status != Account.Status.ACTIVE:
        raise errors.TransferError(
            errors.TRANSFER_SOURCE_NOT_ACTIVE.format(
                name=source.friendly_name, status=source.status
            )
        )
    if target.status == Account.Status.CLOSED:
        raise errors.TransferError(errors.TRANSFER_TARGET_CLOSED.format(name=target.friendly_name))
    if source.balance < amount:
        raise errors.TransferError(
            errors.TRANSFER_CANNOT_PAY.format(
                name=source.friendly_name,
                balance=balances.money(source.balance),
                amount=balances.money(amount),
            )
        )
    return _write(
        main=main,
        subaccount=subaccount,
        direction=direction,
        amount=amount,
        actor=actor,
        reason=reason,
        key=key,
        reverses=reverses,
    )


@service
def balance_transfer_reverse(*, transfer, actor, reason=""):
    """Undo a transfer: the same amount back the other way, refused like any transfer when
    the account it comes from cannot pay it. Once only; a reversal is final."""
    if transfer.reverses_id is not None:
        raise errors.TransferError(errors.TRANSFER_REVERSAL_FINAL)
    if transfer.subaccount_id is None:
        raise errors.TransferError(errors.TRANSFER_NOT_IN_FAMILY)
    subaccount, main = accounts.lock(Account.objects.get(pk=transfer.subaccount_id))
    reversal = BalanceTransfer.objects.filter(reverses=transfer).first()
    if reversal is not None:
        raise errors.TransferError(errors.TRANSFER_ALREADY_REVERSED.format(sid=reversal.sid))
    back = Direction.TO_PARENT if transfer.to_subaccount else Direction.TO_SUBACCOUNT
    reason = (reason or "").replace("\x00", "").strip()
    return _checked_write(
        main=main,
        subaccount=subaccount,
        direction=back,
        amount=transfer.amount,
        actor=actor,
        reason=reason or f"Reversal of {transfer.sid}",
        key=f"reversal-{transfer.sid}",
        reverses=transfer,
    )


@service
def account_close(*, account, actor, source=Account.StatusSource.OWNER, reason=""):
    """Close an account as `accounts.account_close` does; a subaccount with its own balance
    first settles it with its parent: money left goes back to the parent, a debt is covered
    by the parent (refused when the parent cannot cover it). Both are transfers."""
    if account.parent_id is not None:
        subaccount, main = accounts.lock(account)
        if (
            subaccount.own_balance
            and subaccount.balance
            and subaccount.status != Account.Status.CLOSED
            and main.status != Account.Status.CLOSED
        ):
            _settle_with_parent(main=main, subaccount=subaccount, actor=actor)
    return accounts.account_close(account=account, actor=actor, source=source, reason=reason)


def _settle_with_parent(*, main, subaccount, actor):
    balance = subaccount.balance
    if balance > 0:
        return _write(
            main=main,
            subaccount=subaccount,
            direction=Direction.TO_PARENT,
            amount=balance,
            actor=actor,
            reason=RETURNED_ON_CLOSING,
            key=None,
        )
    if main.balance + balance < 0:
        raise errors.TransferError(
            errors.CLOSE_DEBT_UNCOVERED.format(
                name=subaccount.friendly_name,
                debt=balances.money(-balance),
                balance=balances.money(main.balance),
            )
        )
    return _write(
        main=main,
        subaccount=subaccount,
        direction=Direction.TO_SUBACCOUNT,
        amount=-balance,
        actor=actor,
        reason=DEBT_COVERED_ON_CLOSING,
        key=None,
    )
