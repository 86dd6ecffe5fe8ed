"""Checking Monitor v1 answers (`/v1/Events`) against Twilio's description of them.

The description is vendored unchanged in tests/openapi/monitor_v1_events.json. One pattern is
widened in memory: `actor_sid` says `^US…` while its own text says the actor "can be either a
User ID (`^US…`) or an Account SID (`^AC…`)", and events caused by API credentials carry the
account's SID (see tests/openapi/README.md).
"""

import copy
import datetime
import json
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from openapi_core import Config, OpenAPI
from openapi_core.testing import MockRequest, MockResponse

from .support import assert_error_shape, basic_auth

SPEC_PATH = Path(__file__).resolve().parent.parent / "openapi" / "monitor_v1_events.json"
SPEC_HOST = "https://monitor.twilio.com"
EVENTS = "/v1/Events"
DOCUMENTED_ACTOR_SID = "^US[0-9a-fA-F]{32}$"
ACTOR_SID = "^(US|AC)[0-9a-fA-F]{32}$"
ISO_8601 = "%Y-%m-%dT%H:%M:%SZ"
EVENT_KEYS = [
    "account_sid",
    "actor_sid",
    "actor_type",
    "description",
    "event_data",
    "event_date",
    "event_type",
    "resource_sid",
    "resource_type",
    "sid",
    "source",
    "source_ip_address",
    "url",
    "links",
]
META_KEYS = {
    "first_page_url",
    "key",
    "next_page_url",
    "page",
    "page_size",
    "previous_page_url",
    "url",
}

SPEC = json.loads(SPEC_PATH.read_text())


def _widened(spec):
    spec = copy.deepcopy(spec)
    spec["components"]["schemas"]["monitor.v1.event"]["properties"]["actor_sid"]["pattern"] = (
        ACTOR_SID
    )
    return spec


def _is_iso8601_utc(value):
    """Exactly 2026-12-01T16:02:38Z: what twilio-python's deserializer parses."""
    try:
        datetime.datetime.strptime(value, ISO_8601)
    except ValueError:
        return False
    return True


def _is_absolute_url(value):
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


OPENAPI = OpenAPI.from_dict(
    _widened(SPEC),
    config=Config(
        # Every property the description lists must be present, not merely allowed.
        response_properties_default_policy="required",
        extra_format_validators={"date-time": _is_iso8601_utc, "uri": _is_absolute_url},
    ),
)


def validate(method, path, body, query=None, status=200):
    request = MockRequest(SPEC_HOST, method, path, args=query or {})
    OPENAPI.validate_response(
        request,
        MockResponse(json.dumps(body).encode(), status_code=status),
    )


def assert_matches_spec(response):
    environ = response.request
    request = MockRequest(
        SPEC_HOST,
        environ["REQUEST_METHOD"].lower(),
        environ["PATH_INFO"],
        args=dict(parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True)),
    )
    answer = MockResponse(
        response.content, status_code=response.status_code, content_type=response["Content-Type"]
    )
    OPENAPI.validate_response(request, answer)


class MonitorApi:
    """Django's test client calling /v1/Events as twilio-python does, checking every answer:
    successes against the description, errors against Twilio's error body."""

    def __init__(self, client):
        self.client = client

    def get(self, path, params=None, *, as_=None):
        headers = {}
        if as_ is not None:
            sid, token = as_ if isinstance(as_, tuple) else (as_.sid, as_.auth_token)
            headers["Authorization"] = basic_auth(sid, token)
        if path.startswith("http"):  # a page URL from `meta`, absolute
            parts = urlsplit(path)
            path = parts.path + (f"?{parts.query}" if parts.query else "")
        response = self.client.get(path, params or {}, headers=headers)
        if response.status_code < 400:
            assert_matches_spec(response)
        else:
            assert_error_shape(response)
        return response


def event_path(sid):
    return f"{EVENTS}/{sid}"
