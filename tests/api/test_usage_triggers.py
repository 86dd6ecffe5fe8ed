"""The Usage Triggers API, and the official client on Usage Records and Triggers."""

import datetime

import pytest
from django.utils import timezone
from twilio.base.exceptions import TwilioException, TwilioRestException

from accounts import errors
from accounts.models import Event, UsageTrigger
from accounts.services import ledger
from accounts.services.events import Actor
from accounts.services.usage import usage_record

from .support import assert_twilio_error, query_of

pytestmark = pytest.mark.django_db


def triggers_path(sid):
    return f"/2010-04-01/Accounts/{sid}/Usage/Triggers.json"


def trigger_path(sid, trigger_sid):
    return f"/2010-04-01/Accounts/{sid}/Usage/Triggers/{trigger_sid}.json"


def use(account, category="sms-outbound", quantity=1, price="0.01"):
    today = timezone.now().astimezone(datetime.UTC).date()
    return usage_record(
        account=account,
        category=category,
        quantity=quantity,
        price=price,
        start_date=today,
        end_date=today,
        actor=Actor.system(),
    )


@pytest.fixture
def funded(main_account):
    ledger.funds_add(account=main_account, amount="100", actor=Actor.system(), reason="Funds")
    return main_account


CREATE = {
    "CallbackUrl": "https://example.com/usage",
    "TriggerValue": "+30",
    "UsageCategory": "sms",
}


def test_create_answers_201_with_the_trigger(api, funded):
    use(funded, quantity=5)
    response = api.post(
        triggers_path(funded.sid),
        CREATE | {"FriendlyName": "SMS budget", "Recurring": "monthly", "TriggerBy": "usage"},
        as_=funded,
    )
    assert response.status_code == 201
    body = response.json()
    assert body["sid"].startswith("UT") and len(body["sid"]) == 34
    assert body["trigger_value"] == "35"
    assert body["current_value"] == "5"
    assert body["date_fired"] is None
    assert body["recurring"] == "monthly"
    assert body["callback_method"] == "POST"
    assert body["uri"] == trigger_path(funded.sid, body["sid"])
    assert body["usage_record_uri"] == (
        f"/2010-04-01/Accounts/{funded.sid}/Usage/Records.json?Category=sms"
    )
    event = Event.objects.get(resource_sid=body["sid"])
    assert event.event_type == "usage-trigger.created"
    assert event.actor_sid == funded.sid and event.source == "api"


def test_defaults_are_twilios(api, funded):
    body = api.post(triggers_path(funded.sid), CREATE, as_=funded).json()
    assert (body["recurring"], body["trigger_by"], body["callback_method"]) == (
        "alltime",
        "usage",
        "POST",
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"CallbackUrl": "ftp://x"}, errors.TRIGGER_CALLBACK_URL_INVALID.format(value="ftp://x")),
        ({"CallbackUrl": ""}, errors.TRIGGER_CALLBACK_URL_REQUIRED),
        ({"TriggerValue": "lots"}, errors.TRIGGER_VALUE_INVALID.format(value="lots")),
        ({"UsageCategory": "pizza"}, errors.TRIGGER_CATEGORY_UNKNOWN.format(value="pizza")),
        ({"Recurring": "hourly"}, errors.TRIGGER_RECURRING_INVALID.format(value="hourly")),
        ({"TriggerBy": "weight"}, errors.TRIGGER_BY_INVALID.format(value="weight")),
        ({"CallbackMethod": "PUT"}, errors.TRIGGER_CALLBACK_METHOD_INVALID.format(value="PUT")),
    ],
)
def test_bad_parameters_are_20001(api, funded, data, message):
    response = api.post(triggers_path(funded.sid), CREATE | data, as_=funded)
    assert_twilio_error(response, code=20001, status=400, message=message)
    assert not UsageTrigger.objects.exists()


def test_private_callback_urls_are_refused(api, funded, settings):
    settings.USAGE_TRIGGER_PRIVATE_CALLBACKS = False
    response = api.post(
        triggers_path(funded.sid), CREATE | {"CallbackUrl": "http://10.0.0.8/x"}, as_=funded
    )
    assert_twilio_error(
        response,
        code=20001,
        status=400,
        message=errors.TRIGGER_CALLBACK_URL_PRIVATE.format(host="10.0.0.8"),
    )


def make(api, account, as_, **data):
    return api.post(triggers_path(account.sid), CREATE | data, as_=as_).json()


def test_list_filters_and_pages(api, funded):
    daily = make(api, funded, funded, Recurring="daily", TriggerBy="price")
    monthly = make(api, funded, funded, Recurring="monthly", UsageCategory="calls")
    once = make(api, funded, funded)
    listed = api.get(triggers_path(funded.sid), as_=funded).json()
    assert [t["sid"] for t in listed["usage_triggers"]] == [
        once["sid"],
        monthly["sid"],
        daily["sid"],
    ]

    def sids(**params):
        body = api.get(triggers_path(funded.sid), params, as_=funded).json()
        return [t["sid"] for t in body["usage_triggers"]]

    assert sids(Recurring="daily") == [daily["sid"]]
    assert sids(Recurring="alltime") == [once["sid"]]
    assert sids(TriggerBy="price") == [daily["sid"]]
    assert sids(UsageCategory="calls") == [monthly["sid"]]
    first = api.get(triggers_path(funded.sid), {"PageSize": 2}, as_=funded).json()
    uri = first["next_page_uri"]
    second = api.get(uri.split("?")[0], query_of(uri), as_=funded).json()
    assert [t["sid"] for t in second["usage_triggers"]] == [daily["sid"]]
    assert_twilio_error(
        api.get(triggers_path(funded.sid), {"Recurring": "weekly"}, as_=funded),
        code=20001,
        status=400,
    )


def test_fetch_update_delete(api, funded):
    created = make(api, funded, funded, FriendlyName="Before")
    path = trigger_path(funded.sid, created["sid"])
    assert api.get(path, as_=funded).json()["friendly_name"] == "Before"
    updated = api.post(
        path,
        {"FriendlyName": "After", "CallbackMethod": "GET", "CallbackUrl": "https://example.org/u"},
        as_=funded,
    ).json()
    assert (updated["friendly_name"], updated["callback_method"], updated["callback_url"]) == (
        "After",
        "GET",
        "https://example.org/u",
    )
    assert updated["trigger_value"] == created["trigger_value"]
    response = api.request("DELETE", path, as_=funded)
    assert response.status_code == 204 and response.content == b""
    assert_twilio_error(api.get(path, as_=funded), code=20404, status=404)


def test_a_main_account_manages_its_subaccounts_triggers(api, funded, subaccount):
    created = make(api, subaccount, funded)
    assert created["account_sid"] == subaccount.sid
    listed = api.get(triggers_path(subaccount.sid), as_=subaccount).json()
    assert [t["sid"] for t in listed["usage_triggers"]] == [created["sid"]]
    # Under another account's SID the trigger is not found.
    assert_twilio_error(
        api.get(trigger_path(funded.sid, created["sid"]), as_=funded), code=20404, status=404
    )


def test_a_subaccount_never_reaches_its_parents_or_siblings_triggers(
    api, funded, subaccount, sibling
):
    parents = make(api, funded, funded)
    siblings = make(api, sibling, sibling)
    for account, trigger in [(funded, parents), (sibling, siblings)]:
        for response in [
            api.get(triggers_path(account.sid), as_=subaccount),
            api.get(trigger_path(account.sid, trigger["sid"]), as_=subaccount),
            api.post(
                trigger_path(account.sid, trigger["sid"]), {"FriendlyName": "x"}, as_=subaccount
            ),
            api.request("DELETE", trigger_path(account.sid, trigger["sid"]), as_=subaccount),
            api.post(triggers_path(account.sid), CREATE, as_=subaccount),
        ]:
            assert_twilio_error(response, code=20404, status=404)
    assert UsageTrigger.objects.count() == 2


def test_another_account_cannot_reach_them(api, funded, other_account):
    created = make(api, funded, funded)
    response = api.get(trigger_path(funded.sid, created["sid"]), as_=other_account)
    assert_twilio_error(response, code=20404, status=404)


def test_current_value_and_date_fired_follow_usage(api, funded, subaccount):
    created = make(
        api, funded, funded, TriggerValue="3", UsageCategory="totalprice", TriggerBy="count"
    )
    use(subaccount, quantity=2)
    use(funded, quantity=2)
    body = api.get(trigger_path(funded.sid, created["sid"]), as_=funded).json()
    assert body["current_value"] == "4"
    assert body["date_fired"] is not None


# --- The official client -------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_official_client_reads_usage_records(twilio_client, main_account, subaccount):
    ledger.funds_add(account=main_account, amount="50", actor=Actor.system(), reason="Funds")
    use(main_account, category="calls-outbound", quantity=12, price="1.20")
    use(subaccount, category="sms-outbound", quantity=3, price="0.30")
    client = twilio_client(main_account)
    records = {r.category: r for r in client.usage.records.list(include_subaccounts=True)}
    assert records["totalprice"].price == pytest.approx(1.50)
    assert records["calls"].usage == "12" and records["calls"].usage_unit == "minutes"
    own = client.usage.records.list(category="totalprice", include_subaccounts=False)
    assert [r.price for r in own] == [pytest.approx(1.20)]
    today = timezone.now().astimezone(datetime.UTC).date()
    daily = client.api.v2010.accounts(subaccount.sid).usage.records.daily.list(
        category="sms", start_date=today - datetime.timedelta(days=2), end_date=today
    )
    assert [(r.start_date, r.usage) for r in daily][-1] == (today, "3")
    this_month = client.api.v2010.accounts(subaccount.sid).usage.records.this_month.list(
        category="totalprice"
    )
    assert [r.price for r in this_month] == [pytest.approx(0.30)]
    assert this_month[0].account_sid == subaccount.sid
    # Lists raise TwilioException with the body (twilio-python's own behaviour).
    with pytest.raises(TwilioException, match='"code": 20001'):
        client.usage.records.list(start_date="not-a-date")


@pytest.mark.django_db(transaction=True)
def test_the_official_client_manages_triggers(twilio_client, main_account, subaccount):
    client = twilio_client(main_account)
    triggers = client.api.v2010.accounts(subaccount.sid).usage.triggers
    trigger = triggers.create(
        callback_url="https://example.com/usage",
        trigger_value="+10",
        usage_category="totalprice",
        trigger_by="price",
        recurring="daily",
        friendly_name="Daily spend",
    )
    assert trigger.sid.startswith("UT")
    assert trigger.trigger_value == "10" and trigger.current_value == "0"
    assert [t.sid for t in triggers.list(recurring="daily")] == [trigger.sid]
    assert triggers.list(trigger_by="count") == []
    fetched = triggers(trigger.sid).fetch()
    assert fetched.friendly_name == "Daily spend" and fetched.date_fired is None
    updated = triggers(trigger.sid).update(friendly_name="Daily spend, EU", callback_method="GET")
    assert (updated.friendly_name, updated.callback_method) == ("Daily spend, EU", "GET")
    assert triggers(trigger.sid).delete() is True
    with pytest.raises(TwilioRestException) as missing:
        triggers(trigger.sid).fetch()
    assert missing.value.status == 404
    as_subaccount = twilio_client(subaccount)
    with pytest.raises(TwilioException, match='"code": 20404'):
        as_subaccount.api.v2010.accounts(main_account.sid).usage.triggers.list()
