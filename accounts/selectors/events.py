"""Reads of the activity log: an account's events, newest first.

A main account's log covers its subaccounts too (one index on `main_account`); a subaccount's
covers only itself. Events outlive the subaccounts they are about (`account_sid` is text).
"""

from django.http import Http404

from ..models import Event, sid_is_valid


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
):
    """`events` narrowed by the Activity page's and the Monitor API's filters."""
    if event_type:
        events = events.filter(event_type=event_type)
    if actor_sid:
        events = events.filter(actor_sid=actor_sid)
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
    return events


def event_get(*, account, sid):
    """One event of `account`'s log, or 404."""
    if not sid_is_valid(sid, "AE"):
        raise Http404("No such event.")
    try:
        return event_list(account=account).get(sid=sid)
    except Event.DoesNotExist:
        raise Http404("No such event.") from None


def status_history(*, account, limit=25):
    """The account's own status changes (Settings shows them), newest first."""
    return event_list(account=account, include_subaccounts=False).filter(
        event_type__in=["account.created", "account.updated"], event_data__has_key="status"
    )[:limit]
