"""Fetch, create and update accounts: POST/GET /Accounts.json, GET/POST /Accounts/{Sid}.json."""

import json
import re
from email.utils import format_datetime

import pytest

from accounts import errors
from accounts.models import Account
from accounts.services import accounts as account_services
from accounts.services import deletion as deletion_services
from accounts.services import transfers as transfer_services
from accounts.services.events import Actor
from tests.history import status_changes
from tests.support import NUL

from .support import (
    ACCOUNT_KEYS,
    ACCOUNTS,
    SPEC_PATH,
    account_path,
    assert_not_found,
    assert_twilio_error,
)

Source = Account.StatusSource


def spec_example(path, method, status):
    spec = json.loads(SPEC_PATH.read_text())
    content = spec["paths"][path][method]["responses"][status]["content"]["application/json"]
    return next(iter(content["examples"].values()))["value"]


# Fetch


def test_fetch_own_main_account_has_exactly_twilios_fields(api, main_account):
    response = api.get(account_path(main_account.sid), as_=main_account)
    assert response.status_code == 200
    body = response.json()
    assert list(body) == ACCOUNT_KEYS
    main_account.refresh_from_db()
    assert body["sid"] == main_account.sid
    assert body["owner_account_sid"] == main_account.sid  # a main account owns itself
    assert body["friendly_name"] == "Acme"
    assert body["status"] == "active"
    assert body["type"] == "Full"
    assert body["auth_token"] == main_account.auth_token
    assert body["date_created"] == format_datetime(main_account.date_created)
    assert body["date_updated"] == format_datetime(main_account.date_updated)
    assert body["date_created"].endswith(" +0000")
    assert body["uri"] == f"/2010-04-01/Accounts/{main_account.sid}.json"


def test_subresource_uris_match_twilios_keys_order_and_paths(api, main_account):
    body = api.get(account_path(main_account.sid), as_=main_account).json()
    example = spec_example("/2010-04-01/Accounts/{Sid}.json", "get", "200")
    example_sid = example["sid"]
    expected = {
        key: uri.replace(example_sid, main_account.sid)
        for key, uri in example["subresource_uris"].items()
    }
    assert len(expected) == 20
    assert list(body["subresource_uris"].items()) == list(expected.items())


def test_main_account_fetches_its_subaccount(api, main_account, subaccount):
    body = api.get(account_path(subaccount.sid), as_=main_account).json()
    assert body["sid"] == subaccount.sid
    assert body["owner_account_sid"] == main_account.sid
    assert body["friendly_name"] == "Acme EU"
    assert body["auth_token"] == subaccount.auth_token


def test_subaccount_fetches_itself(api, main_account, subaccount):
    body = api.get(account_path(subaccount.sid), as_=subaccount).json()
    assert body["sid"] == subaccount.sid
    assert body["owner_account_sid"] == main_account.sid


@pytest.mark.parametrize("target", ["main_account", "sibling"])
def test_subaccount_cannot_reach_its_parent_or_a_sibling(api, subaccount, request, target):
    path = account_path(request.getfixturevalue(target).sid)
    assert_not_found(api.get(path, as_=subaccount), path)
    assert_not_found(api.post(path, {"FriendlyName": "Mine now"}, as_=subaccount), path)


def test_main_account_cannot_reach_another_main_account_or_its_subaccounts(
    api, main_account, other_account, make_subaccount
):
    others_subaccount = make_subaccount(other_account)
    for sid in (other_account.sid, others_subaccount.sid):
        path = account_path(sid)
        assert_not_found(api.get(path, as_=main_account), path)
        assert_not_found(api.post(path, {"Status": "suspended"}, as_=main_account), path)
    others_subaccount.refresh_from_db()
    assert others_subaccount.status == "active"


@pytest.mark.parametrize("sid", ["AC" + "0" * 32, "nonsense", "AC%20"])
def test_fetch_unknown_sid_is_20404(api, main_account, sid):
    path = account_path(sid)
    response = api.get(path, as_=main_account)
    assert response.json()["message"].startswith("The requested resource /2010-04-01/Accounts/")
    assert_twilio_error(response, code=20404, status=404)


# Create


def test_create_makes_a_subaccount_of_the_caller(api, main_account, owner):
    response = api.post(ACCOUNTS, {"FriendlyName": "Acme APAC"}, as_=main_account)
    assert response.status_code == 201
    body = response.json()
    assert list(body) == ACCOUNT_KEYS
    subaccount = Account.objects.get(sid=body["sid"])
    assert subaccount.parent == main_account
    assert subaccount.owner == owner
    assert subaccount.balance is None
    assert body["owner_account_sid"] == main_account.sid
    assert body["friendly_name"] == "Acme APAC"
    assert body["auth_token"] == subaccount.auth_token
    # The event names the credentials that asked, through the API, from where.
    event = status_changes(subaccount)[0].event
    assert (event.actor_type, event.actor_sid, event.source) == ("account", main_account.sid, "api")
    assert event.source_ip_address == "127.0.0.1"


def test_create_without_a_name_uses_twilios_default(api, main_account):
    response = api.post(ACCOUNTS, as_=main_account)
    assert response.status_code == 201
    name = response.json()["friendly_name"]
    assert re.fullmatch(r"SubAccount Created at \d{4}-\d{2}-\d{2} \d{2}:\d{2} [ap]m", name)


def test_create_strips_the_name_and_accepts_64_characters(api, main_account):
    response = api.post(ACCOUNTS, {"FriendlyName": "  " + "x" * 64 + " "}, as_=main_account)
    assert response.status_code == 201
    assert response.json()["friendly_name"] == "x" * 64


@pytest.mark.parametrize(
    ("friendly_name", "message"),
    [
        ("", errors.FRIENDLY_NAME_REQUIRED),
        ("   ", errors.FRIENDLY_NAME_REQUIRED),
        ("x" * 65, errors.FRIENDLY_NAME_TOO_LONG.format(limit=64, length=65)),
    ],
)
def test_create_with_an_invalid_name_is_20002(api, main_account, friendly_name, message):
    response = api.post(ACCOUNTS, {"FriendlyName": friendly_name}, as_=main_account)
    assert_twilio_error(response, code=20002, status=400, message=message)
    assert not Account.objects.subaccounts_of(main_account).exists()


def test_a_subaccount_cannot_create_subaccounts(api, subaccount):
    response = api.post(ACCOUNTS, {"FriendlyName": "Nested"}, as_=subaccount)
    assert_twilio_error(response, code=21101, status=400, message=errors.NESTED_SUBACCOUNT)
    assert not Account.objects.subaccounts_of(subaccount).exists()


def test_create_over_the_subaccount_limit_is_21480(api, main_account, subaccount):
    Account.objects.filter(pk=main_account.pk).update(subaccount_limit=1)
    response = api.post(ACCOUNTS, {"FriendlyName": "One too many"}, as_=main_account)
    assert_twilio_error(
        response, code=21480, status=400, message=errors.SUBACCOUNT_LIMIT_REACHED.format(limit=1)
    )


def test_closed_subaccounts_do_not_count_toward_the_limit(api, main_account, subaccount, owner):
    Account.objects.filter(pk=main_account.pk).update(subaccount_limit=1)
    account_services.account_close(account=subaccount, actor=Actor.for_user(owner))
    assert api.post(ACCOUNTS, as_=main_account).status_code == 201


# Update


def test_rename_a_subaccount(api, main_account, subaccount):
    response = api.post(
        account_path(subaccount.sid), {"FriendlyName": "Acme Europe"}, as_=main_account
    )
    assert response.status_code == 200
    assert response.json()["friendly_name"] == "Acme Europe"
    subaccount.refresh_from_db()
    assert subaccount.friendly_name == "Acme Europe"


def test_rename_the_main_account_itself(api, main_account):
    response = api.post(
        account_path(main_account.sid), {"FriendlyName": "Acme Inc"}, as_=main_account
    )
    assert response.json()["friendly_name"] == "Acme Inc"
    assert response.json()["owner_account_sid"] == main_account.sid


def test_a_subaccount_renames_itself(api, subaccount):
    response = api.post(account_path(subaccount.sid), {"FriendlyName": "EU"}, as_=subaccount)
    assert response.status_code == 200
    assert response.json()["friendly_name"] == "EU"


@pytest.mark.parametrize("friendly_name", ["", "x" * 65])
def test_rename_with_an_invalid_name_is_20002(api, main_account, subaccount, friendly_name):
    path = account_path(subaccount.sid)
    response = api.post(path, {"FriendlyName": friendly_name}, as_=main_account)
    assert_twilio_error(response, code=20002, status=400)
    subaccount.refresh_from_db()
    assert subaccount.friendly_name == "Acme EU"


def test_post_without_parameters_changes_nothing(api, main_account, subaccount):
    response = api.post(account_path(subaccount.sid), as_=main_account)
    assert response.status_code == 200
    assert response.json()["friendly_name"] == "Acme EU"


def test_suspend_reactivate_and_close_a_subaccount(api, main_account, subaccount, owner):
    path = account_path(subaccount.sid)
    for status in ["suspended", "active", "closed"]:
        response = api.post(path, {"Status": status}, as_=main_account)
        assert response.status_code == 200
        assert response.json()["status"] == status
        subaccount.refresh_from_db()
        assert subaccount.status == status
    events = status_changes(subaccount)[::-1]
    assert [e.new_status for e in events] == ["active", "suspended", "active", "closed"]
    assert {(e.source, e.event.actor_sid, e.event.source) for e in events[1:]} == {
        (Source.OWNER, main_account.sid, "api")
    }


def test_a_closed_subaccount_cannot_be_reopened_or_renamed(api, main_account, subaccount, owner):
    account_services.account_close(account=subaccount, actor=Actor.for_user(owner))
    path = account_path(subaccount.sid)
    for data in [{"Status": "active"}, {"Status": "suspended"}, {"FriendlyName": "Back"}]:
        response = api.post(path, data, as_=main_account)
        assert_twilio_error(response, code=21479, status=400, message=errors.ACCOUNT_CLOSED)
    # A closed subaccount stays readable.
    assert api.get(path, as_=main_account).json()["status"] == "closed"


@pytest.mark.parametrize("status", ["open", "1", "", "ACTIVE"])
def test_an_unknown_status_is_21475(api, main_account, subaccount, status):
    response = api.post(account_path(subaccount.sid), {"Status": status}, as_=main_account)
    assert_twilio_error(response, code=21475, status=400, message=errors.INVALID_STATUS)


@pytest.mark.parametrize("status", ["active", "suspended", "closed"])
def test_any_status_change_on_a_main_account_is_21477(api, main_account, status):
    response = api.post(account_path(main_account.sid), {"Status": status}, as_=main_account)
    assert_twilio_error(response, code=21477, status=400, message=errors.MAIN_ACCOUNT_STATUS)
    main_account.refresh_from_db()
    assert main_account.status == "active"
    assert len(status_changes(main_account)) == 1


def test_a_subaccount_cannot_change_its_own_status(api, subaccount):
    response = api.post(account_path(subaccount.sid), {"Status": "suspended"}, as_=subaccount)
    assert_twilio_error(
        response, code=20403, status=403, message=errors.API_STATUS_SET_BY_PARENT_ONLY
    )
    subaccount.refresh_from_db()
    assert subaccount.status == "active"


def test_a_subaccount_suspended_by_support_is_21478(api, main_account, subaccount):
    account_services.account_suspend(
        account=subaccount, source=Source.SUPPORT, reason="Fraud check", actor=Actor.system()
    )
    response = api.post(account_path(subaccount.sid), {"Status": "active"}, as_=main_account)
    assert_twilio_error(response, code=21478, status=400, message=errors.SUSPENDED_BY_SUPPORT)


def test_rename_and_status_change_happen_together_or_not_at_all(api, main_account, subaccount):
    account_services.account_suspend(
        account=subaccount, source=Source.SUPPORT, reason="Fraud check", actor=Actor.system()
    )
    response = api.post(
        account_path(subaccount.sid),
        {"FriendlyName": "Renamed", "Status": "active"},
        as_=main_account,
    )
    assert_twilio_error(response, code=21478, status=400)
    subaccount.refresh_from_db()
    assert (subaccount.friendly_name, subaccount.status) == ("Acme EU", "suspended")


def test_rename_and_close_in_one_request(api, main_account, subaccount):
    response = api.post(
        account_path(subaccount.sid),
        {"FriendlyName": "Old EU", "Status": "closed"},
        as_=main_account,
    )
    assert response.status_code == 200
    assert (response.json()["friendly_name"], response.json()["status"]) == ("Old EU", "closed")


def test_a_parent_suspended_refusal_is_21476(api, main_account, subaccount, monkeypatch):
    # The API cannot reach this state on its own (a suspended parent's credentials are
    # refused, and so are its suspended subaccounts'), but a race can: the refusal from the
    # service must still come out as Twilio's 21476.
    def refuse(**kwargs):
        raise errors.ParentSuspended()

    monkeypatch.setattr(account_services, "account_status_set", refuse)
    response = api.post(account_path(subaccount.sid), {"Status": "suspended"}, as_=main_account)
    assert_twilio_error(response, code=21476, status=400, message=errors.PARENT_SUSPENDED)


# Malformed requests


def test_a_broken_multipart_body_is_a_twilio_400(api, main_account):
    response = api.post(
        ACCOUNTS,
        "--nope\r\ngarbage",
        as_=main_account,
        content_type="multipart/form-data; boundary=",
    )
    assert_twilio_error(response, code=21100, status=400, message=errors.API_MALFORMED_REQUEST)


def test_too_many_form_fields_is_a_twilio_413(api, main_account):
    body = "&".join(f"F{i}=x" for i in range(1500))
    response = api.post(ACCOUNTS, body, as_=main_account)
    assert_twilio_error(response, code=errors.API_REQUEST_TOO_LARGE_CODE, status=413)


def test_a_body_over_the_upload_limit_is_a_twilio_413(api, main_account, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    response = api.post(ACCOUNTS, {"FriendlyName": "x" * 200}, as_=main_account)
    assert_twilio_error(response, code=errors.API_REQUEST_TOO_LARGE_CODE, status=413)


def test_bytes_that_are_not_utf8_never_give_a_500(api, main_account, subaccount):
    response = api.post(
        account_path(subaccount.sid), b"FriendlyName=%FF%FE&Status=%C3", as_=main_account
    )
    assert_twilio_error(response, code=21475, status=400)


def test_a_json_body_is_not_read_so_twilios_default_applies(api, main_account):
    response = api.post(
        ACCOUNTS, '{"FriendlyName": "JSON"}', as_=main_account, content_type="application/json"
    )
    assert response.status_code == 201
    assert response.json()["friendly_name"].startswith("SubAccount Created at ")


def test_api_friendly_name_with_a_nul_character_is_refused(api, main_account, subaccount):
    created = api.post(ACCOUNTS, {"FriendlyName": NUL}, as_=main_account)
    renamed = api.post(account_path(subaccount.sid), {"FriendlyName": NUL}, as_=main_account)

    assert_twilio_error(created, code=20002, status=400)
    assert_twilio_error(renamed, code=20002, status=400)
    assert Account.objects.count() == 2


def test_a_deleted_subaccount_is_20404_and_gone_from_the_list(api, main_account, subaccount):
    from_sid, token = subaccount.sid, subaccount.auth_token
    transfer_services.account_close(account=subaccount, actor=Actor.system())
    subaccount.refresh_from_db()
    deletion_services.subaccount_delete(subaccount=subaccount, actor=Actor.system())

    response = api.get(account_path(from_sid), as_=main_account)
    assert_twilio_error(response, code=20404, status=404)
    listed = api.get(ACCOUNTS, as_=main_account).json()["accounts"]
    assert from_sid not in [account["sid"] for account in listed]
    # Its own credentials are gone with it.
    assert api.get(account_path(from_sid), as_=(from_sid, token)).status_code == 401
