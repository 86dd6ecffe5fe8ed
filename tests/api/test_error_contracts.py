"""The API answers Twilio's JSON error body for everything it can catch: parameters that
cannot be read, a request too large, the database being away (503 with Retry-After), a bug
(500)."""

import base64
import json

import pytest
from django.db import OperationalError
from django.test import Client, RequestFactory

from accounts import errors
from accounts.views import errors as error_views
from tests.wsgi import database_unreachable, wsgi_request

from .support import ACCOUNTS, ERROR_KEYS


def _credentials(account):
    token = base64.b64encode(f"{account.sid}:{account.auth_token}".encode()).decode()
    return f"Basic {token}"


def _twilio_error(response, status, code, message=None):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    body = json.loads(response.content)
    assert set(body) == ERROR_KEYS
    assert (body["status"], body["code"]) == (status, code)
    assert body["more_info"] == f"https://www.twilio.com/docs/errors/{code}"
    if message is not None:
        assert body["message"] == message
    return body


@pytest.mark.django_db
@pytest.mark.parametrize("charset", ["hex", "base64", "rot13", "utf-16", "cp037"])
def test_a_charset_that_cannot_read_parameters_is_a_400(main_account, charset):
    # Django's own request raised while it was built, before any handler: the server's 500.
    response = wsgi_request(
        "GET",
        ACCOUNTS,
        query="FriendlyName=Acme",
        content_type=f"text/plain; charset={charset}",
        headers={"Authorization": _credentials(main_account)},
    )
    _twilio_error(response, 400, errors.API_ACCOUNTS_RESOURCE, errors.API_CHARSET_UNREADABLE)


@pytest.mark.django_db
def test_a_charset_that_cannot_read_a_form_body_is_a_400(main_account):
    response = wsgi_request(
        "POST",
        ACCOUNTS,
        content_type="multipart/form-data; boundary=x; charset=hex",
        body=b'--x\r\nContent-Disposition: form-data; name="FriendlyName"\r\n\r\nA\r\n--x--\r\n',
        headers={"Authorization": _credentials(main_account)},
    )
    _twilio_error(response, 400, errors.API_ACCOUNTS_RESOURCE, errors.API_CHARSET_UNREADABLE)
    assert not main_account.subaccounts.exists()


@pytest.mark.django_db
def test_a_malformed_content_type_is_a_400(main_account):
    response = wsgi_request(
        "GET",
        ACCOUNTS,
        content_type="text/plain; x=" + "y" * 10_000,
        headers={"Authorization": _credentials(main_account)},
    )
    _twilio_error(response, 400, errors.API_ACCOUNTS_RESOURCE, errors.API_CONTENT_TYPE_INVALID)


@pytest.mark.django_db
def test_a_readable_request_goes_through_the_real_application(main_account):
    response = wsgi_request(
        "GET",
        ACCOUNTS,
        query="PageSize=1",
        content_type="text/plain; charset=utf-8",
        headers={"Authorization": _credentials(main_account)},
    )
    assert response.status_code == 200
    assert response.json()["accounts"][0]["sid"] == main_account.sid


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("charset", "message"),
    [
        ("latin-1", errors.API_FORM_NOT_UTF8),
        ("us-ascii", errors.API_FORM_NOT_UTF8),
        ("utf-16", errors.API_CHARSET_UNREADABLE),
    ],
)
def test_a_form_body_in_another_charset_than_utf8_is_a_400(main_account, charset, message):
    # Was Django's HTML 400 page: forms are UTF-8 (RFC 1866).
    response = wsgi_request(
        "POST",
        ACCOUNTS,
        content_type=f"application/x-www-form-urlencoded; charset={charset}",
        body="FriendlyName=Caf\xe9".encode("latin-1"),
        headers={"Authorization": _credentials(main_account)},
    )
    _twilio_error(response, 400, errors.API_ACCOUNTS_RESOURCE, message)
    assert not main_account.subaccounts.exists()


@pytest.mark.django_db
def test_an_oversized_body_is_a_413(main_account, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1_000
    response = Client().post(
        ACCOUNTS,
        "FriendlyName=" + "a" * 2_000,
        content_type="application/x-www-form-urlencoded",
        HTTP_AUTHORIZATION=_credentials(main_account),
    )
    _twilio_error(
        response,
        413,
        errors.API_REQUEST_TOO_LARGE_CODE,
        errors.API_REQUEST_TOO_LARGE.format(limits="1000 bytes of parameters and 1,000 parameters"),
    )
    assert not main_account.subaccounts.exists()


@pytest.mark.django_db
def test_too_many_parameters_is_a_413(main_account):
    response = Client().get(
        ACCOUNTS,
        {f"P{n}": "x" for n in range(1_001)},
        HTTP_AUTHORIZATION=_credentials(main_account),
    )
    _twilio_error(response, 413, errors.API_REQUEST_TOO_LARGE_CODE)


@pytest.mark.django_db(transaction=True)
@pytest.mark.postgres
def test_the_database_being_away_is_a_503_with_retry_after(postgres_only, main_account):
    client = Client()
    with database_unreachable():
        response = client.get(ACCOUNTS, HTTP_AUTHORIZATION=_credentials(main_account))
        created = client.post(
            ACCOUNTS, {"FriendlyName": "Lost?"}, HTTP_AUTHORIZATION=_credentials(main_account)
        )
    for answer in (response, created):
        _twilio_error(
            answer, 503, errors.API_SERVICE_UNAVAILABLE_CODE, errors.API_SERVICE_UNAVAILABLE
        )
        assert answer["Retry-After"] == "5"
        assert "no-store" in answer["Cache-Control"]
    # Once it is back, so is the API, without a restart.
    again = client.get(ACCOUNTS, HTTP_AUTHORIZATION=_credentials(main_account))
    assert again.status_code == 200
    assert [a["sid"] for a in again.json()["accounts"]] == [main_account.sid]


@pytest.mark.parametrize(
    ("raised", "status", "code"),
    [
        (OperationalError("connection refused"), 503, errors.API_SERVICE_UNAVAILABLE_CODE),
        (ZeroDivisionError("a bug"), 500, errors.API_SERVER_ERROR_CODE),
    ],
)
def test_an_exception_outside_any_view_is_answered_in_twilios_body(raised, status, code):
    # handler500 runs for exceptions raised where no middleware answers (another middleware,
    # the response phase); Django calls it inside the `except` block.
    request = RequestFactory().get(ACCOUNTS)
    try:
        raise raised
    except type(raised):
        response = error_views.server_error(request)
    _twilio_error(response, status, code)
