"""The official `twilio` library's Monitor client, unchanged, against a live server: the
activity log of changes made through the console and through the API, as an ISV's audit
script reads it (`client.monitor.v1.events`)."""

import datetime
import json

import pytest
from django.test import Client as ConsoleClient
from twilio.base.exceptions import TwilioException, TwilioRestException

from accounts import errors
from accounts.models import Event
from accounts.services.events import Actor, event_record

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def monitor_client(twilio_client, live_server):
    """`monitor_client(account)`: the official client with its monitor domain (like its api
    domain) pointed at the live server."""

    def make(account):
        client = twilio_client(account)
        client.monitor.base_url = live_server.url
        return client

    return make


def test_renames_through_the_console_and_the_api_read_back_through_the_client(
    monitor_client, live_server, main_account, subaccount, owner
):
    before = datetime.datetime.now(datetime.UTC) - datetime.timedelta(seconds=1)
    console = ConsoleClient()
    console.force_login(owner)
    renamed = console.post(
        f"/console/{main_account.sid}/subaccounts/{subaccount.sid}/rename/",
        {"friendly_name": "Acme Europe"},
    )
    assert renamed.status_code == 302
    client = monitor_client(main_account)
    client.api.base_url = live_server.url
    client.api.accounts(subaccount.sid).update(friendly_name="Acme EMEA")

    events = client.monitor.v1.events.list(
        event_type="account.updated", resource_sid=subaccount.sid, start_date=before
    )

    through_api, through_console = events
    assert (through_api.actor_type, through_api.actor_sid, through_api.source) == (
        "account",
        main_account.sid,
        "api",
    )
    assert through_api.source_ip_address == "127.0.0.1"
    assert through_api.event_data == {
        "friendly_name": {"previous": "Acme Europe", "updated": "Acme EMEA"}
    }
    assert (through_console.actor_type, through_console.actor_sid, through_console.source) == (
        "user",
        owner.sid,
        "web",
    )
    assert through_console.event_data == {
        "friendly_name": {"previous": "Acme EU", "updated": "Acme Europe"}
    }
    for event in events:
        assert event.account_sid == subaccount.sid
        assert (event.resource_type, event.resource_sid) == ("account", subaccount.sid)
        # twilio-python parsed the ISO 8601 date into an aware datetime.
        assert isinstance(event.event_date, datetime.datetime)
        assert event.event_date >= before.replace(microsecond=0)
        assert event.url == f"{live_server.url}/v1/Events/{event.sid}"
        assert event.links["resource"] == (
            f"{live_server.url}/2010-04-01/Accounts/{subaccount.sid}.json"
        )

    fetched = client.monitor.v1.events(through_api.sid).fetch()
    assert (fetched.sid, fetched.actor_sid, fetched.event_type) == (
        through_api.sid,
        main_account.sid,
        "account.updated",
    )
    assert fetched.event_data["friendly_name"]["updated"] == "Acme EMEA"
    assert (
        fetched.links["actor"] == f"{live_server.url}/2010-04-01/Accounts/{main_account.sid}.json"
    )
    # A range that ends before the renames finds neither.
    earlier = client.monitor.v1.events.list(resource_sid=subaccount.sid, end_date=before)
    assert {event.event_type for event in earlier} <= {"account.created"}


def test_a_subaccounts_credentials_read_only_its_own_events(
    monitor_client, main_account, subaccount, sibling, other_account
):
    as_subaccount = monitor_client(subaccount)
    parents = Event.objects.filter(account_sid=main_account.sid).latest("id")
    siblings = Event.objects.filter(account_sid=sibling.sid).latest("id")
    others = Event.objects.filter(account_sid=other_account.sid).latest("id")

    own = as_subaccount.monitor.v1.events.list()

    assert {event.account_sid for event in own} == {subaccount.sid}
    for event in (parents, siblings, others):
        with pytest.raises(TwilioRestException) as refused:
            as_subaccount.monitor.v1.events(event.sid).fetch()
        assert (refused.value.status, refused.value.code) == (404, 20404)
    assert as_subaccount.monitor.v1.events.list(resource_sid=sibling.sid) == []


def test_another_familys_event_is_not_found(monitor_client, main_account, other_account):
    theirs = Event.objects.filter(account_sid=other_account.sid).latest("id")

    with pytest.raises(TwilioRestException) as refused:
        monitor_client(main_account).monitor.v1.events(theirs.sid).fetch()

    assert (refused.value.status, refused.value.code) == (404, 20404)


def test_stream_pages_through_everything_newest_first(monitor_client, main_account, subaccount):
    start = datetime.datetime(2026, 2, 1, tzinfo=datetime.UTC)
    made = [
        event_record(
            actor=Actor.system(),
            event_type="phone-number.updated",
            account=subaccount if number % 2 else main_account,
            resource_sid="PN" + f"{number:032x}",
            date=start + datetime.timedelta(minutes=number),
        )
        for number in range(23)
    ]
    client = monitor_client(main_account)

    streamed = list(client.monitor.v1.events.stream(event_type="phone-number.updated", page_size=5))
    limited = client.monitor.v1.events.list(event_type="phone-number.updated", limit=7)
    page = client.monitor.v1.events.page(event_type="phone-number.updated", page_size=5)
    second = page.next_page()

    assert [event.sid for event in streamed] == [event.sid for event in reversed(made)]
    assert [event.sid for event in limited] == [event.sid for event in reversed(made)][:7]
    assert [event.sid for event in second] == [event.sid for event in reversed(made)][5:10]
    assert [event.sid for event in second.previous_page()] == [event.sid for event in page]


def test_bad_filters_are_refused_through_the_client(monitor_client, main_account):
    client = monitor_client(main_account)

    # Lists raise the plain TwilioException, carrying the answer, for anything but a 200.
    with pytest.raises(TwilioException) as refused:
        client.monitor.v1.events.list(
            start_date=datetime.datetime(2026, 3, 2), end_date=datetime.datetime(2026, 3, 1)
        )

    _message, response = refused.value.args
    assert response.status_code == 400
    assert json.loads(response.text) == {
        "code": 20001,
        "message": errors.API_DATE_RANGE_REVERSED,
        "more_info": "https://www.twilio.com/docs/errors/20001",
        "status": 400,
    }
