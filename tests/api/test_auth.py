"""Basic authentication, statelessness, methods and unknown URLs."""

import base64
import hmac

import pytest
from django.test import Client

from accounts import errors
from accounts.models import Account
from accounts.services import accounts as account_services
from accounts.services.events import Actor

from .support import ACCOUNTS, Api, account_path, assert_twilio_error, balance_path, basic_auth

ENDPOINTS = [
    ("GET", lambda sid: ACCOUNTS),
    ("POST", lambda sid: ACCOUNTS),
    ("GET", account_path),
    ("POST", account_path),
    ("GET", balance_path),
    ("GET", lambda sid: "/2010-04-01/Accounts/Calls.json"),
]


def assert_unauthenticated(response):
    assert_twilio_error(response, code=20003, status=401, message=errors.API_AUTHENTICATE)
    assert response["WWW-Authenticate"] == 'Basic realm="Twilio API"'


@pytest.mark.parametrize(("method", "path_for"), ENDPOINTS)
def test_every_endpoint_needs_credentials(api, main_account, method, path_for):
    assert_unauthenticated(api.request(method, path_for(main_account.sid)))


@pytest.mark.parametrize(("method", "path_for"), ENDPOINTS)
def test_a_wrong_auth_token_is_refused(api, main_account, method, path_for):
    response = api.request(method, path_for(main_account.sid), as_=(main_account.sid, "0" * 32))
    assert_unauthenticated(response)


@pytest.mark.parametrize(
    "authorization",
    [
        "Bearer abc",
        "Basic",
        "Basic not-base64!",
        "Basic " + base64.b64encode(b"no-colon-in-here").decode(),
        "Basic //79/Q==",  # not UTF-8
        basic_auth("SKaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "secret"),  # API keys are not served
        basic_auth("AC" + "0" * 32, "0" * 32),  # no such account
    ],
)
def test_malformed_or_unknown_credentials_are_refused(client, main_account, authorization):
    response = client.get(ACCOUNTS, headers={"Authorization": authorization})
    assert_unauthenticated(response)


def test_the_auth_token_is_compared_in_constant_time(api, main_account, monkeypatch):
    calls = []
    original = hmac.compare_digest

    def spy(given, expected):
        calls.append((given, expected))
        return original(given, expected)

    monkeypatch.setattr(hmac, "compare_digest", spy)
    assert api.get(account_path(main_account.sid), as_=main_account).status_code == 200
    known = len(calls)
    # An unknown SID costs the same comparisons (primary and secondary token), so response
    # time does not reveal which SIDs exist.
    assert_unauthenticated(api.get(ACCOUNTS, as_=("AC" + "1" * 32, "x" * 32)))
    assert known == len(calls) - known == 2


@pytest.mark.parametrize("status", ["suspended", "closed"])
def test_credentials_of_a_suspended_or_closed_account_are_refused(
    api, main_account, subaccount, owner, status
):
    account_services.account_status_set(
        account=subaccount, status=status, actor=Actor.for_user(owner)
    )
    assert_unauthenticated(api.get(account_path(subaccount.sid), as_=subaccount))


def test_credentials_of_a_suspended_main_account_are_refused(api, main_account, subaccount):
    account_services.account_suspend(
        account=main_account,
        source=Account.StatusSource.SUPPORT,
        reason="Unpaid",
        actor=Actor.system(),
    )
    assert_unauthenticated(api.get(ACCOUNTS, as_=main_account))
    # Its subaccounts were suspended with it.
    assert_unauthenticated(api.get(ACCOUNTS, as_=subaccount))


def test_a_closed_main_account_is_refused(api, main_account, owner):
    account_services.account_close(account=main_account, actor=Actor.for_user(owner))
    assert_unauthenticated(api.get(ACCOUNTS, as_=main_account))


def test_the_api_is_stateless_no_session_cookie_or_csrf(main_account):
    csrf_client = Client(enforce_csrf_checks=True)
    api = Api(csrf_client)
    response = api.post(ACCOUNTS, {"FriendlyName": "Scripted"}, as_=main_account)
    assert response.status_code == 201
    assert not response.cookies
    assert "Cookie" not in response.get("Vary", "")
    response = api.get(ACCOUNTS, as_=main_account)
    assert not response.cookies
    assert "Cookie" not in response.get("Vary", "")


def test_a_signed_in_console_session_does_not_authenticate_the_api(api, client, main_account):
    client.force_login(main_account.owner)
    assert_unauthenticated(api.get(ACCOUNTS))


@pytest.mark.parametrize(
    ("method", "path_for", "allowed"),
    [
        ("DELETE", account_path, "GET, POST"),
        ("PUT", account_path, "GET, POST"),
        ("PATCH", lambda sid: ACCOUNTS, "GET, POST"),
        ("DELETE", lambda sid: ACCOUNTS, "GET, POST"),
        ("POST", balance_path, "GET"),
        ("OPTIONS", balance_path, "GET"),
    ],
)
def test_a_wrong_method_is_405_with_a_twilio_body(api, main_account, method, path_for, allowed):
    response = api.request(method, path_for(main_account.sid), as_=main_account)
    assert_twilio_error(response, code=20004, status=405, message="Method not allowed")
    assert response["Allow"] == allowed


@pytest.mark.parametrize(
    "path",
    [
        "/2010-04-01/",
        "/2010-04-01/Accounts",
        "/2010-04-01/Accounts.xml",
        "/2010-04-01/Calls.json",
        "/2010-04-01/Accounts/{sid}/Calls.json",
        "/2010-04-01/Accounts/{sid}/Balance.json/extra",
    ],
)
def test_an_unknown_url_is_20404_naming_the_path(api, main_account, path):
    path = path.format(sid=main_account.sid)
    response = api.get(path, as_=main_account)
    assert_twilio_error(
        response,
        code=20404,
        status=404,
        message=f"The requested resource {path} was not found",
    )


@pytest.mark.parametrize(
    "path",
    [
        "/2010-04-01/Accounts/{nul}.json",
        "/2010-04-01/Accounts/{nul}/Balance.json",
        "/2010-04-01/Accounts/{nul}/IncomingPhoneNumbers.json",
        "/2010-04-01/Accounts/{account}/IncomingPhoneNumbers/{nul}.json",
    ],
)
def test_api_sids_with_a_nul_character_are_not_found(api, main_account, path):
    # PostgreSQL refuses text with a NUL character in a query: a clear 404, never a 500.
    url = path.format(account=main_account.sid, nul="AC%00")

    assert_twilio_error(api.get(url, as_=main_account), code=20404, status=404)
