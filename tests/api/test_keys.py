"""API keys over the v2010 API: Keys and SigningKeys, and authenticating with `SK…:secret`.

Every success is checked against Twilio's description by the `Api` helper (the vendored
subset includes Keys and SigningKeys), every refusal against Twilio's error body.
"""

import hashlib
import hmac
import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts import errors
from accounts.models import Account, ApiKey, AvailablePhoneNumber, Event
from accounts.services import accounts as account_services
from accounts.services import credentials as credential_services
from accounts.services import ledger as ledger_services
from accounts.services.events import Actor

from .support import ACCOUNTS, account_path, assert_twilio_error, balance_path

SECRET = re.compile(r"[A-Za-z0-9]{32}")


def keys_path(account_sid, sid=None, resource="Keys"):
    if sid is None:
        return f"/2010-04-01/Accounts/{account_sid}/{resource}.json"
    return f"/2010-04-01/Accounts/{account_sid}/{resource}/{sid}.json"


def numbers_path(account_sid):
    return f"/2010-04-01/Accounts/{account_sid}/IncomingPhoneNumbers.json"


def make_key(account, key_type=ApiKey.KeyType.STANDARD, name="CI"):
    key, secret = credential_services.key_create(
        account=account, friendly_name=name, key_type=key_type, actor=Actor.system()
    )
    return key, (key.sid, secret)


def assert_unauthenticated(response, message=errors.API_AUTHENTICATE):
    assert_twilio_error(response, code=20003, status=401, message=message)


def assert_standard_key_refused(response):
    assert_unauthenticated(response, errors.API_STANDARD_KEY_REFUSED)


# --- The resource ---------------------------------------------------------------------------


def test_a_key_is_created_with_its_secret_returned_once(api, main_account):
    response = api.post(keys_path(main_account.sid), {"FriendlyName": "CI"}, as_=main_account)
    assert response.status_code == 201
    body = response.json()
    assert body["sid"].startswith("SK") and body["friendly_name"] == "CI"
    assert SECRET.fullmatch(body["secret"])
    key = ApiKey.objects.get(sid=body["sid"])
    assert (key.account, key.key_type, key.kind) == (main_account, "standard", "key")
    # Only a keyed hash is stored, never the secret.
    assert (
        key.secret_hash
        == hmac.new(
            settings.API_KEY_HMAC_KEY.encode(), body["secret"].encode(), hashlib.sha256
        ).hexdigest()
    )
    assert body["secret"] not in str(ApiKey.objects.filter(pk=key.pk).values().get())

    fetched = api.get(keys_path(main_account.sid, key.sid), as_=main_account).json()
    assert "secret" not in fetched
    listed = api.get(keys_path(main_account.sid), as_=main_account).json()
    assert [record["sid"] for record in listed["keys"]] == [key.sid]
    assert "secret" not in listed["keys"][0]

    event = Event.objects.get(event_type="key.created")
    assert (event.account_sid, event.resource_sid, event.actor_type, event.actor_sid) == (
        main_account.sid,
        key.sid,
        "account",
        main_account.sid,
    )
    assert body["secret"] not in str(event.event_data)


def test_keys_are_renamed_and_deleted(api, main_account):
    key, _credentials = make_key(main_account)
    path = keys_path(main_account.sid, key.sid)
    renamed = api.post(path, {"FriendlyName": "Deploys"}, as_=main_account)
    assert renamed.json()["friendly_name"] == "Deploys"
    assert Event.objects.filter(event_type="key.updated", resource_sid=key.sid).count() == 1
    too_long = api.post(path, {"FriendlyName": "x" * 65}, as_=main_account)
    assert_twilio_error(too_long, code=20002, status=400)

    deleted = api.request("DELETE", path, as_=main_account)
    assert deleted.status_code == 204 and deleted.content == b""
    assert_twilio_error(api.get(path, as_=main_account), code=20404, status=404)
    assert Event.objects.filter(event_type="key.deleted", resource_sid=key.sid).count() == 1


def test_keys_list_pages_newest_first(api, main_account):
    made = [make_key(main_account, name=f"key {n}")[0] for n in range(3)]
    first = api.get(keys_path(main_account.sid), {"PageSize": 2}, as_=main_account).json()
    assert [record["sid"] for record in first["keys"]] == [made[2].sid, made[1].sid]
    second = api.get(first["next_page_uri"], as_=main_account).json()
    assert [record["sid"] for record in second["keys"]] == [made[0].sid]


def test_signing_keys_are_their_own_list(api, main_account):
    created = api.post(
        keys_path(main_account.sid, resource="SigningKeys"),
        {"FriendlyName": "Tokens"},
        as_=main_account,
    )
    assert created.status_code == 201 and SECRET.fullmatch(created.json()["secret"])
    sid = created.json()["sid"]
    make_key(main_account)
    listed = api.get(keys_path(main_account.sid, resource="SigningKeys"), as_=main_account)
    assert [record["sid"] for record in listed.json()["signing_keys"]] == [sid]
    # A signing key is not under Keys, nor a key under SigningKeys.
    assert_twilio_error(
        api.get(keys_path(main_account.sid, sid), as_=main_account), code=20404, status=404
    )
    path = keys_path(main_account.sid, sid, resource="SigningKeys")
    assert api.post(path, {"FriendlyName": "Video"}, as_=main_account).json()["friendly_name"] == (
        "Video"
    )
    assert api.request("DELETE", path, as_=main_account).status_code == 204


def test_a_main_account_manages_its_subaccounts_keys(api, main_account, subaccount, sibling):
    created = api.post(keys_path(subaccount.sid), {"FriendlyName": "EU"}, as_=main_account)
    assert created.status_code == 201
    assert ApiKey.objects.get(sid=created.json()["sid"]).account == subaccount
    # The subaccount's own credentials see it; a sibling's do not reach it at all.
    assert (
        api.get(keys_path(subaccount.sid), as_=subaccount).json()["keys"][0]["sid"]
        == (created.json()["sid"])
    )
    assert_twilio_error(api.get(keys_path(subaccount.sid), as_=sibling), code=20404, status=404)
    assert_twilio_error(
        api.get(keys_path(main_account.sid), as_=subaccount), code=20404, status=404
    )


def test_another_accounts_key_is_not_found(api, main_account, other_account):
    key, _credentials = make_key(other_account)
    assert_twilio_error(
        api.get(keys_path(main_account.sid, key.sid), as_=main_account), code=20404, status=404
    )


# --- Authenticating with a key --------------------------------------------------------------


@pytest.fixture
def stock(main_account, subaccount):
    Account.objects.filter(pk__in=[main_account.pk, subaccount.pk]).update(type="Full")
    ledger_services.funds_add(account=main_account, amount="20", actor=Actor.system(), reason="t")
    AvailablePhoneNumber.objects.bulk_create(
        AvailablePhoneNumber(
            phone_number=f"+1415555{line:04d}",
            friendly_name=f"(415) 555-{line:04d}",
            monthly_price=Decimal("1.15"),
        )
        for line in range(100, 104)
    )


def test_a_standard_key_reaches_its_own_accounts_resources(api, main_account, stock):
    key, credentials = make_key(main_account)
    balance = api.get(balance_path(main_account.sid), as_=credentials)
    assert balance.status_code == 200
    bought = api.post(
        numbers_path(main_account.sid), {"PhoneNumber": "+14155550100"}, as_=credentials
    )
    assert bought.status_code == 201
    # The event names the key, not the account.
    event = Event.objects.get(event_type="phone-number.created")
    assert (event.actor_type, event.actor_sid, event.source) == ("key", key.sid, "api")


def test_a_standard_key_cannot_manage_accounts_or_keys(api, main_account):
    _key, credentials = make_key(main_account)
    assert_standard_key_refused(api.get(ACCOUNTS, as_=credentials))
    assert_standard_key_refused(api.post(ACCOUNTS, {"FriendlyName": "x"}, as_=credentials))
    assert_standard_key_refused(api.get(account_path(main_account.sid), as_=credentials))
    assert_standard_key_refused(api.get(keys_path(main_account.sid), as_=credentials))
    assert_standard_key_refused(api.post(keys_path(main_account.sid), as_=credentials))
    assert_standard_key_refused(
        api.get(keys_path(main_account.sid, resource="SigningKeys"), as_=credentials)
    )
    assert not Account.objects.filter(friendly_name="x").exists()


def test_a_main_accounts_standard_key_does_not_reach_its_subaccounts(api, main_account, subaccount):
    _key, credentials = make_key(main_account)
    assert_unauthenticated(api.get(balance_path(subaccount.sid), as_=credentials))
    assert_unauthenticated(api.get(numbers_path(subaccount.sid), as_=credentials))


def test_a_main_key_is_like_the_auth_token(api, main_account, subaccount):
    key, credentials = make_key(main_account, ApiKey.KeyType.MAIN)
    listed = api.get(ACCOUNTS, as_=credentials).json()
    assert [record["sid"] for record in listed["accounts"]] == [main_account.sid, subaccount.sid]
    assert api.get(numbers_path(subaccount.sid), as_=credentials).status_code == 200
    created = api.post(ACCOUNTS, {"FriendlyName": "Via key"}, as_=credentials)
    assert created.status_code == 201
    event = Event.objects.get(event_type="account.created", account_sid=created.json()["sid"])
    assert (event.actor_type, event.actor_sid) == ("key", key.sid)
    assert api.post(keys_path(main_account.sid), as_=credentials).status_code == 201


def test_a_subaccounts_key_reaches_only_that_subaccount(api, main_account, subaccount, sibling):
    _key, standard = make_key(subaccount)
    _main_key, main = make_key(subaccount, ApiKey.KeyType.MAIN)
    for credentials in (standard, main):
        assert api.get(balance_path(subaccount.sid), as_=credentials).status_code == 200
    assert_unauthenticated(api.get(balance_path(main_account.sid), as_=standard))
    assert_unauthenticated(api.get(balance_path(sibling.sid), as_=standard))
    # A subaccount's Main key is its auth token's equal: the parent is out of reach (404).
    assert_twilio_error(api.get(balance_path(main_account.sid), as_=main), code=20404, status=404)
    assert_twilio_error(api.get(account_path(sibling.sid), as_=main), code=20404, status=404)
    assert [a["sid"] for a in api.get(ACCOUNTS, as_=main).json()["accounts"]] == [subaccount.sid]


@pytest.mark.parametrize(
    "credentials",
    [
        # The last character changed (to "x", or to "y" when it was an "x").
        pytest.param(
            lambda key, secret: (key.sid, secret[:-1] + ("y" if secret[-1] == "x" else "x")),
            id="wrong secret",
        ),
        pytest.param(lambda key, secret: (key.sid, ""), id="empty secret"),
        pytest.param(lambda key, secret: ("SK" + "0" * 32, secret), id="unknown SID"),
        pytest.param(lambda key, secret: ("SK" + "0" * 31, secret), id="malformed SID"),
        pytest.param(lambda key, secret: (key.sid.lower(), secret), id="another case"),
    ],
)
def test_wrong_key_credentials_are_refused(api, main_account, credentials):
    key, (_sid, secret) = make_key(main_account)
    wrong = credentials(key, secret)
    assert_unauthenticated(api.get(balance_path(main_account.sid), as_=wrong))


def test_a_revoked_key_stops_working_at_once(api, main_account):
    key, credentials = make_key(main_account)
    assert api.get(balance_path(main_account.sid), as_=credentials).status_code == 200
    credential_services.key_delete(key=key, actor=Actor.system())
    assert_unauthenticated(api.get(balance_path(main_account.sid), as_=credentials))


@pytest.mark.parametrize("status", ["suspended", "closed"])
def test_keys_of_a_suspended_or_closed_account_stop_working(
    api, main_account, subaccount, owner, status
):
    _key, credentials = make_key(subaccount, ApiKey.KeyType.MAIN)
    account_services.account_status_set(
        account=subaccount, status=status, actor=Actor.for_user(owner)
    )
    assert_unauthenticated(api.get(balance_path(subaccount.sid), as_=credentials))


def test_a_closed_account_cannot_get_keys(main_account, owner):
    account_services.account_close(account=main_account, actor=Actor.for_user(owner))
    with pytest.raises(errors.CredentialsAccountClosed):
        make_key(main_account)


def test_the_secret_is_compared_in_constant_time(api, main_account, monkeypatch):
    key, credentials = make_key(main_account)
    calls = []
    original = hmac.compare_digest

    def spy(given, expected):
        calls.append(expected)
        return original(given, expected)

    monkeypatch.setattr(hmac, "compare_digest", spy)
    assert api.get(balance_path(main_account.sid), as_=credentials).status_code == 200
    assert calls == [key.secret_hash]
    # An unknown key costs the same comparison, against a stand-in hash.
    assert_unauthenticated(api.get(balance_path(main_account.sid), as_=("SK" + "1" * 32, "x")))
    assert len(calls) == 2 and len(calls[1]) == 64


def test_last_used_is_kept_to_the_minute_without_a_write_per_request(api, main_account):
    key, credentials = make_key(main_account)
    assert key.last_used is None
    api.get(balance_path(main_account.sid), as_=credentials)
    key.refresh_from_db()
    assert key.last_used is not None
    assert (key.last_used.second, key.last_used.microsecond) == (0, 0)

    with CaptureQueriesContext(connection) as queries:
        api.get(balance_path(main_account.sid), as_=credentials)
    writes = [q["sql"] for q in queries if q["sql"].upper().startswith("UPDATE")]
    assert writes == []

    # A minute later the next request moves it on.
    earlier = key.last_used.replace(year=key.last_used.year - 1)
    ApiKey.objects.filter(pk=key.pk).update(last_used=earlier)
    api.get(balance_path(main_account.sid), as_=credentials)
    key.refresh_from_db()
    assert key.last_used > earlier


def test_the_vendored_descriptions_have_keys_and_token_rotation():
    import json

    from .support import SPEC_PATH

    paths = json.loads(SPEC_PATH.read_text())["paths"]
    for resource in ("Keys", "SigningKeys"):
        assert f"/2010-04-01/Accounts/{{AccountSid}}/{resource}.json" in paths
        assert f"/2010-04-01/Accounts/{{AccountSid}}/{resource}/{{Sid}}.json" in paths
    v1 = json.loads((SPEC_PATH.parent / "accounts_v1_auth_tokens.json").read_text())
    assert set(v1["paths"]) == {"/v1/AuthTokens/Secondary", "/v1/AuthTokens/Promote"}
