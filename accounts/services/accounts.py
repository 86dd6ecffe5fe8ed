"""Accounts and their status life cycle.

Rows are locked top-down (the main account before its subaccounts, accounts before their
numbers), so two requests never wait on each other in opposite orders. Who may *ask* for a
change (roles, scopes) is checked by the caller; the rules of the domain itself (limits, the
status life cycle, owner-only close) are checked here.
"""

import copy
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection
from django.db.models import F, Q
from django.utils import timezone

from .. import errors, roles
from ..models import (
    FRIENDLY_NAME_MAX_LENGTH,
    Account,
    AccountMembership,
    Organization,
    UsageMonth,
    User,
)
from . import inventory
from .events import (
    change,
    changes,
    created,
    event_record,
    events_record,
    fields_update,
    in_service,
    service,
)

Status = Account.Status
StatusSource = Account.StatusSource
ZERO = Decimal("0")
CENT = Decimal("0.01")


def friendly_name_clean(friendly_name):
    """The friendly name as it will be stored, or InvalidFriendlyName."""
    name = (friendly_name or "").strip()
    if not name:
        raise errors.InvalidFriendlyName(errors.FRIENDLY_NAME_REQUIRED)
    if "\x00" in name:
        raise errors.InvalidFriendlyName(errors.FRIENDLY_NAME_NUL)
    if len(name) > FRIENDLY_NAME_MAX_LENGTH:
        raise errors.InvalidFriendlyName(
            errors.FRIENDLY_NAME_TOO_LONG.format(limit=FRIENDLY_NAME_MAX_LENGTH, length=len(name))
        )
    return name


def default_subaccount_name(now=None):
    """Twilio's default: "SubAccount Created at 2026-11-27 02:42 pm"."""
    now = timezone.localtime(now or timezone.now())
    return "SubAccount Created at " + now.strftime("%Y-%m-%d %I:%M %p").lower()


def _limit_reached(message, limit):
    return errors.AccountLimitReached(message.format(limit=errors.limit_text(limit)))


@service
def account_create(*, owner, friendly_name, actor, organization=None, type=Account.Type.TRIAL):
    """A new top-level account owned by `owner` (Trial, as every sign-up, unless operators
    provision a Full one), within the owner's (or the organization's) account limit. Closed
    accounts do not count. The trial credit is the caller's to give (`trials`)."""
    if type not in Account.Type.values:
        raise errors.AccountError(errors.ACCOUNT_TYPE_UNKNOWN.format(type=type))
    name = friendly_name_clean(friendly_name)
    owner = User.objects.select_for_update().get(pk=owner.pk)
    if organization is not None:
        organization = Organization.objects.select_for_update().get(pk=organization.pk)
        in_use = Account.objects.top_level().open().filter(organization=organization).count()
        if in_use >= organization.account_limit:
            raise _limit_reached(
                errors.ORGANIZATION_ACCOUNT_LIMIT_REACHED, organization.account_limit
            )
    else:
        in_use = (
            Account.objects.top_level()
            .open()
            .filter(owner=owner, organization__isnull=True)
            .count()
        )
        if in_use >= owner.account_limit:
            raise _limit_reached(errors.ACCOUNT_LIMIT_REACHED, owner.account_limit)
    account = Account.objects.create(
        friendly_name=name, owner=owner, organization=organization, type=type
    )
    AccountMembership.objects.create(account=account, user=owner, role=roles.OWNER)
    event_record(
        actor=actor,
        event_type="account.created",
        account=account,
        resource_sid=account.sid,
        data=created(
            friendly_name=account.friendly_name,
            status=account.status,
            type=account.type,
            owner=owner,
            organization=organization,
        )
        | {"cause": StatusSource.OWNER, "reason": "Account created"},
    )
    return account


@service
def subaccount_create(*, parent, actor, friendly_name=None, own_balance=False):
    """A new subaccount of `parent`, within the parent's subaccount limit (one for a trial
    account). It shares the parent's balance, or, with `own_balance`, holds its own (from $0,
    funded by transfers from the parent; not for a trial account)."""
    if parent.parent_id is not None:
        raise errors.NestedSubaccountNotAllowed()
    name = friendly_name_clean(
        default_subaccount_name() if friendly_name is None else friendly_name
    )
    # Counted in first, under the parent's lock: every refusal below raises, and the service's
    # transaction takes the count back with it.
    parent = _parent_lock_and_count_in(parent)
    if parent.status != Status.ACTIVE:
        raise errors.ParentNotActive(errors.PARENT_NOT_ACTIVE.format(status=parent.status))
    if own_balance and parent.is_trial:
        raise errors.TrialRestriction(errors.TRIAL_OWN_BALANCE)
    # The parent's counter, moved under its lock: exact, whatever the number of subaccounts.
    limit = parent.subaccount_limit_in_force
    if parent.open_subaccount_count > limit:
        if parent.is_trial and limit < parent.subaccount_limit:
            raise errors.SubaccountLimitReached(errors.TRIAL_SUBACCOUNT_LIMIT_REACHED)
        raise errors.SubaccountLimitReached(
            errors.SUBACCOUNT_LIMIT_REACHED.format(limit=errors.limit_text(limit))
        )
    subaccount = Account.objects.create(
        friendly_name=name,
        parent=parent,
        owner_id=parent.owner_id,
        organization_id=parent.organization_id,
        type=parent.type,
        own_balance=bool(own_balance),
        balance=ZERO if own_balance else None,
    )
    event_record(
        actor=actor,
        event_type="account.created",
        account=subaccount,
        resource_sid=subaccount.sid,
        data=created(
            friendly_name=subaccount.friendly_name,
            status=subaccount.status,
            type=subaccount.type,
            owner_account_sid=parent.sid,
            own_balance=subaccount.own_balance,
        )
        | {"cause": StatusSource.OWNER, "reason": "Subaccount created"},
    )
    return subaccount


# What decides whether a main account may have one more subaccount, and what the new one
# copies from it (its owner, organization and type).
_PARENT_COLUMNS = (
    "status",
    "type",
    "subaccount_limit",
    "open_subaccount_count",
    "owner_id",
    "organization_id",
)


def _parent_lock_and_count_in(parent):
    """Count one more open subaccount in on the main account `parent`, which locks its row
    as SELECT … FOR UPDATE would (an UPDATE takes the row's lock until the transaction ends),
    and return a copy of `parent` with the columns that decide the new subaccount as they are
    now, the counter included. One statement rather than a locking read and an UPDATE: this
    is the part of creating a subaccount that runs one at a time per family."""
    columns = ", ".join(_PARENT_COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Account._meta.db_table} SET open_subaccount_count ="
            f" open_subaccount_count + 1 WHERE id = %s RETURNING {columns}",
            [parent.pk],
        )
        row = cursor.fetchone()
    if row is None:
        raise Account.DoesNotExist
    fresh = copy.copy(parent)
    for column, value in zip(_PARENT_COLUMNS, row, strict=True):
        setattr(fresh, column, value)
    return fresh


def _open_subaccounts_add(parent, delta):
    """Move the locked parent's count of open subaccounts by `delta`."""
    Account.objects.filter(pk=parent.pk).update(
        open_subaccount_count=F("open_subaccount_count") + delta
    )
    parent.open_subaccount_count += delta


def lock(account):
    """Lock the account's family top-down and return fresh copies: (account, parent)."""
    if account.parent_id is not None:
        parent = Account.objects.select_for_update().get(pk=account.parent_id)
        account = Account.objects.select_for_update().get(pk=account.pk)
        account.parent = parent
        return account, parent
    return Account.objects.select_for_update().get(pk=account.pk), None


def _rename(account, name, actor):
    """Rename a locked, open account."""
    if account.friendly_name == name:
        return account
    event_record(
        actor=actor,
        event_type="account.updated",
        account=account,
        resource_sid=account.sid,
        data=changes(friendly_name=(account.friendly_name, name)),
    )
    account.friendly_name = name
    account.save(update_fields=["friendly_name", "date_updated"])
    # The Usage page orders a month's accounts by the name in their roll-up rows.
    UsageMonth.objects.filter(account=account, family=False).update(name=name)
    return account


@service
def account_rename(*, account, friendly_name, actor):
    name = friendly_name_clean(friendly_name)
    account, _parent = lock(account)
    if account.status == Status.CLOSED:
        raise errors.AccountClosed()
    return _rename(account, name, actor)


def _check_status_change(account, parent, new_status, *, actor, source):
    refusal = account.status_change_refusal(
        new_status,
        parent=parent,
        source=source,
        actor_user_id=actor.user.pk if actor.user is not None else None,
    )
    if refusal is not None:
        raise refusal
    if new_status == Status.CLOSED and account.own_balance and account.balance:
        # Its money must go somewhere first: `transfers.account_close` returns it to the
        # parent (the console and the admin close through it).
        raise errors.TransferError(
            errors.CLOSE_WITH_OWN_BALANCE.format(
                name=account.friendly_name, balance=f"{account.balance.quantize(CENT):,}"
            )
        )


def _status_data(old_status, new_status, old_source, new_source, reason, cause):
    """A status change: the changed fields, why (`cause`, the door it came through: owner,
    parent, support, balance) and the reason given."""
    # The status is always there, even when only who holds the suspension changes.
    data = {"status": change(old_status, new_status)}
    data |= changes(status_source=(old_source, new_source))
    data["cause"] = cause
    if reason:
        data["reason"] = reason
    return data


def _cascade_to_subaccounts(parent, new_status, *, actor, reason):
    """Apply the parent's new status to its subaccounts, with an event for each."""
    subaccounts = Account.objects.subaccounts_of(parent)
    if new_status == Status.SUSPENDED:
        affected = subaccounts.filter(status=Status.ACTIVE)
    elif new_status == Status.CLOSED:
        affected = subaccounts.exclude(status=Status.CLOSED)
    else:
        # Only those that the parent's suspension suspended come back, and those suspended
        # for their own balance that funds brought back above zero while the parent was
        # suspended (see balances._suspend_or_restore).
        affected = subaccounts.filter(
            Q(status=Status.SUSPENDED, status_source=StatusSource.PARENT)
            | Q(
                status=Status.SUSPENDED,
                status_source=StatusSource.BALANCE,
                own_balance=True,
                balance__gt=0,
            )
        )
    locked = list(
        affected.select_for_update()
        .order_by("pk")
        .only("pk", "sid", "parent_id", "status", "status_source")
    )
    if not locked:
        return 0
    if new_status == Status.CLOSED:
        _open_subaccounts_add(parent, -len(locked))
    now = timezone.now()
    new_source = "" if new_status == Status.ACTIVE else StatusSource.PARENT
    closing = {"date_closed": now} if new_status == Status.CLOSED else {}
    Account.objects.filter(pk__in=[sub.pk for sub in locked]).update(
        status=new_status, status_source=new_source, date_updated=now, **closing
    )
    events_record(
        actor=actor,
        event_type="account.updated",
        items=[
            (
                sub,
                sub.sid,
                _status_data(
                    sub.status,
                    new_status,
                    sub.status_source,
                    new_source,
                    reason,
                    StatusSource.PARENT,
                ),
            )
            for sub in locked
        ],
        date=now,
    )
    return len(locked)


def _set_status(account, parent, status, *, actor, source, reason):
    """Move a locked account to `status`, with the cascade and the release of numbers."""
    _check_status_change(account, parent, status, actor=actor, source=source)
    old_status, old_source = account.status, account.status_source
    account.status = status
    account.status_source = source if status != Status.ACTIVE else ""
    fields = ["status", "status_source", "date_updated"]
    if status == Status.CLOSED:
        account.date_closed = timezone.now()
        fields.append("date_closed")
    account.save(update_fields=fields)
    if parent is not None and status == Status.CLOSED and old_status != Status.CLOSED:
        _open_subaccounts_add(parent, -1)
    event_record(
        actor=actor,
        event_type="account.updated",
        account=account,
        resource_sid=account.sid,
        data=_status_data(old_status, status, old_source, account.status_source, reason, source),
    )
    if parent is None:
        cascade_reason = f"Parent account {account.sid} {status}"
        if reason:
            cascade_reason += f": {reason}"
        _cascade_to_subaccounts(account, status, actor=actor, reason=cascade_reason)
    if status == Status.CLOSED:
        # After the subaccounts: numbers are locked last, as everywhere else.
        inventory.numbers_release_for(account, actor=actor)
    return account


@service
def account_status_set(*, account, status, actor, source=StatusSource.OWNER, reason=""):
    """Move an account to `status` (active / suspended / closed), with the cascade to its
    subaccounts for a top-level account. Setting the status it already has is a no-op, except
    that support takes over a suspension (which then lasts until support lifts it)."""
    if status not in Status.values:
        raise errors.InvalidStatusTransition(errors.INVALID_STATUS)
    account, parent = lock(account)
    if account.status == status and status != Status.CLOSED:
        # Nothing to do, but a support or parent suspension still cannot be "re-suspended"
        # to take it over (it would look done, yet not hold when the other side lifts it).
        refusal = account.status_change_refusal(status, parent=parent, source=source)
        if refusal is not None:
            raise refusal
        if (
            status == Status.SUSPENDED
            and source == StatusSource.SUPPORT
            and account.status_source != StatusSource.SUPPORT
        ):
            # Support takes over a suspension that was the balance's or the owner's: it must
            # hold until support lifts it, not end with a top-up or the owner's reactivation.
            old_source = account.status_source
            account.status_source = StatusSource.SUPPORT
            account.save(update_fields=["status_source", "date_updated"])
            event_record(
                actor=actor,
                event_type="account.updated",
                account=account,
                resource_sid=account.sid,
                data=_status_data(status, status, old_source, StatusSource.SUPPORT, reason, source),
            )
        return account
    return _set_status(account, parent, status, actor=actor, source=source, reason=reason)


@service
def account_suspend(*, account, actor, source=StatusSource.OWNER, reason=""):
    return account_status_set(
        account=account, status=Status.SUSPENDED, actor=actor, source=source, reason=reason
    )


@service
def account_reactivate(*, account, actor, source=StatusSource.OWNER, reason=""):
    return account_status_set(
        account=account, status=Status.ACTIVE, actor=actor, source=source, reason=reason
    )


@service
def account_close(*, account, actor, source=StatusSource.OWNER, reason=""):
    return account_status_set(
        account=account, status=Status.CLOSED, actor=actor, source=source, reason=reason
    )


@service
def account_update(*, account, actor, by_account, friendly_name=None, status=None):
    """The API's update: rename (`friendly_name`) and/or change the status, both or neither.
    `by_account` is the account whose credentials ask. Twilio: only subaccounts' status changes
    over the API, and only with the parent's credentials (a subaccount that suspended itself
    could never come back)."""
    if status is not None and status not in Status.values:
        raise errors.InvalidStatusTransition(errors.INVALID_STATUS)
    if status is not None:
        if not account.is_subaccount:
            raise errors.MainAccountStatusRestricted()
        if by_account.is_subaccount:
            raise errors.NotPermitted(errors.API_STATUS_SET_BY_PARENT_ONLY)
    if friendly_name is None and status is None:
        return account
    if friendly_name is not None:
        account = account_rename(account=account, friendly_name=friendly_name, actor=actor)
    if status is not None:
        account = account_status_set(
            account=account,
            status=status,
            actor=actor,
            source=StatusSource.OWNER,
            reason="Changed through the REST API",
        )
    return account


@service
def account_limits_set(*, account, actor, subaccount_limit):
    """Support raises (or lowers) how many open subaccounts a main account may have."""
    account, _parent = lock(account)
    if account.parent_id is not None:
        raise errors.NestedSubaccountNotAllowed()
    fields_update(account, actor=actor, subaccount_limit=subaccount_limit)
    return account


STATUS_ACTIONS = {
    "suspend": (account_suspend, Status.SUSPENDED),
    "reactivate": (account_reactivate, Status.ACTIVE),
    "close": (account_close, Status.CLOSED),
}


@dataclass
class BulkResult:
    """What a bulk status change did: changed, already so, refused (with why)."""

    action: str
    done: list = field(default_factory=list)
    unchanged: list = field(default_factory=list)
    refused: list = field(default_factory=list)  # [(account, message)]


def subaccounts_status_set_each(*, parent, subaccounts, action, actor, reason=""):
    """Suspend, reactivate or close many subaccounts of `parent`, one after the other in
    primary-key order, each through its own service call and so in its own transaction with
    its own events: a refusal (closed, suspended by support, …) is reported and stops neither
    the others nor what was done before it. Not a @service on purpose: one transaction
    around them all would undo every change at the first refusal."""
    if in_service():
        # Inside another service each change would join its transaction, and the first
        # refusal would doom them all.
        raise RuntimeError("subaccounts_status_set_each runs outside any service.")
    service_for, target = STATUS_ACTIONS[action]
    result = BulkResult(action=action)
    for subaccount in sorted(subaccounts, key=lambda sub: sub.pk):
        if subaccount.parent_id != parent.pk:
            raise errors.NotPermitted(errors.NOT_A_SUBACCOUNT_OF.format(sid=subaccount.sid))
        already = subaccount.status == target
        try:
            changed = service_for(account=subaccount, actor=actor, reason=reason)
        except errors.AccountError as refusal:
            result.refused.append((subaccount, refusal.message))
            continue
        (result.unchanged if already else result.done).append(changed)
    return result
