"""IncomingPhoneNumbers: buy, list, fetch, rename, transfer and release numbers over the API.

Every success is checked against Twilio's description by the `Api` helper; every refusal
against Twilio's error body, with its exact code, status and message.
"""

import datetime
import json
import threading
import time
from decimal import Decimal
from email.utils import format_datetime

import pytest
from django.test import Client

from accounts import errors
from accounts.models import Account, AvailablePhoneNumber, IncomingPhoneNumber
from accounts.services import accounts as account_services
from accounts.services import ledger as ledger_services
from accounts.services import numbers as number_services
from accounts.services.events import Actor
from tests.races import run_at_once
from tests.support import NUL

from .support import (
    ACCOUNTS,
    SPEC_PATH,
    assert_not_found,
    assert_twilio_error,
    basic_auth,
    query_of,
)

T0 = datetime.datetime(2026, 1, 1, 12, 0, tzinfo=datetime.UTC)
LIST_KEYS = {
    "incoming_phone_numbers",
    "page",
    "page_size",
    "start",
    "end",
    "uri",
    "first_page_uri",
    "next_page_uri",
    "previous_page_uri",
}


def numbers_path(account_sid):
    return f"/2010-04-01/Accounts/{account_sid}/IncomingPhoneNumbers.json"


def number_path(account_sid, sid):
    return f"/2010-04-01/Accounts/{account_sid}/IncomingPhoneNumbers/{sid}.json"


def sids(response):
    return [record["sid"] for record in response.json()["incoming_phone_numbers"]]


def delete(api, path, *, as_):
    return api.request("DELETE", path, as_=as_)


def held(account):
    return account.phone_numbers.filter(released_at__isnull=True)


def buy(account, phone_number, **fields):
    return number_services.number_buy(
        account=account, phone_number=phone_number, **fields, actor=Actor.system()
    )


def make_numbers(account, count, *, area="650", same_minute=False):
    """`count` held numbers of `account` created a minute apart (oldest first), in one INSERT;
    returned newest first."""
    IncomingPhoneNumber.objects.bulk_create(
        IncomingPhoneNumber(
            account=account,
            phone_number=f"+1{area}555{line:04d}",
            friendly_name=f"Line {line}",
            date_created=T0 + datetime.timedelta(minutes=0 if same_minute else line),
        )
        for line in range(1, count + 1)
    )
    return list(held(account).order_by("-date_created", "-id"))


# The record


def test_buying_by_phone_number_answers_201_with_the_whole_record(api, stock, funded):
    response = api.post(numbers_path(funded.sid), {"PhoneNumber": "+12125550101"}, as_=funded)
    assert response.status_code == 201
    body = response.json()
    number = IncomingPhoneNumber.objects.get()
    assert body["sid"] == number.sid and number.sid.startswith("PN") and len(number.sid) == 34
    assert body["account_sid"] == funded.sid
    assert body["phone_number"] == "+12125550101"
    assert body["friendly_name"] == "(212) 555-0101"  # the inventory's formatted name
    assert body["capabilities"] == {"voice": True, "sms": True, "mms": True, "fax": False}
    assert (body["status"], body["origin"], body["api_version"], body["beta"]) == (
        "in-use",
        "twilio",
        "2010-04-01",
        False,
    )
    assert body["iso_country"] == "US"
    assert body["uri"] == number_path(funded.sid, number.sid)
    assert body["date_created"] == format_datetime(number.date_created)
    assert body["date_updated"] == format_datetime(number.date_updated)
    assert body["date_created"].endswith(" +0000")
    # The first month is charged and the number leaves the inventory.
    funded.refresh_from_db()
    assert funded.balance == Decimal("18.85")
    assert not AvailablePhoneNumber.objects.filter(phone_number="+12125550101").exists()


def test_the_record_has_every_property_of_twilios_description(api, stock, funded):
    spec = json.loads(SPEC_PATH.read_text())
    schema = spec["components"]["schemas"]["api.v2010.account.incoming_phone_number"]
    body = api.post(numbers_path(funded.sid), {"PhoneNumber": "+14155550100"}, as_=funded).json()
    assert set(body) == set(schema["properties"]) | {"iso_country"}
    # What the console does not model is empty; methods and enums have Twilio's defaults.
    assert body["voice_url"] is None and body["sms_url"] is None
    assert body["voice_method"] == body["sms_method"] == "POST"
    assert body["address_requirements"] == "none"
    assert body["voice_receive_mode"] == "voice"


def test_buying_with_a_friendly_name(api, stock, funded):
    response = api.post(
        numbers_path(funded.sid),
        {"PhoneNumber": "+14155550100", "FriendlyName": "  Support line  "},
        as_=funded,
    )
    assert response.status_code == 201
    assert response.json()["friendly_name"] == "Support line"


def test_buying_by_area_code_takes_the_first_available_number(api, stock, funded):
    AvailablePhoneNumber.objects.filter(phone_number="+12125550100").delete()
    response = api.post(numbers_path(funded.sid), {"AreaCode": "212"}, as_=funded)
    assert response.status_code == 201
    assert response.json()["phone_number"] == "+12125550101"


def test_phone_number_wins_over_area_code(api, stock, funded):
    response = api.post(
        numbers_path(funded.sid), {"PhoneNumber": "+14155550105", "AreaCode": "212"}, as_=funded
    )
    assert response.json()["phone_number"] == "+14155550105"


def test_a_main_account_buys_for_its_subaccount_paying_from_its_balance(
    api, stock, funded, subaccount
):
    response = api.post(numbers_path(subaccount.sid), {"PhoneNumber": "+14155550100"}, as_=funded)
    assert response.status_code == 201
    assert response.json()["account_sid"] == subaccount.sid
    assert held(subaccount).count() == 1
    funded.refresh_from_db()
    assert funded.balance == Decimal("18.85")


def test_a_subaccount_buys_for_itself(api, stock, funded, subaccount):
    response = api.post(
        numbers_path(subaccount.sid), {"PhoneNumber": "+14155550100"}, as_=subaccount
    )
    assert response.status_code == 201
    assert response.json()["account_sid"] == subaccount.sid


# Refusals when buying


def assert_nothing_bought(main_account, balance="20"):
    main_account.refresh_from_db()
    assert main_account.balance == Decimal(balance)
    assert not IncomingPhoneNumber.objects.exists()


def test_neither_phone_number_nor_area_code_is_21421(api, stock, funded):
    for data in [{}, {"PhoneNumber": ""}, {"FriendlyName": "Line"}, {"AreaCode": " "}]:
        response = api.post(numbers_path(funded.sid), data, as_=funded)
        assert_twilio_error(
            response, code=21421, status=400, message=errors.API_PHONE_NUMBER_REQUIRED
        )
    assert_nothing_bought(funded)


@pytest.mark.parametrize(
    "value",
    ["4155550100", "+1 415 555 0100", "+1-415-555-0100", "+0155550100", "+1", "+1" + "5" * 15],
)
def test_a_phone_number_that_is_not_e164_is_21421(api, stock, funded, value):
    response = api.post(numbers_path(funded.sid), {"PhoneNumber": value}, as_=funded)
    assert_twilio_error(
        response,
        code=21421,
        status=400,
        message=errors.API_PHONE_NUMBER_INVALID.format(value=value),
    )


def test_a_number_not_in_the_inventory_is_21422(api, stock, funded):
    response = api.post(numbers_path(funded.sid), {"PhoneNumber": "+14155559999"}, as_=funded)
    assert_twilio_error(
        response, code=21422, status=400, message="PhoneNumber +14155559999 is not available."
    )
    assert_nothing_bought(funded)


def test_a_number_someone_else_bought_is_21422(api, stock, funded, other_account):
    ledger_services.funds_add(
        account=other_account, amount="5", actor=Actor.system(), reason="test"
    )
    buy(other_account, "+14155550100")
    response = api.post(numbers_path(funded.sid), {"PhoneNumber": "+14155550100"}, as_=funded)
    assert_twilio_error(
        response,
        code=21422,
        status=400,
        message=errors.API_NUMBER_NOT_AVAILABLE.format(number="+14155550100"),
    )


@pytest.mark.parametrize("area_code", ["41", "4155", "015", "abc", "1 2"])
def test_an_invalid_area_code_is_21451(api, stock, funded, area_code):
    response = api.post(numbers_path(funded.sid), {"AreaCode": area_code}, as_=funded)
    assert_twilio_error(
        response,
        code=21451,
        status=400,
        message=errors.API_AREA_CODE_INVALID.format(value=area_code),
    )


def test_an_area_code_without_numbers_is_21452(api, stock, funded):
    response = api.post(numbers_path(funded.sid), {"AreaCode": "303"}, as_=funded)
    assert_twilio_error(
        response,
        code=21452,
        status=400,
        message="No phone numbers found in area code 303.",
    )
    assert_nothing_bought(funded)


def test_a_trial_account_buying_a_second_number_is_21404(api, stock, trial):
    assert (
        api.post(numbers_path(trial.sid), {"PhoneNumber": "+14155550100"}, as_=trial).status_code
        == 201
    )
    response = api.post(numbers_path(trial.sid), {"PhoneNumber": "+14155550101"}, as_=trial)
    assert_twilio_error(response, code=21404, status=400, message=errors.TRIAL_NUMBER_LIMIT)
    assert held(trial).count() == 1


def test_insufficient_funds_is_20005(api, stock, main_account):
    response = api.post(
        numbers_path(main_account.sid), {"PhoneNumber": "+14155550100"}, as_=main_account
    )
    assert_twilio_error(
        response,
        code=20005,
        status=400,
        message=errors.INSUFFICIENT_FUNDS.format(balance="0.00", amount="1.15"),
    )
    assert_nothing_bought(main_account, balance="0")
    assert AvailablePhoneNumber.objects.filter(phone_number="+14155550100").exists()


def test_a_subaccounts_spend_cap_is_20005(api, stock, funded, subaccount):
    Account.objects.filter(pk=subaccount.pk).update(monthly_spend_cap=Decimal("1"))
    response = api.post(
        numbers_path(subaccount.sid), {"PhoneNumber": "+14155550100"}, as_=subaccount
    )
    assert_twilio_error(response, code=20005, status=400)
    assert "spend cap" in response.json()["message"]
    assert_nothing_bought(funded)


@pytest.mark.parametrize(
    "action", [account_services.account_suspend, account_services.account_close]
)
def test_buying_for_a_subaccount_that_is_not_active_is_20005(
    api, stock, funded, subaccount, owner, action
):
    action(account=subaccount, actor=Actor.for_user(owner))
    response = api.post(numbers_path(subaccount.sid), {"PhoneNumber": "+14155550100"}, as_=funded)
    assert_twilio_error(
        response, code=20005, status=400, message=errors.ACCOUNT_NOT_ACTIVE_FOR_NUMBERS
    )
    assert_nothing_bought(funded)


def test_a_friendly_name_over_64_characters_is_20002(api, stock, funded):
    response = api.post(
        numbers_path(funded.sid),
        {"PhoneNumber": "+14155550100", "FriendlyName": "x" * 65},
        as_=funded,
    )
    assert_twilio_error(
        response,
        code=20002,
        status=400,
        message=errors.FRIENDLY_NAME_TOO_LONG.format(limit=64, length=65),
    )
    assert_nothing_bought(funded)


def test_a_subaccount_cannot_buy_for_its_parent_or_a_sibling(
    api, stock, funded, subaccount, sibling
):
    for account in (funded, sibling):
        path = numbers_path(account.sid)
        response = api.post(path, {"PhoneNumber": "+14155550100"}, as_=subaccount)
        assert_not_found(response, path)
    assert_nothing_bought(funded)


def test_nobody_buys_for_another_family(api, stock, funded, other_account):
    path = numbers_path(other_account.sid)
    assert_not_found(api.post(path, {"PhoneNumber": "+14155550100"}, as_=funded), path)


# The list


def test_the_list_is_the_accounts_held_numbers_newest_first(api, funded, subaccount, other_account):
    mine = make_numbers(funded, 4)
    number_services.number_release(number=mine[1], actor=Actor.system())
    make_numbers(subaccount, 1, area="707")
    response = api.get(numbers_path(funded.sid), as_=funded)
    assert response.status_code == 200
    assert sids(response) == [mine[0].sid, mine[2].sid, mine[3].sid]
    record = response.json()["incoming_phone_numbers"][0]
    assert record["account_sid"] == funded.sid
    assert record["uri"] == number_path(funded.sid, mine[0].sid)


def test_the_envelope_is_twilios_exactly(api, funded):
    make_numbers(funded, 2)
    body = api.get(numbers_path(funded.sid), as_=funded).json()
    assert set(body) == LIST_KEYS
    assert list(body)[0] == "incoming_phone_numbers"
    assert (body["page"], body["page_size"], body["start"], body["end"]) == (0, 50, 0, 1)
    assert body["uri"] == f"{numbers_path(funded.sid)}?PageSize=50&Page=0"
    assert body["first_page_uri"] == body["uri"]
    assert body["next_page_uri"] is None and body["previous_page_uri"] is None


def test_an_empty_list(api, funded):
    body = api.get(numbers_path(funded.sid), as_=funded).json()
    assert body["incoming_phone_numbers"] == []
    assert (body["start"], body["end"]) == (0, 0)


@pytest.mark.parametrize(
    ("phone_number", "expected"),
    [
        ("+16505550003", ["+16505550003"]),  # the whole number
        ("+1650555000", [f"+165055500{n:02d}" for n in range(9, 0, -1)]),  # a prefix
        ("5550012", ["+16505550012"]),  # anywhere in it
        ("(650) 555-0012", ["+16505550012"]),  # formatting is ignored
        ("555001*", [f"+165055500{n:02d}" for n in range(12, 9, -1)]),  # * is any one digit
        ("+1*6", []),  # anchored: +16… has 5 (not 6) in the fourth place
        ("+1*5", [f"+16505550{n:03d}" for n in range(12, 0, -1)]),
        ("+6505", []),  # anchored at the country code
        ("6505", [f"+16505550{n:03d}" for n in range(12, 0, -1)]),
        ("no digits", []),
    ],
)
def test_filter_by_phone_number(api, funded, phone_number, expected):
    make_numbers(funded, 12)
    response = api.get(numbers_path(funded.sid), {"PhoneNumber": phone_number}, as_=funded)
    body = response.json()
    assert [r["phone_number"] for r in body["incoming_phone_numbers"]] == expected
    assert query_of(body["uri"])["PhoneNumber"] == phone_number


def test_filter_by_exact_friendly_name_and_the_filters_in_the_uris(api, funded):
    lines = make_numbers(funded, 3)
    params = {"FriendlyName": "Line 2", "PhoneNumber": "+1650"}
    body = api.get(numbers_path(funded.sid), params, as_=funded).json()
    assert [r["sid"] for r in body["incoming_phone_numbers"]] == [lines[1].sid]
    assert body["uri"] == (
        f"{numbers_path(funded.sid)}?FriendlyName=Line+2&PhoneNumber=%2B1650&PageSize=50&Page=0"
    )
    assert sids(api.get(numbers_path(funded.sid), {"FriendlyName": "Line"}, as_=funded)) == []


def test_origin_and_beta_filters(api, funded):
    lines = make_numbers(funded, 2)
    path = numbers_path(funded.sid)
    every = [line.sid for line in lines]
    assert sids(api.get(path, {"Origin": "twilio"}, as_=funded)) == every
    assert sids(api.get(path, {"Origin": "hosted"}, as_=funded)) == []
    response = api.get(path, {"Beta": "false"}, as_=funded)
    assert sids(response) == every
    assert query_of(response.json()["uri"])["Beta"] == "false"


def test_paging_forward_and_back(api, funded):
    lines = make_numbers(funded, 5, same_minute=True)  # order by id within the moment
    path = numbers_path(funded.sid)
    first = api.get(path, {"PageSize": 2}, as_=funded)
    pages = [first]
    while pages[-1].json()["next_page_uri"]:
        pages.append(api.get(pages[-1].json()["next_page_uri"], as_=funded))
    assert [sids(page) for page in pages] == [
        [lines[0].sid, lines[1].sid],
        [lines[2].sid, lines[3].sid],
        [lines[4].sid],
    ]
    bodies = [page.json() for page in pages]
    assert [(b["page"], b["start"], b["end"]) for b in bodies] == [(0, 0, 1), (1, 2, 3), (2, 4, 4)]
    assert query_of(bodies[1]["uri"])["PageToken"].startswith("PT")
    back = api.get(bodies[2]["previous_page_uri"], as_=funded)
    assert sids(back) == sids(pages[1])
    assert sids(api.get(back.json()["previous_page_uri"], as_=funded)) == sids(first)


def test_paging_errors_are_the_accounts_lists(api, funded):
    path = numbers_path(funded.sid)
    assert_twilio_error(
        api.get(path, {"PageSize": "1001"}, as_=funded),
        code=20007,
        status=400,
        message=errors.API_PAGE_SIZE_INVALID.format(maximum=1000, value="1001"),
    )
    assert_twilio_error(
        api.get(path, {"PageToken": "garbage", "Page": "1"}, as_=funded),
        code=21481,
        status=400,
        message=errors.API_PAGE_TOKEN_INVALID,
    )


def test_listing_1000_numbers_takes_a_flat_number_of_queries(
    api, funded, subaccount, django_assert_max_num_queries
):
    make_numbers(subaccount, 1000)
    # Authenticate, reach the subaccount, one page.
    with django_assert_max_num_queries(3):
        response = api.get(numbers_path(subaccount.sid), {"PageSize": 1000}, as_=funded)
    assert len(sids(response)) == 1000
    assert response.json()["next_page_uri"] is None


# Who sees what


def test_a_main_account_reaches_its_subaccounts_numbers_through_their_path(api, funded, subaccount):
    line = make_numbers(subaccount, 1)[0]
    assert sids(api.get(numbers_path(subaccount.sid), as_=funded)) == [line.sid]
    assert sids(api.get(numbers_path(funded.sid), as_=funded)) == []  # not under its own
    response = api.get(number_path(subaccount.sid, line.sid), as_=funded)
    assert response.json()["account_sid"] == subaccount.sid


def test_a_subaccount_sees_only_its_own_numbers(api, funded, subaccount, sibling):
    own = make_numbers(subaccount, 1)[0]
    IncomingPhoneNumber.objects.create(account=sibling, phone_number="+17075550100")
    IncomingPhoneNumber.objects.create(account=funded, phone_number="+17075550101")
    assert sids(api.get(numbers_path(subaccount.sid), as_=subaccount)) == [own.sid]
    for account in (sibling, funded):
        path = numbers_path(account.sid)
        assert_not_found(api.get(path, as_=subaccount), path)
        number = held(account).get()
        detail = number_path(account.sid, number.sid)
        assert_not_found(api.get(detail, as_=subaccount), detail)
        # Nor under its own path.
        disguised = number_path(subaccount.sid, number.sid)
        assert_not_found(api.get(disguised, as_=subaccount), disguised)


def test_another_familys_numbers_are_out_of_reach(api, funded, other_account):
    theirs = IncomingPhoneNumber.objects.create(account=other_account, phone_number="+17075550100")
    for path in [
        numbers_path(other_account.sid),
        number_path(other_account.sid, theirs.sid),
        number_path(funded.sid, theirs.sid),
    ]:
        assert_not_found(api.get(path, as_=funded), path)


def test_a_closed_subaccounts_numbers_are_released_and_never_listed(
    api, stock, funded, subaccount, owner
):
    number = buy(subaccount, "+14155550100")
    account_services.account_close(account=subaccount, actor=Actor.for_user(owner))
    assert sids(api.get(numbers_path(subaccount.sid), as_=funded)) == []
    path = number_path(subaccount.sid, number.sid)
    assert_not_found(api.get(path, as_=funded), path)


def test_credentials_are_required(api, funded):
    line = make_numbers(funded, 1)[0]
    for path in [numbers_path(funded.sid), number_path(funded.sid, line.sid)]:
        assert_twilio_error(api.get(path), code=20003, status=401)
        assert_twilio_error(api.get(path, as_=(funded.sid, "0" * 32)), code=20003, status=401)


def test_other_methods_are_405(api, funded):
    line = make_numbers(funded, 1)[0]
    response = api.request("PUT", number_path(funded.sid, line.sid), as_=funded)
    assert_twilio_error(response, code=20004, status=405)
    assert response["Allow"] == "GET, POST, DELETE"
    response = api.request("DELETE", numbers_path(funded.sid), as_=funded)
    assert_twilio_error(response, code=20004, status=405)


# Fetch


def test_fetch_answers_what_the_purchase_did(api, stock, funded):
    created = api.post(numbers_path(funded.sid), {"PhoneNumber": "+14155550100"}, as_=funded)
    body = created.json()
    fetched = api.get(body["uri"], as_=funded)
    assert fetched.status_code == 200
    assert fetched.json() == body


def test_fetching_an_unknown_or_released_number_is_20404(api, stock, funded):
    number = buy(funded, "+14155550100")
    number_services.number_release(number=number, actor=Actor.system())
    for sid in [number.sid, "PN" + "0" * 32, "not-a-sid"]:
        path = number_path(funded.sid, sid)
        assert_not_found(api.get(path, as_=funded), path)


# Update: rename


def test_rename(api, funded):
    line = make_numbers(funded, 1)[0]
    path = number_path(funded.sid, line.sid)
    response = api.post(path, {"FriendlyName": " Front desk "}, as_=funded)
    assert response.status_code == 200
    assert response.json()["friendly_name"] == "Front desk"
    line.refresh_from_db()
    assert line.friendly_name == "Front desk"
    assert response.json()["date_updated"] == format_datetime(line.date_updated)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("   ", errors.FRIENDLY_NAME_REQUIRED),
        ("x" * 65, errors.FRIENDLY_NAME_TOO_LONG.format(limit=64, length=65)),
    ],
)
def test_rename_refusals_are_20002(api, funded, name, message):
    line = make_numbers(funded, 1)[0]
    response = api.post(number_path(funded.sid, line.sid), {"FriendlyName": name}, as_=funded)
    assert_twilio_error(response, code=20002, status=400, message=message)


def test_an_update_without_parameters_changes_nothing(api, funded):
    line = make_numbers(funded, 1)[0]
    response = api.post(
        number_path(funded.sid, line.sid), {"VoiceUrl": "https://example.com/voice"}, as_=funded
    )
    assert response.status_code == 200
    assert response.json()["friendly_name"] == "Line 1"
    assert response.json()["voice_url"] is None  # not modelled: accepted and ignored


def test_a_subaccount_renames_its_own_number(api, funded, subaccount):
    line = make_numbers(subaccount, 1)[0]
    response = api.post(
        number_path(subaccount.sid, line.sid), {"FriendlyName": "Mine"}, as_=subaccount
    )
    assert response.json()["friendly_name"] == "Mine"


# Update: transfer


def test_the_parent_moves_a_number_between_its_subaccounts_and_itself(
    api, funded, subaccount, sibling
):
    line = make_numbers(subaccount, 1)[0]
    response = api.post(
        number_path(subaccount.sid, line.sid), {"AccountSid": sibling.sid}, as_=funded
    )
    assert response.status_code == 200
    body = response.json()
    assert body["account_sid"] == sibling.sid
    assert body["uri"] == number_path(sibling.sid, line.sid)
    assert held(sibling).get() == line
    old_path = number_path(subaccount.sid, line.sid)
    assert_not_found(api.get(old_path, as_=funded), old_path)
    assert api.get(body["uri"], as_=sibling).status_code == 200

    to_main = api.post(body["uri"], {"AccountSid": funded.sid}, as_=funded)
    assert to_main.json()["account_sid"] == funded.sid
    back = api.post(to_main.json()["uri"], {"AccountSid": subaccount.sid}, as_=funded)
    assert back.json()["account_sid"] == subaccount.sid


def test_rename_and_transfer_together(api, funded, subaccount, sibling):
    line = make_numbers(subaccount, 1)[0]
    response = api.post(
        number_path(subaccount.sid, line.sid),
        {"AccountSid": sibling.sid, "FriendlyName": "Moved"},
        as_=funded,
    )
    assert (response.json()["account_sid"], response.json()["friendly_name"]) == (
        sibling.sid,
        "Moved",
    )


def test_a_transfer_to_the_current_account_changes_nothing(api, funded, subaccount):
    line = make_numbers(subaccount, 1)[0]
    path = number_path(subaccount.sid, line.sid)
    for caller in (funded, subaccount):
        response = api.post(path, {"AccountSid": subaccount.sid}, as_=caller)
        assert response.json()["account_sid"] == subaccount.sid


def test_a_subaccount_cannot_transfer_even_its_own_number_21474(
    api, funded, subaccount, sibling, other_account
):
    line = make_numbers(subaccount, 1)[0]
    path = number_path(subaccount.sid, line.sid)
    for target in [sibling.sid, funded.sid, other_account.sid, "AC" + "0" * 32, "nonsense"]:
        response = api.post(path, {"AccountSid": target, "FriendlyName": "Gone"}, as_=subaccount)
        assert_twilio_error(
            response, code=21474, status=400, message=errors.TransferNotByParent.message
        )
    line.refresh_from_db()
    assert (line.account, line.friendly_name) == (subaccount, "Line 1")  # renamed neither


@pytest.mark.parametrize("target", ["other_account", "unknown", "malformed"])
def test_a_transfer_out_of_the_family_is_21473(api, funded, subaccount, other_account, target):
    sid = {
        "other_account": other_account.sid,
        "unknown": "AC" + "0" * 32,
        "malformed": "ACnot-a-sid",
    }[target]
    line = make_numbers(subaccount, 1)[0]
    response = api.post(
        number_path(subaccount.sid, line.sid),
        {"AccountSid": sid, "FriendlyName": "Gone"},
        as_=funded,
    )
    assert_twilio_error(
        response, code=21473, status=400, message=errors.TransferTargetUnrelated.message
    )
    line.refresh_from_db()
    assert (line.account, line.friendly_name) == (subaccount, "Line 1")


@pytest.mark.parametrize(
    "action", [account_services.account_suspend, account_services.account_close]
)
def test_a_transfer_to_an_account_that_is_not_active_is_21472(
    api, funded, subaccount, sibling, owner, action
):
    action(account=sibling, actor=Actor.for_user(owner))
    line = make_numbers(subaccount, 1)[0]
    response = api.post(
        number_path(subaccount.sid, line.sid), {"AccountSid": sibling.sid}, as_=funded
    )
    assert_twilio_error(
        response, code=21472, status=400, message=errors.TransferTargetNotActive.message
    )
    assert held(subaccount).get() == line


# Delete


def test_delete_releases_the_number_with_an_empty_204(api, stock, funded):
    number = buy(funded, "+14155550100")
    path = number_path(funded.sid, number.sid)
    response = delete(api, path, as_=funded)
    assert response.status_code == 204
    assert response.content == b""
    number.refresh_from_db()
    assert number.released_at is not None
    assert AvailablePhoneNumber.objects.filter(phone_number="+14155550100").exists()
    assert_not_found(api.get(path, as_=funded), path)
    assert_not_found(delete(api, path, as_=funded), path)
    assert sids(api.get(numbers_path(funded.sid), as_=funded)) == []


def test_a_subaccount_releases_its_own_number_but_no_one_elses(api, funded, subaccount, sibling):
    own = make_numbers(subaccount, 1)[0]
    theirs = IncomingPhoneNumber.objects.create(account=sibling, phone_number="+17075550100")
    path = number_path(sibling.sid, theirs.sid)
    assert_not_found(delete(api, path, as_=subaccount), path)
    assert held(sibling).exists()
    assert delete(api, number_path(subaccount.sid, own.sid), as_=subaccount).status_code == 204
    assert not held(subaccount).exists()
    # The parent releases a subaccount's number through the subaccount's path.
    assert delete(api, path, as_=funded).status_code == 204


# Text with a NUL character (PostgreSQL refuses it in a query or a row)


def test_api_number_friendly_name_with_a_nul_character_is_refused(api, stock, funded):
    number = buy(funded, "+14155550100")

    response = api.post(number_path(funded.sid, number.sid), {"FriendlyName": NUL}, as_=funded)

    assert_twilio_error(response, code=20002, status=400)


@pytest.mark.parametrize("path", [ACCOUNTS, numbers_path("{account}")])
def test_api_list_filter_with_a_nul_character_matches_nothing(api, stock, funded, path):
    buy(funded, "+14155550100")

    response = api.get(path.format(account=funded.sid), {"FriendlyName": NUL}, as_=funded)

    assert response.status_code == 200
    body = response.json()
    assert body.get("accounts", body.get("incoming_phone_numbers")) == []


# Row locks (PostgreSQL)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_api_rename_and_transfer_of_a_number_never_deadlocks_with_closing_its_account(
    postgres_only, monkeypatch, stock, funded, subaccount
):
    """The API renames and moves a number in one request while the owner closes the main
    account. The request must take the accounts' locks before the number's, as closing does;
    otherwise each holds what the other waits for and PostgreSQL kills one of them."""
    number = buy(funded, "+14155550100")
    buy(funded, "+14155550101")
    url = number_path(funded.sid, number.sid)
    renamed = threading.Event()
    original_rename = number_services.number_rename

    def rename_then_linger(**kwargs):
        result = original_rename(**kwargs)
        renamed.set()
        time.sleep(1.5)  # longer than PostgreSQL's deadlock_timeout (1s)
        return result

    monkeypatch.setattr(number_services, "number_rename", rename_then_linger)

    def api_request():
        response = Client(raise_request_exception=False).post(
            url,
            {"FriendlyName": "Support line", "AccountSid": subaccount.sid},
            headers={"Authorization": basic_auth(funded.sid, funded.auth_token)},
        )
        return response.status_code

    def close_main_account():
        assert renamed.wait(timeout=10)
        time.sleep(0.2)  # let the API request go on holding what it took
        return account_services.account_close(account=funded, actor=Actor.for_user(funded.owner))

    api_status, closed = run_at_once(api_request, close_main_account)

    assert api_status == 200, api_status
    assert not isinstance(closed, Exception), closed
    assert closed.status == Account.Status.CLOSED
    number.refresh_from_db()
    assert number.account_id == subaccount.pk and number.released_at is not None
