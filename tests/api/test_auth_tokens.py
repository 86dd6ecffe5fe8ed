"""Auth-token rotation (accounts.twilio.com's v1 AuthTokens API): a secondary token, its
promotion, and what each token can do at every step. Answers are checked against Twilio's
description of the API (vendored in tests/openapi/accounts_v1_auth_tokens.json)."""

import re
from pathlib import Path

import pytest
from openapi_core import OpenAPI
from openapi_core.testing import MockRequest, MockResponse
from twilio.base.exceptions import TwilioRestException

from accounts import errors
from accounts.models import ApiKey, Event
from accounts.services import accounts as account_services
from accounts.services import credentials as credential_services
from accounts.services.events import Actor

from .support import account_path, assert_twilio_error, basic_auth

SPEC = OpenAPI.from_file_path(
    str(Path(__file__).resolve().parent.parent / "openapi" / "accounts_v1_auth_tokens.json")
)
SECONDARY = "/v1/AuthTokens/Secondary"
PROMOTE = "/v1/AuthTokens/Promote"
ISO_8601 = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")


def call(client, method, path, credentials):
    response = client.generic(
        method,
        path,
        "",
        content_type="application/x-www-form-urlencoded",
        headers={"Authorization": basic_auth(*credentials)},
    )
    if response.status_code < 400:
        SPEC.validate_response(
            MockRequest("https://accounts.twilio.com", method.lower(), path),
            MockResponse(
                response.content,
                status_code=response.status_code,
                content_type=response.get("Content-Type", "application/json"),
            ),
        )
    return response


def token_works(client, account, token):
    response = client.get(
        account_path(account.sid), headers={"Authorization": basic_auth(account.sid, token)}
    )
    return response.status_code == 200


def test_a_whole_rotation(client, main_account):
    old = main_account.auth_token
    created = call(client, "POST", SECONDARY, (main_account.sid, old))
    assert created.status_code == 201
    body = created.json()
    new = body["secondary_auth_token"]
    assert re.fullmatch(r"[0-9a-f]{32}", new) and new != old
    assert body["account_sid"] == main_account.sid
    assert ISO_8601.fullmatch(body["date_created"]) and body["url"].endswith(SECONDARY)
    # Either token works while the secondary exists.
    assert token_works(client, main_account, old) and token_works(client, main_account, new)

    promoted = call(client, "POST", PROMOTE, (main_account.sid, new))
    assert promoted.status_code == 200
    assert promoted.json()["auth_token"] == new
    assert ISO_8601.fullmatch(promoted.json()["date_updated"])
    assert not token_works(client, main_account, old)
    assert token_works(client, main_account, new)
    refused = client.get(
        account_path(main_account.sid), headers={"Authorization": basic_auth(main_account.sid, old)}
    )
    assert_twilio_error(refused, code=20003, status=401)
    main_account.refresh_from_db()
    assert (main_account.auth_token, main_account.secondary_auth_token) == (new, "")

    # Every step is an event, without the values.
    events = Event.objects.filter(event_type="account.updated", account_sid=main_account.sid)
    assert [sorted(e.event_data) for e in events.order_by("id")] == [
        ["secondary_auth_token"],
        ["auth_token", "secondary_auth_token"],
    ]
    assert old not in str([e.event_data for e in events]) and new not in str(
        [e.event_data for e in events]
    )


def test_deleting_the_secondary(client, main_account):
    credentials = (main_account.sid, main_account.auth_token)
    secondary = call(client, "POST", SECONDARY, credentials).json()["secondary_auth_token"]
    deleted = call(client, "DELETE", SECONDARY, credentials)
    assert deleted.status_code == 204 and deleted.content == b""
    assert not token_works(client, main_account, secondary)
    assert token_works(client, main_account, main_account.auth_token)
    # Nothing left to delete or promote.
    assert_twilio_error(
        call(client, "DELETE", SECONDARY, credentials),
        code=20404,
        status=404,
        message=errors.NO_SECONDARY_AUTH_TOKEN,
    )
    assert_twilio_error(call(client, "POST", PROMOTE, credentials), code=20404, status=404)


def test_a_new_secondary_replaces_the_old_one(client, main_account):
    credentials = (main_account.sid, main_account.auth_token)
    first = call(client, "POST", SECONDARY, credentials).json()["secondary_auth_token"]
    second = call(client, "POST", SECONDARY, credentials).json()["secondary_auth_token"]
    assert first != second
    assert not token_works(client, main_account, first)
    assert token_works(client, main_account, second)


def test_a_subaccount_rotates_only_its_own_token(client, main_account, subaccount):
    call(client, "POST", SECONDARY, (subaccount.sid, subaccount.auth_token))
    subaccount.refresh_from_db()
    main_account.refresh_from_db()
    assert subaccount.secondary_auth_token and not main_account.secondary_auth_token


def test_keys_and_rotation(client, main_account):
    standard, secret = credential_services.key_create(account=main_account, actor=Actor.system())
    assert_twilio_error(
        call(client, "POST", SECONDARY, (standard.sid, secret)),
        code=20003,
        status=401,
        message=errors.API_STANDARD_KEY_REFUSED,
    )
    main_key, main_secret = credential_services.key_create(
        account=main_account, key_type=ApiKey.KeyType.MAIN, actor=Actor.system()
    )
    assert call(client, "POST", SECONDARY, (main_key.sid, main_secret)).status_code == 201
    event = Event.objects.get(event_type="account.updated", account_sid=main_account.sid)
    assert (event.actor_type, event.actor_sid) == ("key", main_key.sid)


def test_wrong_credentials_and_methods(client, main_account):
    assert_twilio_error(
        call(client, "POST", SECONDARY, (main_account.sid, "0" * 32)), code=20003, status=401
    )
    assert_twilio_error(
        call(client, "GET", SECONDARY, (main_account.sid, main_account.auth_token)),
        code=20004,
        status=405,
    )


def test_a_closed_subaccount_cannot_rotate(client, main_account, subaccount, owner):
    account_services.account_close(account=subaccount, actor=Actor.for_user(owner))
    with pytest.raises(errors.CredentialsAccountClosed):
        credential_services.auth_token_secondary_create(account=subaccount, actor=Actor.system())


@pytest.mark.django_db(transaction=True)
def test_a_whole_rotation_through_the_official_client(twilio_client, live_server, main_account):
    old = main_account.auth_token
    client = twilio_client(main_account.sid, old)
    client.accounts.base_url = live_server.url

    secondary = client.accounts.v1.secondary_auth_token().create()
    assert secondary.account_sid == main_account.sid
    assert secondary.date_created is not None  # the client parsed the ISO 8601 date
    new = secondary.secondary_auth_token

    # Both tokens work while the secondary exists.
    with_new = twilio_client(main_account.sid, new)
    assert client.api.accounts(main_account.sid).fetch().sid == main_account.sid
    assert with_new.api.accounts(main_account.sid).fetch().sid == main_account.sid

    promotion = client.accounts.v1.auth_token_promotion().update()
    assert promotion.auth_token == new

    # The old primary fails at once with 20003; the new one works.
    with pytest.raises(TwilioRestException) as refused:
        client.api.accounts(main_account.sid).fetch()
    assert (refused.value.status, refused.value.code) == (401, 20003)
    assert with_new.api.accounts(main_account.sid).fetch().sid == main_account.sid

    # A secondary again, made and deleted with the new token.
    with_new.accounts.base_url = live_server.url
    again = with_new.accounts.v1.secondary_auth_token().create()
    assert with_new.accounts.v1.secondary_auth_token().delete() is True
    gone = twilio_client(main_account.sid, again.secondary_auth_token)
    with pytest.raises(TwilioRestException) as refused:
        gone.api.accounts(main_account.sid).fetch()
    assert refused.value.code == 20003
