"""Automatic deletion of closed subaccounts, as Twilio does by default 30 days after closing.

A main account chooses it (`account_auto_deletion_set`; on for new accounts). The periodic
sweep (`closed_subaccounts_delete`, queued by `manage.py schedule_periodic`) deletes each
subaccount closed CLOSED_SUBACCOUNT_DELETION_DAYS ago or more, one per transaction: the
account row and its data go (API keys, memberships, invitations, usage triggers, the
released numbers' rows), so it is gone from the console and the API answers 20404. Its
history stays with the parent: its ledger entries and usage records then belong to the
parent, with its SID and name kept as text (`incurred_by_sid`, `incurred_by_name`), its
daily usage stays in the family's report, its transfers keep its SID, and its events keep
`account_sid`. A subaccount whose own balance is not zero (its parent was closed with it)
is kept: that money has to be settled first.
"""

import datetime

from django.conf import settings
from django.db.models import Q
from django.tasks import task
from django.utils import timezone

from .. import errors
from ..models import (
    Account,
    BalanceTransfer,
    IncomingPhoneNumber,
    LedgerEntry,
    UsageDay,
    UsageMonth,
    UsageRecord,
    UsageTrigger,
)
from . import accounts, balances
from .events import Actor, deleted, event_record, fields_update, service

SWEEP_TASK_PATH = "accounts.services.deletion.closed_subaccounts_delete_task"
SWEEP_BATCH = 500


@service
def account_auto_deletion_set(*, account, enabled, actor):
    """Whether a main account's closed subaccounts are deleted some days after closing."""
    if account.parent_id is not None:
        raise errors.DeletionError(errors.AUTO_DELETION_MAIN_ACCOUNTS_ONLY)
    account, _parent = accounts.lock(account)
    if account.status == Account.Status.CLOSED:
        raise errors.AccountClosed()
    fields_update(account, actor=actor, delete_closed_subaccounts=bool(enabled))
    return account


def deletion_cutoff(now=None):
    """Subaccounts closed before this moment are due for deletion."""
    days = settings.CLOSED_SUBACCOUNT_DELETION_DAYS
    return (now or timezone.now()) - datetime.timedelta(days=days)


@service
def subaccount_delete(*, subaccount, actor):
    """Delete a closed subaccount and its data; its history stays with its parent (see the
    module). Answers the parent."""
    if subaccount.parent_id is None:
        raise errors.DeletionError(errors.DELETE_NOT_A_SUBACCOUNT)
    subaccount, parent = accounts.lock(subaccount)
    if subaccount.status != Account.Status.CLOSED:
        raise errors.DeletionError(errors.DELETE_NOT_CLOSED)
    if subaccount.balance:
        raise errors.DeletionError(
            errors.DELETE_BALANCE_LEFT.format(
                name=subaccount.friendly_name, balance=balances.money(subaccount.balance)
            )
        )
    who = {"incurred_by_sid": subaccount.sid, "incurred_by_name": subaccount.friendly_name}
    # Its own balance's entries (it summed to zero) become the parent's history. Their
    # idempotency keys go: no request can retry on a balance that is gone, and a transfer's
    # key is also on the parent's side of it.
    LedgerEntry.objects.filter(paying_account=subaccount).update(
        paying_account=parent, paid_from_sid=subaccount.sid, idempotency_key=None
    )
    LedgerEntry.objects.filter(account=subaccount).update(account=parent, **who)
    UsageRecord.objects.filter(account=subaccount).update(account=parent, **who)
    # Its own daily rows stay in the family's report; the family's rows already count it.
    UsageDay.objects.filter(account=subaccount).update(account=None, **who)
    UsageMonth.objects.filter(account=subaccount).update(account=None, **who)
    BalanceTransfer.objects.filter(subaccount=subaccount).update(subaccount=None)
    UsageTrigger.objects.filter(account=subaccount).delete()
    # Closing released its numbers; their rows go with it.
    IncomingPhoneNumber.objects.filter(account=subaccount, released_at__isnull=False).delete()
    event_record(
        actor=actor,
        event_type="account.deleted",
        account=subaccount,
        resource_sid=subaccount.sid,
        data=deleted(
            friendly_name=subaccount.friendly_name,
            status=subaccount.status,
            owner_account_sid=parent.sid,
        )
        | {"date_closed": subaccount.date_closed.isoformat() if subaccount.date_closed else None},
    )
    # Its API keys, memberships and invitations go with the row; its events keep its SID.
    subaccount.delete()
    return parent


def closed_subaccounts_due(*, now=None):
    """The closed subaccounts due for deletion, oldest closure first."""
    return (
        Account.objects.filter(
            parent__isnull=False,
            status=Account.Status.CLOSED,
            date_closed__lte=deletion_cutoff(now),
            parent__delete_closed_subaccounts=True,
        )
        .filter(Q(balance__isnull=True) | Q(balance=0))
        .order_by("date_closed", "pk")
    )


def closed_subaccounts_delete(*, actor, now=None, batch=SWEEP_BATCH):
    """The periodic sweep: delete the subaccounts due, each in its own transaction (another
    sweep deleting the same one at once is harmless). Answers how many it deleted."""
    removed = 0
    for subaccount in list(closed_subaccounts_due(now=now)[:batch]):
        try:
            subaccount_delete(subaccount=subaccount, actor=actor)
        except (Account.DoesNotExist, errors.AccountError):
            continue
        removed += 1
    return removed


@task
def closed_subaccounts_delete_task():
    """Delete the closed subaccounts whose time has come (see the module)."""
    return closed_subaccounts_delete(actor=Actor.system())
