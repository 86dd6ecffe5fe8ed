"""Talking to the API from tests: credentials, paths, and checks on every answer.

Successful answers are validated against Twilio's OpenAPI description (vendored in
tests/openapi/); the description has no error schemas, so errors are checked against
Twilio's error body instead.
"""

import base64
import json
import re
from email.utils import parsedate_to_datetime
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

from openapi_core import Config, OpenAPI
from openapi_core.testing import MockRequest, MockResponse

SPEC_PATH = Path(__file__).resolve().parent.parent / "openapi" / "api_v2010_accounts.json"
# The description's servers are api.twilio.com; requests are matched as if sent there.
SPEC_HOST = "https://api.twilio.com"

ACCOUNTS = "/2010-04-01/Accounts.json"
ERROR_KEYS = {"code", "message", "more_info", "status"}
ACCOUNT_KEYS = [
    "sid",
    "owner_account_sid",
    "friendly_name",
    "status",
    "type",
    "auth_token",
    "date_created",
    "date_updated",
    "uri",
    "subresource_uris",
]
LIST_KEYS = {
    "accounts",
    "page",
    "page_size",
    "start",
    "end",
    "uri",
    "first_page_uri",
    "next_page_uri",
    "previous_page_uri",
}
RFC_2822 = re.compile(r"[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} \+0000")


def _is_rfc2822(value):
    return bool(RFC_2822.fullmatch(value)) and parsedate_to_datetime(value) is not None


OPENAPI = OpenAPI.from_file_path(
    str(SPEC_PATH),
    config=Config(
        # Every property the description lists must be present, not merely allowed.
        response_properties_default_policy="required",
        extra_format_validators={"date-time-rfc-2822": _is_rfc2822},
    ),
)


def account_path(sid):
    return f"/2010-04-01/Accounts/{sid}.json"


def balance_path(sid):
    return f"/2010-04-01/Accounts/{sid}/Balance.json"


def basic_auth(sid, token):
    return "Basic " + base64.b64encode(f"{sid}:{token}".encode()).decode()


def assert_matches_spec(response):
    """The response is what the OpenAPI description says this operation returns."""
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


def assert_error_shape(response):
    """Twilio's error body, exactly: code, message, more_info, status (and never `title`)."""
    assert response["Content-Type"] == "application/json"
    body = json.loads(response.content)
    assert set(body) == ERROR_KEYS
    assert isinstance(body["code"], int)
    assert isinstance(body["message"], str) and body["message"]
    assert body["more_info"] == f"https://www.twilio.com/docs/errors/{body['code']}"
    assert body["status"] == response.status_code
    return body


def assert_twilio_error(response, *, code, status, message=None):
    assert response.status_code == status, response.content
    body = assert_error_shape(response)
    assert body["code"] == code
    if message is not None:
        assert body["message"] == message
    return body


def assert_not_found(response, path):
    """Twilio's 20404 for `path`."""
    return assert_twilio_error(
        response, code=20404, status=404, message=f"The requested resource {path} was not found"
    )


def query_of(uri):
    """The query parameters of a relative URI from a list envelope, as a dict."""
    return dict(parse_qsl(urlsplit(uri).query, keep_blank_values=True))


class Api:
    """Django's test client speaking to the API as twilio-python does (Basic auth, form
    bodies), checking every answer: successes against the description, errors against
    Twilio's body. `as_` is an account, a (sid, token) pair, or None for no credentials."""

    def __init__(self, client):
        self.client = client

    def request(self, method, path, params=None, *, as_=None, body=None, content_type=None):
        headers = {}
        if as_ is not None:
            sid, token = as_ if isinstance(as_, tuple) else (as_.sid, as_.auth_token)
            headers["Authorization"] = basic_auth(sid, token)
        if params:
            path = f"{path}?{urlencode(params)}"
        if body is None:
            body = ""
        elif not isinstance(body, (str, bytes)):
            body = urlencode(body)
        response = self.client.generic(
            method,
            path,
            body,
            content_type=content_type or "application/x-www-form-urlencoded",
            headers=headers,
        )
        if response.status_code < 400:
            assert_matches_spec(response)
        else:
            assert_error_shape(response)
        return response

    def get(self, path, params=None, *, as_=None):
        return self.request("GET", path, params, as_=as_)

    def post(self, path, data=None, *, as_=None, **kwargs):
        return self.request("POST", path, as_=as_, body=data or {}, **kwargs)
