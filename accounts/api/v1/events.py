"""Twilio's Monitor Events API (monitor.twilio.com/v1/Events), served from this host.

The activity log as the official client reads it: `client.monitor.v1.events.list(...)` and
`client.monitor.v1.events(sid).fetch()`. A main account's credentials read its family's
events, a subaccount's only its own. v1 speaks ISO 8601 dates and a `meta` list envelope
whose URLs are absolute, unlike the 2010-04-01 API.
"""

import datetime
import ipaddress
import re

from django.http import JsonResponse

from ... import errors
from ...models import Event
from ...selectors import events as selectors
from .. import paging
from ..auth import api_view
from ..serializers import account_uri, incoming_phone_number_uri, iso8601

ISO_8601 = "%Y-%m-%dT%H:%M:%SZ"
EVENTS_PATH = "/v1/Events"

ACTOR_SID = re.compile(r"(US|AC|SK)[0-9a-fA-F]{32}")
RESOURCE_SID = re.compile(r"[a-zA-Z]{2}[0-9a-fA-F]{32}")
DATE_ONLY = re.compile(r"\d{4}-\d{2}-\d{2}")
# Longer than any date, SID or address; not worth parsing, nor repeating in full.
PARAMETER_MAX_LENGTH = 64
EVENT_TYPE_MAX_LENGTH = Event._meta.get_field("event_type").max_length


def _links(event, base_url):
    """Absolute URLs of the actor and the resource, where this server has one."""
    actor = resource = None
    if event.actor_type == Event.ActorType.ACCOUNT and event.actor_sid:
        actor = base_url + account_uri(event.actor_sid)
    if event.resource_type == "account" and event.resource_sid:
        resource = base_url + account_uri(event.resource_sid)
    elif event.resource_type == "phone-number" and event.account_sid and event.resource_sid:
        resource = base_url + incoming_phone_number_uri(event.account_sid, event.resource_sid)
    return {"actor": actor, "resource": resource}


def event_json(event, *, base_url, caller):
    """An Event in Twilio's field order. Support staff stay anonymous: no actor SID."""
    anonymous = event.actor_type == Event.ActorType.SUPPORT
    return {
        "account_sid": event.account_sid or None,
        "actor_sid": None if anonymous else (event.actor_sid or None),
        "actor_type": event.actor_type,
        "description": event.description or None,
        "event_data": selectors.event_data_for_reader(event.event_data, reader=caller),
        "event_date": iso8601(event.event_date),
        "event_type": event.event_type,
        "resource_sid": event.resource_sid or None,
        "resource_type": event.resource_type,
        "sid": event.sid,
        "source": event.source,
        "source_ip_address": None if anonymous else event.source_ip_address,
        "url": f"{base_url}{EVENTS_PATH}/{event.sid}",
        "links": _links(event, base_url),
    }


def _base_url(request):
    """https://host of this request: v1 URLs are absolute."""
    return f"{request.scheme}://{request.get_host()}"


def _shown(value):
    return value if len(value) <= PARAMETER_MAX_LENGTH else value[:PARAMETER_MAX_LENGTH] + "…"


def _invalid(message):
    return errors.ApiError(errors.API_INVALID_PARAMETER, message)


def _sid(params, name, pattern, example):
    value = params.get(name)
    if value is None:
        return None
    if not pattern.fullmatch(value):
        raise _invalid(
            errors.API_SID_INVALID.format(name=name, example=example, value=_shown(value))
        )
    return value


def _moment(params, name):
    """(the moment, whether only a date was given) of an ISO 8601 parameter, or (None, False).
    Without an offset the moment is UTC ("Specify the date in GMT")."""
    value = params.get(name)
    if value is None:
        return None, False
    text = value.strip()
    try:
        if len(text) > PARAMETER_MAX_LENGTH:
            raise ValueError
        moment = datetime.datetime.fromisoformat(text)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=datetime.UTC)
        moment = moment.astimezone(datetime.UTC)
    except (ValueError, OverflowError):
        raise _invalid(errors.API_DATE_INVALID.format(name=name, value=_shown(value))) from None
    return moment, bool(DATE_ONLY.fullmatch(text))


def _ip_address(params):
    value = params.get("SourceIpAddress")
    if value is None:
        return None
    try:
        # Checked here: PostgreSQL's inet column refuses anything else outright.
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        raise _invalid(errors.API_IP_ADDRESS_INVALID.format(value=_shown(value))) from None


def _filters(params):
    """(event_filter's arguments, the filters to repeat in the page URLs) from the query
    string, or ApiError 20001 for a value that cannot be one."""
    start, _ = _moment(params, "StartDate")
    end, end_is_a_date = _moment(params, "EndDate")
    if start is not None and end is not None and start > end:
        raise _invalid(errors.API_DATE_RANGE_REVERSED)
    event_type = params.get("EventType")
    filters = {
        "event_type": event_type,
        "actor_sid": _sid(params, "ActorSid", ACTOR_SID, "US… (a user) or AC… (credentials)"),
        "resource_sid": _sid(params, "ResourceSid", RESOURCE_SID, "AC… or PN…"),
        "source_ip_address": _ip_address(params),
        "start": start,
        # A date alone ends with that day: "on or before" 2026-12-01 includes its evening.
        "end": None if end_is_a_date else end,
        "before": end + datetime.timedelta(days=1) if end_is_a_date else None,
    }
    echoed = [
        (name, params[name])
        for name in (
            "StartDate",
            "SourceIpAddress",
            "EndDate",
            "ActorSid",
            "EventType",
            "ResourceSid",
        )
        if name in params
    ]
    return filters, echoed


def _never_matches(event_type):
    # No stored type holds a NUL (PostgreSQL would refuse it in a query) or is that long.
    return event_type is not None and (
        "\x00" in event_type or len(event_type) > EVENT_TYPE_MAX_LENGTH
    )


@api_view("GET")
def event_list(request, caller):
    """The caller's events, newest first (event_date, then id), keyset-paged."""
    params = request.GET
    filters, echoed = _filters(params)
    page_size = paging.page_size_parse(params.get("PageSize"))
    token = paging.page_token_parse(page_token=params.get("PageToken"), page=params.get("Page"))
    events = selectors.event_list_for_caller(caller=caller)
    if _never_matches(filters["event_type"]):
        events = events.none()
    events = selectors.event_filter(events, **filters)
    page = paging.page_get(
        head=None, rest=events, page_size=page_size, token=token, date_field="event_date"
    )
    base_url = _base_url(request)
    return JsonResponse(
        paging.meta_envelope(
            key="events",
            records=[event_json(event, base_url=base_url, caller=caller) for event in page.records],
            page=page,
            page_size=page_size,
            url=base_url + EVENTS_PATH,
            filters=echoed,
        )
    )


@api_view("GET")
def event_detail(request, caller, sid):
    """One event of the caller's log; another family's event is 20404, like a made-up SID."""
    event = selectors.event_get_for_caller(caller=caller, sid=sid)
    return JsonResponse(event_json(event, base_url=_base_url(request), caller=caller))
