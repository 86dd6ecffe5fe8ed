"""GET /v1/Events and /v1/Events/{Sid}: Twilio's Monitor Events, scoped to the caller, with
filters, the v1 envelope and keyset paging. Every success is checked against the vendored
description (tests/api/monitor.py)."""

import datetime
import json
from urllib.parse import parse_qsl, urlsplit

import pytest
from openapi_core.validation.response.exceptions import InvalidData

from accounts import errors
from accounts.models import Account, Event
from accounts.services import accounts as account_services
from accounts.services import ledger as ledger_services
from accounts.services import numbers as number_services
from accounts.services.events import Actor, event_record

from .monitor import (
    DOCUMENTED_ACTOR_SID,
    EVENT_KEYS,
    EVENTS,
    META_KEYS,
    SPEC,
    MonitorApi,
    event_path,
    validate,
)
from .support import assert_twilio_error, basic_auth

T0 = datetime.datetime(2026, 3, 1, 12, 0, tzinfo=datetime.UTC)


@pytest.fixture
def monitor(client):
    return MonitorApi(client)


@pytest.fixture
def staff(make_user):
    return make_user(email="support@console.example", is_staff=True)


def sids(response):
    return [event["sid"] for event in response.json()["events"]]


def query_of(url):
    return dict(parse_qsl(urlsplit(url).query))


def make_events(account, count, *, start=T0, event_type="account.updated", step_minutes=1):
    """`count` events in `account`'s log, a minute apart from `start` (oldest first)."""
    return [
        event_record(
            actor=Actor.system(),
            event_type=event_type,
            account=account,
            resource_sid=account.sid,
            data={"n": number},
            date=start + datetime.timedelta(minutes=number * step_minutes),
        )
        for number in range(count)
    ]


def renamed_through_the_api(api, caller, account, name):
    response = api.post(
        f"/2010-04-01/Accounts/{account.sid}.json", {"FriendlyName": name}, as_=caller
    )
    assert response.status_code == 200
    return Event.objects.filter(resource_sid=account.sid, event_type="account.updated").latest("id")


# --- The description, and that checking against it can fail -----------------------------


def test_the_vendored_description_is_twilios_monitor_subset():
    assert SPEC["servers"] == [{"url": "https://monitor.twilio.com"}]
    assert set(SPEC["paths"]) == {"/v1/Events", "/v1/Events/{Sid}"}
    # The one pattern the checks widen, as tests/openapi/README.md explains.
    actor_sid = SPEC["components"]["schemas"]["monitor.v1.event"]["properties"]["actor_sid"]
    assert actor_sid["pattern"] == DOCUMENTED_ACTOR_SID
    assert "Account SID" in actor_sid["description"]


VALID_EVENT = {
    "account_sid": "AC" + "a" * 32,
    "actor_sid": "AC" + "a" * 32,
    "actor_type": "account",
    "description": None,
    "event_data": {"friendly_name": {"previous": "A", "updated": "B"}},
    "event_date": "2026-12-01T16:02:38Z",
    "event_type": "account.updated",
    "resource_sid": "AC" + "a" * 32,
    "resource_type": "account",
    "sid": "AE" + "a" * 32,
    "source": "api",
    "source_ip_address": "10.0.0.1",
    "url": "https://console.example/v1/Events/AE" + "a" * 32,
    "links": {"actor": None, "resource": None},
}


def test_a_valid_event_passes():
    validate("get", event_path(VALID_EVENT["sid"]), VALID_EVENT)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("event_date", "Tue, 01 Dec 2026 16:02:38 +0000"),
        ("event_date", "2026-12-01T16:02:38.123456+00:00"),
        ("sid", "AC" + "a" * 32),
        ("actor_sid", "PN" + "a" * 32),
        ("url", "/v1/Events/AE" + "a" * 32),
        ("links", None),
    ],
)
def test_an_event_unlike_twilios_fails(field, value):
    body = {**VALID_EVENT, field: value}
    if field == "links":
        del body["links"]
    with pytest.raises(InvalidData):
        validate("get", event_path(VALID_EVENT["sid"]), body)


# --- One event, as the API writes it ------------------------------------------------------


def test_a_rename_through_the_api_is_an_event_with_twilios_fields(
    api, monitor, main_account, subaccount
):
    recorded = renamed_through_the_api(api, main_account, subaccount, "Acme Europe")

    response = monitor.get(event_path(recorded.sid), as_=main_account)

    assert response.status_code == 200
    body = response.json()
    assert list(body) == EVENT_KEYS
    assert body["sid"] == recorded.sid
    assert body["account_sid"] == subaccount.sid
    assert (body["actor_type"], body["actor_sid"]) == ("account", main_account.sid)
    assert (body["source"], body["source_ip_address"]) == ("api", "127.0.0.1")
    assert (body["resource_type"], body["resource_sid"]) == ("account", subaccount.sid)
    assert body["event_type"] == "account.updated"
    assert body["event_data"] == {
        "friendly_name": {"previous": "Acme EU", "updated": "Acme Europe"}
    }
    assert body["event_date"] == recorded.event_date.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert body["url"] == f"http://testserver/v1/Events/{recorded.sid}"
    assert body["links"] == {
        "actor": f"http://testserver/2010-04-01/Accounts/{main_account.sid}.json",
        "resource": f"http://testserver/2010-04-01/Accounts/{subaccount.sid}.json",
    }
    assert body["description"] is None


def test_the_links_lead_to_the_actor_and_the_resource(api, monitor, main_account, subaccount):
    recorded = renamed_through_the_api(api, main_account, subaccount, "Acme Europe")
    links = monitor.get(event_path(recorded.sid), as_=main_account).json()["links"]

    resource = api.get(urlsplit(links["resource"]).path, as_=main_account)

    assert resource.json()["friendly_name"] == "Acme Europe"
    assert api.get(urlsplit(links["actor"]).path, as_=main_account).json()["sid"] == (
        main_account.sid
    )


def test_urls_follow_the_host_and_scheme_of_the_request(client, main_account, settings):
    settings.ALLOWED_HOSTS = ["console.example.com"]
    response = client.get(
        EVENTS,
        headers={"Authorization": basic_auth(main_account.sid, main_account.auth_token)},
        HTTP_HOST="console.example.com",
        secure=True,
        SERVER_PORT="443",
    )

    meta = response.json()["meta"]
    assert meta["url"].startswith("https://console.example.com/v1/Events?")
    assert response.json()["events"][0]["url"].startswith("https://console.example.com/v1/")


def test_a_console_users_change_names_the_user_and_the_console(
    client, monitor, main_account, owner
):
    client.force_login(owner)
    client.post(f"/console/{main_account.sid}/rename/", {"friendly_name": "Acme Corp"})
    client.logout()

    body = monitor.get(EVENTS, {"EventType": "account.updated"}, as_=main_account).json()

    [event] = body["events"]
    assert (event["actor_type"], event["actor_sid"], event["source"]) == ("user", owner.sid, "web")
    assert event["event_data"]["friendly_name"] == {"previous": "Acme", "updated": "Acme Corp"}
    assert event["links"]["actor"] is None  # users have no API resource here


def test_support_staff_stay_anonymous(monitor, main_account, subaccount, staff):
    account_services.account_suspend(
        account=subaccount,
        actor=Actor.for_support(staff, ip="10.9.9.9"),
        source=Account.StatusSource.SUPPORT,
        reason="Unpaid invoice",
    )

    body = monitor.get(EVENTS, {"ResourceSid": subaccount.sid}, as_=main_account).json()
    suspension = body["events"][0]
    by_staff_sid = monitor.get(EVENTS, {"ActorSid": staff.sid}, as_=main_account).json()

    assert (suspension["actor_type"], suspension["source"]) == ("support", "admin")
    assert suspension["actor_sid"] is None
    assert suspension["source_ip_address"] is None
    assert suspension["event_data"]["status"] == {"previous": "active", "updated": "suspended"}
    assert by_staff_sid["events"] == []


# --- Who sees what ------------------------------------------------------------------------


def test_a_main_account_sees_its_familys_events(api, monitor, main_account, subaccount, sibling):
    renamed_through_the_api(api, main_account, subaccount, "EU 2")
    renamed_through_the_api(api, main_account, sibling, "US 2")

    events = monitor.get(EVENTS, as_=main_account).json()["events"]

    assert {event["account_sid"] for event in events} == {
        main_account.sid,
        subaccount.sid,
        sibling.sid,
    }


def test_a_subaccount_sees_only_its_own_events(api, monitor, main_account, subaccount, sibling):
    renamed_through_the_api(api, main_account, subaccount, "EU 2")
    renamed_through_the_api(api, main_account, sibling, "US 2")

    events = monitor.get(EVENTS, as_=subaccount).json()["events"]

    assert events
    assert {event["account_sid"] for event in events} == {subaccount.sid}
    assert {event["resource_sid"] for event in events} == {subaccount.sid}


def test_a_subaccount_cannot_fetch_its_parents_or_a_siblings_events(
    api, monitor, main_account, subaccount, sibling
):
    parents = Event.objects.filter(account_sid=main_account.sid).latest("id")
    siblings = renamed_through_the_api(api, main_account, sibling, "US 2")

    for event in (parents, siblings):
        response = monitor.get(event_path(event.sid), as_=subaccount)
        assert_twilio_error(
            response,
            code=20404,
            status=404,
            message=errors.API_NOT_FOUND.format(path=event_path(event.sid)),
        )
    # Nor find them by filtering.
    assert monitor.get(EVENTS, {"ResourceSid": sibling.sid}, as_=subaccount).json()["events"] == []


def test_a_number_moved_from_a_sibling_does_not_name_it_to_a_subaccount(
    monitor, main_account, subaccount, sibling, stock
):
    system = Actor.system()
    ledger_services.funds_add(account=main_account, amount="20", reason="Top-up", actor=system)
    number = number_services.number_buy(account=sibling, phone_number="+14155550100", actor=system)
    number_services.number_transfer(
        number=number, target=subaccount, acting_account=main_account, actor=system
    )

    def moved(caller):
        events = monitor.get(EVENTS, {"EventType": "phone-number.updated"}, as_=caller)
        return [event["event_data"]["account_sid"] for event in events.json()["events"]]

    # The sibling's credentials: it left for another subaccount, which they may not name.
    assert moved(sibling) == [{"previous": sibling.sid, "updated": None}]
    assert subaccount.sid not in json.dumps(monitor.get(EVENTS, as_=sibling).json())
    # The receiving subaccount's: it came from another subaccount, in its own log too.
    assert moved(subaccount) == [{"previous": None, "updated": subaccount.sid}]
    assert sibling.sid not in json.dumps(monitor.get(EVENTS, as_=subaccount).json())
    # The family's main account names both, in each account's event.
    both = {"previous": sibling.sid, "updated": subaccount.sid}
    assert moved(main_account) == [both, both]


def test_another_familys_events_are_not_found(monitor, main_account, other_account):
    theirs = Event.objects.filter(account_sid=other_account.sid).latest("id")

    fetched = monitor.get(event_path(theirs.sid), as_=main_account)
    listed = monitor.get(EVENTS, {"ResourceSid": other_account.sid}, as_=main_account)

    assert_twilio_error(fetched, code=20404, status=404)
    assert listed.json()["events"] == []


@pytest.mark.parametrize("sid", ["AE" + "0" * 32, "nonsense", "AC" + "0" * 32, "AE" + "g" * 32])
def test_an_unknown_event_is_20404(monitor, main_account, sid):
    assert_twilio_error(monitor.get(event_path(sid), as_=main_account), code=20404, status=404)


def test_credentials_are_required(monitor, main_account):
    assert_twilio_error(monitor.get(EVENTS), code=20003, status=401)
    wrong = (main_account.sid, "0" * 32)
    assert_twilio_error(monitor.get(EVENTS, as_=wrong), code=20003, status=401)


def test_the_events_api_only_reads(client, main_account):
    response = client.post(
        EVENTS, headers={"Authorization": basic_auth(main_account.sid, main_account.auth_token)}
    )

    assert_twilio_error(response, code=20004, status=405)
    assert response["Allow"] == "GET"


# --- Filters ------------------------------------------------------------------------------


def test_filter_by_event_type_resource_and_actor(api, monitor, main_account, subaccount, owner):
    renamed_through_the_api(api, main_account, subaccount, "EU 2")
    account_services.account_rename(
        account=main_account, friendly_name="Acme 2", actor=Actor.for_user(owner)
    )

    def listed(**params):
        return monitor.get(EVENTS, params, as_=main_account).json()["events"]

    updates = listed(EventType="account.updated")
    assert {e["resource_sid"] for e in updates} == {main_account.sid, subaccount.sid}
    assert [e["resource_sid"] for e in listed(ResourceSid=subaccount.sid)] == [
        subaccount.sid,
        subaccount.sid,
    ]  # renamed, created
    assert [e["actor_sid"] for e in listed(ActorSid=main_account.sid)] == [main_account.sid]
    assert [e["event_data"] for e in listed(ActorSid=owner.sid, EventType="account.updated")] == [
        {"friendly_name": {"previous": "Acme", "updated": "Acme 2"}}
    ]
    assert listed(EventType="phone-number.created") == []


def test_filter_by_source_ip_address(monitor, main_account, owner):
    event_record(
        actor=Actor.for_user(owner, ip="203.0.113.7"),
        event_type="account.updated",
        account=main_account,
        resource_sid=main_account.sid,
    )

    found = monitor.get(EVENTS, {"SourceIpAddress": "203.0.113.7"}, as_=main_account).json()
    other = monitor.get(EVENTS, {"SourceIpAddress": "2001:db8::1"}, as_=main_account).json()

    assert [e["source_ip_address"] for e in found["events"]] == ["203.0.113.7"]
    assert other["events"] == []


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"StartDate": "2026-03-01T12:02:00Z"}, [4, 3, 2]),
        ({"EndDate": "2026-03-01T12:02:00Z"}, [2, 1, 0]),
        ({"StartDate": "2026-03-01T12:01:00Z", "EndDate": "2026-03-01T12:03:00Z"}, [3, 2, 1]),
        # An offset is honoured; no offset means UTC, as Twilio says ("in GMT").
        ({"StartDate": "2026-03-01T13:03:00+01:00"}, [4, 3]),
        ({"StartDate": "2026-03-01T12:03:00"}, [4, 3]),
        # A date alone: from its start, or up to its end.
        ({"StartDate": "2026-03-02"}, []),
        ({"EndDate": "2026-03-01"}, [4, 3, 2, 1, 0]),
        ({"EndDate": "2026-02-28"}, []),
    ],
)
def test_filter_by_dates(monitor, main_account, params, expected):
    made = make_events(main_account, 5)

    response = monitor.get(EVENTS, {**params, "EventType": "account.updated"}, as_=main_account)

    assert sids(response) == [made[number].sid for number in expected]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (
            {"StartDate": "yesterday"},
            errors.API_DATE_INVALID.format(name="StartDate", value="yesterday"),
        ),
        (
            {"EndDate": "2026-13-01T00:00:00Z"},
            errors.API_DATE_INVALID.format(name="EndDate", value="2026-13-01T00:00:00Z"),
        ),
        ({"EndDate": ""}, errors.API_DATE_INVALID.format(name="EndDate", value="")),
        (
            {"StartDate": "2026-03-02T00:00:00Z", "EndDate": "2026-03-01T00:00:00Z"},
            errors.API_DATE_RANGE_REVERSED,
        ),
        (
            {"ActorSid": "PN" + "a" * 32},
            errors.API_SID_INVALID.format(
                name="ActorSid",
                example="US… (a user) or AC… (credentials)",
                value="PN" + "a" * 32,
            ),
        ),
        (
            {"ResourceSid": "AC123"},
            errors.API_SID_INVALID.format(name="ResourceSid", example="AC… or PN…", value="AC123"),
        ),
        (
            {"SourceIpAddress": "10.0.0.300"},
            errors.API_IP_ADDRESS_INVALID.format(value="10.0.0.300"),
        ),
        (
            {"StartDate": "x" * 100},
            errors.API_DATE_INVALID.format(name="StartDate", value="x" * 64 + "…"),
        ),
    ],
)
def test_bad_filters_are_a_clear_400(monitor, main_account, params, message):
    response = monitor.get(EVENTS, params, as_=main_account)

    assert_twilio_error(response, code=20001, status=400, message=message)


@pytest.mark.parametrize("event_type", ["account.\x00updated", "x" * 500])
def test_an_event_type_nothing_can_have_finds_nothing(monitor, main_account, event_type):
    response = monitor.get(EVENTS, {"EventType": event_type}, as_=main_account)

    assert response.status_code == 200
    assert response.json()["events"] == []


@pytest.mark.parametrize("page_size", ["0", "1001", "-1", "ten", ""])
def test_page_size_is_1_to_1000(monitor, main_account, page_size):
    response = monitor.get(EVENTS, {"PageSize": page_size}, as_=main_account)

    assert_twilio_error(
        response,
        code=20007,
        status=400,
        message=errors.API_PAGE_SIZE_INVALID.format(maximum=1000, value=page_size),
    )


def test_a_bad_page_token_is_21481(monitor, main_account):
    response = monitor.get(EVENTS, {"PageToken": "PTnot-a-token"}, as_=main_account)

    assert_twilio_error(response, code=21481, status=400, message=errors.API_PAGE_TOKEN_INVALID)


# --- The envelope and paging --------------------------------------------------------------


def test_the_envelope_is_twilios_v1_one(monitor, main_account):
    response = monitor.get(EVENTS, as_=main_account)

    body = response.json()
    assert set(body) == {"events", "meta"}
    meta = body["meta"]
    assert set(meta) == META_KEYS
    assert (meta["key"], meta["page"], meta["page_size"]) == ("events", 0, 50)
    assert meta["first_page_url"] == "http://testserver/v1/Events?PageSize=50&Page=0"
    assert meta["url"] == meta["first_page_url"]
    assert meta["next_page_url"] is None and meta["previous_page_url"] is None
    assert [e["event_type"] for e in body["events"]] == ["account.created"]


def test_pages_are_newest_first_and_cover_everything_once(monitor, main_account):
    made = make_events(main_account, 12)
    # Two at the very same moment: the id breaks the tie.
    made += make_events(main_account, 2, start=T0 + datetime.timedelta(hours=1), step_minutes=0)
    newest_first = sorted(made, key=lambda e: (e.event_date, e.id), reverse=True)
    params = {"EventType": "account.updated", "PageSize": 5}

    pages = [monitor.get(EVENTS, params, as_=main_account)]
    while pages[-1].json()["meta"]["next_page_url"]:
        pages.append(monitor.get(pages[-1].json()["meta"]["next_page_url"], as_=main_account))

    assert [sid for page in pages for sid in sids(page)] == [e.sid for e in newest_first]
    assert [page.json()["meta"]["page"] for page in pages] == [0, 1, 2]
    for page in pages[1:]:
        # Every page URL is absolute and keeps the filters.
        url = page.json()["meta"]["url"]
        assert url.startswith("http://testserver/v1/Events?")
        assert query_of(url)["EventType"] == "account.updated"
        assert query_of(url)["PageSize"] == "5"
    # And back again, page by page.
    back = [pages[-1]]
    while back[-1].json()["meta"]["previous_page_url"]:
        back.append(monitor.get(back[-1].json()["meta"]["previous_page_url"], as_=main_account))
    assert [sids(page) for page in back] == [sids(page) for page in reversed(pages)]


def test_a_new_event_does_not_shift_later_pages(monitor, main_account):
    make_events(main_account, 6)
    params = {"EventType": "account.updated", "PageSize": 3}
    first = monitor.get(EVENTS, params, as_=main_account).json()
    second_before = monitor.get(first["meta"]["next_page_url"], as_=main_account)

    make_events(main_account, 1, start=T0 + datetime.timedelta(days=1))
    second_after = monitor.get(first["meta"]["next_page_url"], as_=main_account)

    assert sids(second_after) == sids(second_before)


def test_a_list_takes_two_queries_however_many_events(
    monitor, main_account, subaccount, django_assert_max_num_queries
):
    make_events(subaccount, 300)
    params = {"PageSize": 1000}

    with django_assert_max_num_queries(2):  # the caller, then one page of events
        first = monitor.get(EVENTS, params, as_=main_account)
    assert len(first.json()["events"]) == 302
    first_ten = monitor.get(EVENTS, {"PageSize": 10}, as_=main_account)
    with django_assert_max_num_queries(2):
        deeper = monitor.get(first_ten.json()["meta"]["next_page_url"], as_=main_account)
    assert len(deeper.json()["events"]) == 10


def test_event_data_is_the_recorded_json(monitor, main_account):
    data = {"nested": {"list": [1, 2], "text": "é"}, "status": {"previous": None, "updated": "x"}}
    recorded = event_record(
        actor=Actor.system(), event_type="account.updated", account=main_account, data=data
    )

    body = monitor.get(event_path(recorded.sid), as_=main_account).json()

    assert body["event_data"] == json.loads(json.dumps(data))
    assert (body["actor_type"], body["actor_sid"], body["source"]) == ("system", None, "system")
    assert body["resource_sid"] is None
