"""Events as a line of an activity list: "Status: Active → Suspended", and who did it."""

from django import template

from ..models import Event

register = template.Library()


def _words(name):
    return name.replace("_", " ").replace("-", " ").capitalize()


def _value(value):
    if value is None or value == "":
        return "—"
    return _words(str(value)) if isinstance(value, str) and value.islower() else str(value)


@register.filter
def event_title(event):
    """ "account.updated" as "Account updated"."""
    resource, _dot, action = event.event_type.rpartition(".")
    return f"{_words(resource)} {action}"


CREATED_FIELDS_SHOWN = 3


@register.filter
def event_summary(event):
    """One line: the fields the event changed ("Status: Active → Suspended"), or the first
    few of what it created, joined with " · "."""
    lines = event_changes(event)
    if event.event_type.endswith(".created"):
        lines = lines[:CREATED_FIELDS_SHOWN]
    return " · ".join(lines)


@register.filter
def event_changes(event):
    """The fields the event changed, as "Field: before → after" (what was created: "Field:
    value"), in the order it recorded them."""
    lines = []
    for name, change in (event.event_data or {}).items():
        if not isinstance(change, dict) or "updated" not in change:
            continue
        previous, updated = change.get("previous"), change.get("updated")
        if previous is None:
            lines.append(f"{_words(name)}: {_value(updated)}")
        elif updated is None:
            lines.append(f"{_words(name)}: {_value(previous)} removed")
        else:
            lines.append(f"{_words(name)}: {_value(previous)} → {_value(updated)}")
    return lines


@register.filter
def event_actor(event, reaches_parent=True):
    """Who did it, as the console may say it: support staff stay anonymous, and so do the
    parent's people to someone who cannot see the parent."""
    if event.actor_type == Event.ActorType.SUPPORT:
        return "Support"
    if event.actor_type == Event.ActorType.USER and event.actor_user and reaches_parent:
        return event.actor_user.email
    return Event.ActorType(event.actor_type).label if event.actor_type else "—"
