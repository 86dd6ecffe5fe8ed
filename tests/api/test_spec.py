"""The checks the other API tests rely on: the OpenAPI validation must be able to fail."""

import datetime
import json

import pytest
from openapi_core.testing import MockRequest, MockResponse
from openapi_core.validation.response.exceptions import InvalidData

from accounts.api.paging import NEXT, PREVIOUS, PageToken

from .support import OPENAPI, SPEC_HOST, SPEC_PATH

SID = "AC" + "a" * 32
ACCOUNT = {
    "sid": SID,
    "owner_account_sid": SID,
    "friendly_name": "Acme",
    "status": "active",
    "type": "Trial",
    "auth_token": "token",
    "date_created": "Thu, 30 Jul 2015 20:00:00 +0000",
    "date_updated": "Thu, 30 Jul 2015 20:00:00 +0000",
    "uri": f"/2010-04-01/Accounts/{SID}.json",
    "subresource_uris": {},
}


def validate_fetch(body):
    request = MockRequest(SPEC_HOST, "get", f"/2010-04-01/Accounts/{SID}.json")
    OPENAPI.validate_response(request, MockResponse(json.dumps(body).encode()))


def test_the_vendored_description_is_twilios_subset():
    spec = json.loads(SPEC_PATH.read_text())
    assert spec["servers"] == [{"url": "https://api.twilio.com"}]
    assert "MIT License" in (SPEC_PATH.parent / "README.md").read_text()


def test_a_valid_account_passes():
    validate_fetch(ACCOUNT)


MISSING = object()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("auth_token", MISSING),
        ("date_created", "2015-07-30T20:00:00Z"),
        ("status", "open"),
        ("type", "Pro"),
        ("sid", "PN" + "a" * 32),
    ],
)
def test_an_account_unlike_twilios_fails(field, value):
    body = {**ACCOUNT, field: value}
    if value is MISSING:
        del body[field]
    with pytest.raises(InvalidData):
        validate_fetch(body)


@pytest.mark.parametrize(
    "token",
    [
        PageToken(NEXT, None, 1),
        PageToken(NEXT, (datetime.datetime(2026, 1, 1, 12, 0, 0, 1234, datetime.UTC), 42), 7),
        PageToken(PREVIOUS, (datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC), 1), 0),
    ],
)
def test_page_tokens_round_trip(token):
    text = token.encode()
    assert text.startswith("PT")
    assert "=" not in text
    assert PageToken.decode(text) == token
