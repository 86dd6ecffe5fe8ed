"""The status history of an account as tests read it, from the activity log."""

from dataclasses import dataclass

from accounts.models import Event


@dataclass
class StatusChange:
    old_status: str
    new_status: str
    source: str  # why: an Account.StatusSource (the event's "cause")
    actor: object  # the user, if a person acted
    reason: str
    event: Event


def status_changes(account):
    """The account's status changes, newest first."""
    events = Event.objects.filter(
        account_sid=account.sid,
        event_type__in=["account.created", "account.updated"],
        event_data__has_key="status",
    ).select_related("actor_user")
    return [
        StatusChange(
            old_status=event.event_data["status"]["previous"] or "",
            new_status=event.event_data["status"]["updated"],
            source=event.event_data.get("cause", ""),
            actor=event.actor_user,
            reason=event.event_data.get("reason", ""),
            event=event,
        )
        for event in events.order_by("-event_date", "-id")
    ]


def status_change_count():
    return Event.objects.filter(event_data__has_key="status").count()
