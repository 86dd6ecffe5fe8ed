"""Reads of the activity log: an account's events, newest first.

A main account's log covers its subaccounts too (one index on `main_account`); a subaccount's
covers only itself. Events outlive the subaccounts they are about (`account_sid` is text).
The console's Activity page and the Monitor API (`/v1/Events`) read it the same way: a main
account's users or credentials see the family's events, a subaccount's only its own.
"""

import datetime

from django.db.models import Q
from django.http import Http404

from ..models import Account, AccountMembership, Event, sid_is_valid


def event_list(*, account, include_subaccounts=True):
    """The events in `account`'s log, newest first."""
    if account.is_subaccount or not include_subaccounts:
        events = Event.objects.filter(account_sid=account.sid)
    else:
        events = Event.objects.filter(main_account=account)
    return events.select_related("actor_user").order_by("-event_date", "-id")


def event_filter(
    events,
    *,
    event_type=None,
    actor_sid=None,
    resource_sid=None,
    source_ip_address=None,
    account_sid=None,
    start=None,
    end=None,
    before=None,
):
    """`events` narrowed by the Activity page's and the Monitor API's filters: `start` and
    `end` are inclusive bounds on the event's date, `before` an exclusive one."""
    if event_type:
        events = events.filter(event_type=event_type)
    if actor_sid:
        # Support staff stay anonymous: their SID finds nothing.
        events = events.filter(actor_sid=actor_sid).exclude(actor_type=Event.ActorType.SUPPORT)
    if resource_sid:
        events = events.filter(resource_sid=resource_sid)
    if source_ip_address:
        events = events.filter(source_ip_address=source_ip_address)
    if account_sid:
        events = events.filter(account_sid=account_sid)
    if start is not None:
        events = events.filter(event_date__gte=start)
    if end is not None:
        events = events.filter(event_date__lte=end)
    if before is not None:
        events = events.filter(event_date__lt=before)
    return events


def day_start(day):
    """Midnight UTC at the start of `day` (the console's dates are UTC days)."""
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=datetime.UTC)


def event_get(*, account, sid):
    """One event of `account`'s log, or 404."""
    if not sid_is_valid(sid, "AE"):
        raise Http404("No such event.")
    try:
        return event_list(account=account).get(sid=sid)
    except Event.DoesNotExist:
        raise Http404("No such event.") from None


def event_list_for_caller(*, caller):
    """The events the caller's API credentials may read: a main account's family's, a
    subaccount's own."""
    return event_list(account=caller)


def event_get_for_caller(*, caller, sid):
    """One of those events, or 404 (another family's event looks like one that does not
    exist)."""
    return event_get(account=caller, sid=sid)


def account_sid_visible(sid, *, reader, reaches_parent=False):
    """Whether `reader`'s log may show the account SID `sid` in an event's data (where a
    phone number moved): a subaccount's own people and credentials see its SID and its
    parent's, never a sibling's; whoever reaches the parent sees them all."""
    return reaches_parent or not reader.is_subaccount or sid in (reader.sid, reader.parent.sid)


def event_data_for_reader(data, *, reader, reaches_parent=False):
    """An event's data as `reader` may read it (the Monitor API's `event_data`, the Activity
    CSV's data column): a sibling's SID, where a phone number moved, is null."""
    moved = data.get("account_sid") if isinstance(data, dict) else None
    if reaches_parent or not reader.is_subaccount or not isinstance(moved, dict):
        return data
    shown = {
        side: sid if sid is None or account_sid_visible(sid, reader=reader) else None
        for side, sid in moved.items()
    }
    return {**data, "account_sid": shown}


def activity_events(*, account, account_sid=None):
    """What the Activity page lists: `account`'s log, or, on a main account's page, the part
    of it about one account of the family (`account_sid`)."""
    events = event_list(account=account)
    if account_sid and not account.is_subaccount:
        events = events.filter(account_sid=account_sid)
    return events


def activity_account_names(*, account, sids):
    """{SID: friendly name} of the accounts among `sids` whose names the Activity page of
    `account` may show: the family's on a main account, only itself on a subaccount. One
    query."""
    sids = {sid for sid in sids if sid}
    if account.is_subaccount:
        return {account.sid: account.friendly_name} if account.sid in sids else {}
    if not sids:
        return {}
    family = Account.objects.filter(Q(pk=account.pk) | Q(parent_id=account.pk))
    return dict(family.filter(sid__in=sids).values_list("sid", "friendly_name"))


def own_member_ids(*, account):
    """The users holding a role on `account` itself (not through its parent). One query."""
    return set(AccountMembership.objects.filter(account=account).values_list("user_id", flat=True))


def status_history(*, account, limit=25):
    """The account's own status changes (Settings shows them), newest first."""
    return event_list(account=account, include_subaccounts=False).filter(
        event_type__in=["account.created", "account.updated"], event_data__has_key="status"
    )[:limit]
