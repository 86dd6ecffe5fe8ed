"""The Activity page: an account's log of who changed what, when, through which door, with
the values before and after; filters, keyset pages ("Newer" / "Older") and a CSV download.

Owners, Administrators and Support see it (`activity:read`). A main account's page covers its
subaccounts; a subaccount's page only itself. Support staff appear as "Support"; to someone
whose only role is on the subaccount, the parent's people and credentials stay anonymous,
as on the Settings page's status history.
"""

import csv
import datetime
import json
import re
from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import StreamingHttpResponse
from django.utils import timezone
from django.utils.dates import MONTHS_3
from django.utils.text import Truncator
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from .. import errors, roles
from ..api import paging
from ..forms.activity import ActivityFilterForm
from ..models import Account, Event
from ..selectors import accounts as account_selectors
from ..selectors import events as event_selectors
from .common import (
    FORM_ERROR_STATUS,
    csv_text,
    current_account,
    remember_account,
    render_page_or_partial,
    report_key,
    when_rendered,
)

PAGE_SIZE = 50
# The subaccounts the Account filter suggests (any other SID can be typed in).
ACCOUNTS_SUGGESTED = 50
CSV_CHUNK = 1000
TEMPLATE = "accounts/activity.html"

ActorType = Event.ActorType

SUPPORT = "Support"
PARENT_USER = "A user of the parent account"
PARENT_CREDENTIALS = "The parent account's API credentials"
DELETED_USER = "A deleted user"
OTHER_SUBACCOUNT = "Another subaccount"

RESOURCE_TYPES = {
    "account": "Account",
    "phone-number": "Phone number",
    "ledger-entry": "Ledger entry",
    "usage-record": "Usage record",
    "membership": "User",
    "invitation": "Invitation",
}
FIELD_LABELS = {
    "account_sid": "Account",
    "friendly_name": "Friendly name",
    "monthly_spend_cap": "Monthly spend cap",
    "monthly_price": "Monthly price",
    "expires_at": "Expires",
    "phone_number": "Phone number",
    "start_date": "From",
    "end_date": "To",
}
# Context first (whom an event is about), then the changed fields, then why.
LEADING_KEYS = ("user", "email")
TRAILING_KEYS = ("reason", "cause")
SID = re.compile(r"[A-Z]{2}[0-9a-f]{32}")
ISO_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?([+-]\d{2}:\d{2}|Z)?")
# A value longer than this shows cut, with an ellipsis (what `truncatechars:120` shows).
SHOWN_CHARS = 120


def _shown(text):
    """`text` as the page shows it: as it is when short (the common case, without the cost
    of Django's Truncator), else cut as `truncatechars` cuts it."""
    text = str(text)
    return text if len(text) <= SHOWN_CHARS else Truncator(text).chars(SHOWN_CHARS)


# Rows, and what is in them, are values (hashable): the page renders each row once per
# row (`{% memo row … %}`), an event never changing once recorded.
@dataclass(frozen=True)
class Who:
    name: str
    sid: str = ""  # empty when the actor stays anonymous
    anonymous: bool = False


@dataclass(frozen=True)
class Change:
    label: str
    previous: str | None = None
    updated: str | None = None
    note: str | None = None  # a value that is not a before/after pair (whom, why)

    @property
    def previous_is_sid(self):
        return bool(self.previous and SID.fullmatch(self.previous))

    @property
    def updated_is_sid(self):
        return bool(self.updated and SID.fullmatch(self.updated))

    # What the page shows: cut when long; an emptied value shows as a dash.
    @property
    def note_shown(self):
        return _shown(self.note)

    @property
    def previous_shown(self):
        return _shown(self.previous)

    @property
    def updated_shown(self):
        return _shown(self.updated) if self.updated else "—"

    @property
    def text(self):
        if self.note is not None:
            return f"{self.label}: {self.note}"
        if self.previous is None:
            return f"{self.label}: {self.updated or '—'}"
        if self.updated is None:
            return f"{self.label}: {self.previous} (removed)"
        return f"{self.label}: {self.previous} → {self.updated}"


@dataclass(unsafe_hash=True)  # filled in by row_of, then only read
class Row:
    event: Event  # equal by primary key: its columns never change
    what: str
    who: Who
    source: str
    ip: str
    account_name: str
    resource_type: str
    resource_name: str
    changes: tuple = ()
    # The page's own: when, in UTC ("c", "M j, Y", "H:i:s"), and the links that narrow the
    # page to this row's actor or resource (the page's other filters kept, from its first
    # page). Worked out here, once per row, rather than by template filters and tags.
    when_iso: str = ""
    when_day: str = ""
    when_time: str = ""
    actor_url: str = ""
    resource_url: str = ""

    @property
    def changes_text(self):
        return "; ".join(change.text for change in self.changes)


class Naming:
    """Who may be named to the person reading `current.account`'s log."""

    def __init__(self, current, names=None):
        self.account = current.account
        self.reaches_parent = current.reaches_parent
        # Someone with a role on the subaccount only sees the names of its own users.
        self.member_ids = (
            None
            if current.reaches_parent
            else event_selectors.own_member_ids(account=current.account)
        )
        self.names = names or {}

    def account_sid_text(self, sid):
        """An account's SID in an event's data, as this reader may see it: to someone who
        reaches a subaccount only through it, its siblings are "another subaccount"."""
        visible = event_selectors.account_sid_visible(
            sid, reader=self.account, reaches_parent=self.reaches_parent
        )
        return sid if visible else OTHER_SUBACCOUNT

    def event_data(self, event):
        """The event's data as this reader may read it (siblings' SIDs null)."""
        return event_selectors.event_data_for_reader(
            event.event_data, reader=self.account, reaches_parent=self.reaches_parent
        )

    def who(self, event):
        if event.actor_type == ActorType.SUPPORT:
            return Who(SUPPORT, anonymous=True)
        if event.actor_type == ActorType.USER:
            if self.member_ids is not None and event.actor_user_id not in self.member_ids:
                return Who(PARENT_USER, anonymous=True)
            if event.actor_user is not None:
                return Who(event.actor_user.email, event.actor_sid)
            return Who(DELETED_USER if event.actor_sid else "Someone signing up", event.actor_sid)
        if event.actor_type == ActorType.ACCOUNT:
            if not self.reaches_parent and event.actor_sid != self.account.sid:
                return Who(PARENT_CREDENTIALS, anonymous=True)
            name = self.names.get(event.actor_sid)
            return Who(f"API credentials of {name}" if name else "API credentials", event.actor_sid)
        if event.actor_type == ActorType.KEY:
            return Who("API key", event.actor_sid)
        return Who("System")


def _value_text(name, value):
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(_value_text(name, item) or "—" for item in value) or "none"
    if isinstance(value, dict):
        return json.dumps(value, sort_keys=True)
    if name == "roles":
        return roles.role_label(value)
    if name == "status" and value in Account.Status.values:
        return Account.Status(value).label
    if name in ("cause", "status_source") and value in Account.StatusSource.values:
        return Account.StatusSource(value).label
    text = str(value)
    if ISO_MOMENT.fullmatch(text):
        moment = datetime.datetime.fromisoformat(text)
        if moment.tzinfo is not None:
            return moment.astimezone(datetime.UTC).strftime("%b %-d, %Y %H:%M UTC")
    return text


def _field_label(name):
    if name in FIELD_LABELS:
        return FIELD_LABELS[name]
    words = name.replace("_", " ").capitalize().split(" ")
    return " ".join("SID" if word.lower() == "sid" else word for word in words)


def _is_pair(value):
    return isinstance(value, dict) and set(value) == {"previous", "updated"}


def changes_of(event, naming):
    """The event's data as readable lines: context, each field before → after, then why."""
    data = event.event_data or {}

    def rank(name):
        if name in LEADING_KEYS:
            return (0, LEADING_KEYS.index(name))
        if name in TRAILING_KEYS:
            return (2, TRAILING_KEYS.index(name))
        return (1, name)

    lines = []
    for name in sorted(data, key=rank):
        value = data[name]
        if name == "cause" and _is_pair(data.get("status_source")):
            if data["status_source"]["updated"] == value:
                continue  # the status source line already says it
        if _is_pair(value):
            previous = _value_text(name, value["previous"])
            updated = _value_text(name, value["updated"])
            if name == "account_sid":  # where a phone number moved, within the family
                previous = previous and naming.account_sid_text(previous)
                updated = updated and naming.account_sid_text(updated)
            if previous is None and updated is None:
                continue
            lines.append(Change(_field_label(name), previous, updated))
        else:
            note = _value_text(name, value)
            if note is not None:
                lines.append(Change(_field_label(name), note=note))
    return lines


def _resource_name(event, names):
    if event.resource_type == "account":
        return names.get(event.resource_sid, "")
    data = event.event_data or {}
    if event.resource_type == "phone-number":
        number = data.get("phone_number")
        if _is_pair(number):
            return number["updated"] or number["previous"] or ""
        return ""
    if event.resource_type == "membership":
        return data.get("user", "") if isinstance(data.get("user"), str) else ""
    if event.resource_type == "invitation":
        return data.get("email", "") if isinstance(data.get("email"), str) else ""
    return ""


def row_of(event, naming, page=None):
    """The row of `event`; with `page` (a PageLinks), what only the page shows."""
    who = naming.who(event)
    row = Row(
        event=event,
        what=event.event_type_label,
        who=who,
        source=event.get_source_display(),
        # The address of an anonymous actor is as private as their name.
        ip="" if who.anonymous else (event.source_ip_address or ""),
        account_name=naming.names.get(event.account_sid, ""),
        resource_type=RESOURCE_TYPES.get(
            event.resource_type, event.resource_type.replace("-", " ").capitalize()
        ),
        resource_name=_resource_name(event, naming.names),
        changes=tuple(changes_of(event, naming)),
    )
    if page is not None:
        when = timezone.localtime(event.event_date)
        row.when_iso = when.isoformat()  # the "c" format
        row.when_day = f"{page.month(when.month)} {when.day}, {when.year:04d}"  # "M j, Y"
        row.when_time = f"{when.hour:02d}:{when.minute:02d}:{when.second:02d}"  # "H:i:s"
        if who.sid:
            row.actor_url = page.actor.url(who.sid)
        if event.resource_sid:
            row.resource_url = page.resource.url(event.resource_sid)
    return row


class _FilterLink:
    """What `{% querystring name=value cursor=None %}` gives for each `value`: the page's query
    with `name` set (in its place when the query has it, else last), from the first page. The
    rest of the query is encoded once per page, not once per row."""

    def __init__(self, query, name):
        self.name = name
        self.before, self.after = [], []
        side = self.before
        for key, values in query.lists():
            if key == name:
                side = self.after
            elif key != "cursor":
                side.extend(urlencode({key: value}) for value in values)

    def url(self, value):
        return "?" + "&".join([*self.before, urlencode({self.name: value}), *self.after])


class PageLinks:
    """Per page: the filter links' query, and the months' names (the "M" date format)."""

    def __init__(self, query):
        self.actor = _FilterLink(query, "actor")
        self.resource = _FilterLink(query, "resource")
        self._months = {}

    def month(self, number):
        if number not in self._months:
            self._months[number] = str(MONTHS_3[number]).title()
        return self._months[number]


def _cursor(text):
    """The page the URL asks for (a PageToken); anything unreadable starts at the newest."""
    if not text:
        return None
    try:
        return paging.PageToken.decode(text)
    except errors.ApiError:
        return None


@login_required
@vary_on_headers("HX-Request")
@require_GET
def activity(request, sid):
    current = current_account(request, sid, scope=roles.ACTIVITY_READ)
    account = current.account
    # The page is remembered by its family's version, read before anything of the family
    # (the filters' accounts, the log): a second look at an unchanged log builds nothing.
    wants_csv = request.GET.get("format") == "csv"
    key = None if wants_csv else report_key(request, current, request.GET.urlencode())
    # The filters, the log and the suggested subaccounts are worked out when the page is
    # rendered: a remembered page asks for none of them.
    form = when_rendered(ActivityFilterForm.from_query, request.GET, account=account)
    context = {
        "current": current,
        "account": account,
        "form": form,
        "page": "activity",
        "suggested_accounts": when_rendered(_suggested_accounts, account),
    }
    if not request.htmx:
        remember_account(request, account)
    # A query without filters (the page itself, or only its cursor) is a valid form's.
    filtering = any(request.GET.get(name) for name in ActivityFilterForm.base_fields)
    if filtering and not form().is_valid():
        context["listing"] = None
        return render_page_or_partial(
            request, TEMPLATE, "activity", context, status=FORM_ERROR_STATUS
        )
    if wants_csv:
        return _activity_csv(account, _events(account, form()), Naming(current))

    context.update(
        report_key=key,
        listing=when_rendered(_listing, request, current, form),
        filtered=when_rendered(lambda: form().is_filtered),
    )
    return render_page_or_partial(request, TEMPLATE, "activity", context)


def _suggested_accounts(account):
    """The subaccounts the Account filter suggests (a subaccount's log has no such filter)."""
    if account.is_subaccount:
        return []
    subaccounts = account_selectors.subaccount_list(parent=account)
    return subaccounts.only("sid", "friendly_name")[:ACCOUNTS_SUGGESTED]


def _events(account, form):
    """The events the (valid) filters match, newest first."""
    form.is_valid()
    return event_selectors.event_filter(
        event_selectors.activity_events(
            account=account, account_sid=form.cleaned_data.get("account")
        ),
        **form.filters(),
    )


@dataclass(frozen=True)
class Listing:
    """One page of the log as the page shows it."""

    rows: list
    newer: str | None
    older: str | None
    page_number: int


def _listing(request, current, form):
    page = paging.page_get(
        head=None,
        rest=_events(current.account, form()),
        page_size=PAGE_SIZE,
        token=_cursor(request.GET.get("cursor")),
        date_field="event_date",
    )
    sids = set()
    for event in page.records:
        sids.update([event.account_sid, event.resource_sid])
        if event.actor_type == ActorType.ACCOUNT:
            sids.add(event.actor_sid)
    naming = Naming(
        current, names=event_selectors.activity_account_names(account=current.account, sids=sids)
    )
    links = PageLinks(request.GET)
    return Listing(
        rows=[row_of(event, naming, links) for event in page.records],
        newer=page.previous_token.encode() if page.previous_token else None,
        older=page.next_token.encode() if page.next_token else None,
        page_number=page.number,
    )


CSV_HEADER = [
    "sid",
    "event_date",
    "event_type",
    "event",
    "account_sid",
    "actor_type",
    "actor",
    "actor_sid",
    "source",
    "source_ip_address",
    "resource_type",
    "resource_sid",
    "changes",
    "event_data",
]


class _Echo:
    """A file-like object whose write returns the line: csv.writer into a stream."""

    def write(self, value):
        return value


def _csv_rows(events, naming):
    writer = csv.writer(_Echo())
    yield writer.writerow(CSV_HEADER)
    for event in events.iterator(chunk_size=CSV_CHUNK):
        row = row_of(event, naming)
        yield writer.writerow(
            [
                event.sid,
                event.event_date.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                event.event_type,
                row.what,
                event.account_sid,
                event.actor_type,
                csv_text(row.who.name),
                row.who.sid,
                event.source,
                row.ip,
                event.resource_type,
                event.resource_sid,
                csv_text(row.changes_text),
                csv_text(json.dumps(naming.event_data(event), sort_keys=True)),
            ]
        )


def _activity_csv(account, events, naming):
    """Every event the filters match, newest first, streamed (a year of a busy family's log
    does not fit in memory at once)."""
    response = StreamingHttpResponse(
        _csv_rows(events, naming), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="activity-{account.sid}.csv"'
    return response
