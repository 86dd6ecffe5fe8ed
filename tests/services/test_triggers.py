"""Usage triggers: firing once per period, callbacks signed as Twilio signs them, delivery
tries with backoff, callback URL checks, and tasks that commit with their transaction."""

import datetime
from decimal import Decimal
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.db import transaction
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from twilio.request_validator import RequestValidator

from accounts import errors, webhooks
from accounts.models import Event, UsageTrigger, UsageTriggerDelivery
from accounts.services import accounts as account_services
from accounts.services import ledger, triggers
from accounts.services.events import Actor
from accounts.services.usage import roll_up_add, usage_record
from tests.tasks_support import run_queued_tasks

pytestmark = pytest.mark.django_db

SYSTEM = Actor.system()


def today():
    return timezone.now().astimezone(datetime.UTC).date()


@pytest.fixture
def main(make_account):
    account = make_account(friendly_name="Acme")
    ledger.funds_add(account=account, amount="500", actor=SYSTEM, reason="Test funds")
    return account


@pytest.fixture
def sub(main, make_subaccount):
    return make_subaccount(main, friendly_name="Customer 1")


@pytest.fixture
def other_sub(main, make_subaccount):
    return make_subaccount(main, friendly_name="Customer 2")


def use(account, category="sms-outbound", quantity=1, price="0.01"):
    return usage_record(
        account=account,
        category=category,
        quantity=quantity,
        price=price,
        start_date=today(),
        end_date=today(),
        actor=SYSTEM,
    )


def make_trigger(account, url, **fields):
    values = {
        "callback_url": url,
        "trigger_value": "10",
        "usage_category": "sms",
        "actor": SYSTEM,
    } | fields
    return triggers.usage_trigger_create(account=account, **values)


def fired_events(trigger):
    return Event.objects.filter(resource_sid=trigger.sid, event_type="usage-trigger.fired")


def test_an_offset_counts_from_the_value_at_creation(main):
    use(main, quantity=7)
    trigger = make_trigger(main, "https://example.com/hook", trigger_value="+30")
    assert trigger.trigger_value == Decimal("37")
    event = Event.objects.get(resource_sid=trigger.sid, event_type="usage-trigger.created")
    assert event.event_data["trigger_value"] == {"previous": None, "updated": "37.0000"}


def test_it_fires_once_when_usage_crosses_the_value(
    main, receiver, django_capture_on_commit_callbacks
):
    trigger = make_trigger(main, receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        use(main, quantity=9)
    assert receiver.requests == []
    with django_capture_on_commit_callbacks(execute=True):
        use(main, quantity=2)
    with django_capture_on_commit_callbacks(execute=True):
        use(main, quantity=5)
    assert len(receiver.requests) == 1
    trigger.refresh_from_db()
    assert trigger.date_fired is not None
    assert fired_events(trigger).count() == 1
    form = receiver.requests[0].form
    assert form["CurrentValue"] == "11"
    assert form["TriggerValue"] == "10"
    assert form["UsageTriggerSid"] == trigger.sid
    assert form["AccountSid"] == main.sid
    assert form["Recurring"] == "alltime"
    assert form["UsageCategory"] == "sms"
    assert form["TriggerBy"] == "usage"
    assert form["UsageRecordUri"] == (
        f"/2010-04-01/Accounts/{main.sid}/Usage/Records.json?Category=sms"
    )
    assert form["IdempotencyToken"] == f"{main.sid}-FIRES-{trigger.sid}-alltime"
    assert form["DateFired"].endswith("+0000")
    delivery = trigger.deliveries.get()
    assert delivery.status == "delivered"
    assert [(a.number, a.status_code) for a in delivery.attempts.all()] == [(1, 200)]


def test_the_signature_is_twilios_with_the_owning_accounts_token(
    main, sub, receiver, django_capture_on_commit_callbacks
):
    trigger = make_trigger(
        sub, receiver.url + "?customer=42", trigger_by="price", trigger_value="0.02"
    )
    with django_capture_on_commit_callbacks(execute=True):
        use(sub, price="0.05")
    received = receiver.requests[0]
    assert received.method == "POST"
    signature = received.headers["X-Twilio-Signature"]
    url = receiver.url + "?customer=42"
    assert RequestValidator(sub.auth_token).validate(url, received.form, signature)
    assert not RequestValidator(main.auth_token).validate(url, received.form, signature)
    tampered = received.form | {"CurrentValue": "999"}
    assert not RequestValidator(sub.auth_token).validate(url, tampered, signature)
    assert received.form["AccountSid"] == sub.sid == trigger.account.sid
    assert received.headers["I-Twilio-Idempotency-Token"] == received.form["IdempotencyToken"]


def test_a_get_callback_carries_the_parameters_in_the_signed_url(
    main, receiver, django_capture_on_commit_callbacks
):
    make_trigger(main, receiver.url, callback_method="GET", trigger_value="1")
    with django_capture_on_commit_callbacks(execute=True):
        use(main)
    received = receiver.requests[0]
    assert received.method == "GET" and received.body == ""
    host = urlsplit(receiver.url).netloc
    full_url = f"http://{host}{received.path}"
    assert dict(parse_qsl(urlsplit(full_url).query))["UsageCategory"] == "sms"
    assert RequestValidator(main.auth_token).validate(
        full_url, {}, received.headers["X-Twilio-Signature"]
    )


def test_a_main_accounts_trigger_watches_the_family_a_subaccounts_only_itself(
    main, sub, other_sub, receiver, django_capture_on_commit_callbacks
):
    family = make_trigger(main, receiver.url, trigger_value="3")
    own = make_trigger(sub, receiver.url, trigger_value="3")
    with django_capture_on_commit_callbacks(execute=True):
        use(other_sub, quantity=2)
        use(sub, quantity=1)
    family.refresh_from_db()
    own.refresh_from_db()
    assert family.date_fired is not None
    assert own.date_fired is None
    assert [r.form["UsageTriggerSid"] for r in receiver.requests] == [family.sid]


def test_roll_up_categories_count_their_sub_categories(main):
    trigger = make_trigger(
        main,
        "https://example.com/hook",
        usage_category="totalprice",
        trigger_by="price",
        trigger_value="1",
    )
    use(main, category="calls-outbound", price="0.60")
    use(main, category="mms", price="0.50")
    trigger.refresh_from_db()
    assert trigger.date_fired is not None


def test_a_recurring_trigger_fires_again_in_the_next_period(main):
    trigger = make_trigger(main, "https://example.com/hook", recurring="daily", trigger_value="2")
    use(main, quantity=3)
    trigger.refresh_from_db()
    assert trigger.fired_period == today().isoformat()
    use(main, quantity=3)
    assert fired_events(trigger).count() == 1
    # Tomorrow, the value starts again from zero: the sweep fires it once it is reached.
    tomorrow = timezone.now() + datetime.timedelta(days=1)
    assert triggers.usage_triggers_sweep(actor=SYSTEM, now=tomorrow)["fired"] == 0
    roll_up_add(
        account=main, category="sms-outbound", day=tomorrow.date(), count=2, usage=2, price=0
    )
    assert triggers.usage_triggers_sweep(actor=SYSTEM, now=tomorrow)["fired"] == 1
    assert triggers.usage_triggers_sweep(actor=SYSTEM, now=tomorrow)["fired"] == 0
    trigger.refresh_from_db()
    assert trigger.fired_period == tomorrow.date().isoformat()
    assert fired_events(trigger).count() == 2


def test_the_sweep_fires_a_trigger_created_after_the_value_was_reached(main):
    use(main, quantity=20)
    trigger = make_trigger(main, "https://example.com/hook", recurring="monthly")
    trigger.refresh_from_db()
    # Creating it evaluated it already.
    assert trigger.fired_period == today().strftime("%Y-%m")
    assert triggers.usage_triggers_sweep(actor=SYSTEM)["fired"] == 0


def test_a_closed_accounts_trigger_does_not_fire(main, sub):
    trigger = make_trigger(sub, "https://example.com/hook", trigger_value="0")
    trigger.refresh_from_db()
    assert trigger.date_fired is not None  # 0 is reached at once
    UsageTrigger.objects.filter(pk=trigger.pk).update(fired_period="", date_fired=None)
    account_services.account_close(account=sub, actor=SYSTEM, source="support")
    assert triggers.usage_triggers_sweep(actor=SYSTEM)["fired"] == 0
    with pytest.raises(errors.UsageTriggerError, match=errors.TRIGGER_ACCOUNT_CLOSED):
        make_trigger(sub, "https://example.com/hook")


def test_failed_tries_are_retried_and_each_one_recorded(
    main, receiver, django_capture_on_commit_callbacks
):
    receiver.statuses = [500, 503, 502, 500]
    trigger = make_trigger(main, receiver.url, trigger_value="1")
    with django_capture_on_commit_callbacks(execute=True):
        use(main)
    delivery = trigger.deliveries.get()
    # The immediate backend cannot wait: the tries follow each other at once here.
    assert [a.status_code for a in delivery.attempts.all()] == [500, 503, 502, 500, 200]
    assert delivery.status == "delivered"
    assert len({r.form["IdempotencyToken"] for r in receiver.requests}) == 1
    assert all(a.duration_ms >= 0 for a in delivery.attempts.all())
    assert (
        Event.objects.filter(
            resource_sid=trigger.sid, event_type="usage-trigger-delivery.updated"
        ).count()
        == 5
    )


def test_five_failures_end_the_delivery(main, receiver, django_capture_on_commit_callbacks):
    receiver.statuses = [500] * 6
    trigger = make_trigger(main, receiver.url, trigger_value="1")
    with django_capture_on_commit_callbacks(execute=True):
        use(main)
    delivery = trigger.deliveries.get()
    assert delivery.status == "failed" and delivery.attempt_count == 5
    assert len(receiver.requests) == 5


def test_a_client_error_is_not_retried(main, receiver, django_capture_on_commit_callbacks):
    receiver.statuses = [404]
    trigger = make_trigger(main, receiver.url, trigger_value="1")
    with django_capture_on_commit_callbacks(execute=True):
        use(main)
    delivery = trigger.deliveries.get()
    assert delivery.status == "failed"
    assert [a.status_code for a in delivery.attempts.all()] == [404]


def test_a_timeout_is_recorded_as_an_error(receiver):
    receiver.delay = 1.0
    outcome = webhooks.callback_send(
        url=receiver.url, method="POST", params={"A": "1"}, auth_token="t", timeout=0.2
    )
    assert outcome.status_code is None
    assert outcome.error == "Timed out after 0.2 s"


def test_a_refused_connection_is_recorded_as_an_error():
    outcome = webhooks.callback_send(
        url="http://127.0.0.1:9/", method="POST", params={}, auth_token="t"
    )
    assert outcome.status_code is None and "ConnectionRefused" in outcome.error


def test_retries_wait_longer_each_time_over_half_an_hour(main, database_tasks, receiver):
    receiver.statuses = [500] * 5
    trigger = make_trigger(main, receiver.url, trigger_value="1")
    use(main)
    start = timezone.now()
    moment = start
    waits = []
    for _ in range(5):
        assert run_queued_tasks(until=moment + datetime.timedelta(seconds=1)) == 1
        delivery = trigger.deliveries.get()
        if delivery.next_attempt_at is None:
            break
        queued = DBTaskResult.objects.filter(status="READY").get()
        assert queued.run_after == delivery.next_attempt_at
        last_try = delivery.attempts.order_by("-number").first().attempted_at
        waits.append(round((delivery.next_attempt_at - last_try).total_seconds() / 60))
        moment = delivery.next_attempt_at
    assert waits == [1, 3, 9, 17]
    assert sum(waits) == 30
    assert trigger.deliveries.get().status == "failed"
    assert len(receiver.requests) == 5


def test_a_rolled_back_charge_queues_nothing(main, database_tasks, django_db_blocker):
    make_trigger(main, "https://example.com/hook", trigger_value="1")
    with pytest.raises(RuntimeError), transaction.atomic():
        use(main)
        assert DBTaskResult.objects.count() == 1  # queued in the same transaction...
        raise RuntimeError("the charge fails after the trigger fired")
    assert DBTaskResult.objects.count() == 0  # ...so it went with it
    assert UsageTriggerDelivery.objects.count() == 0
    use(main)
    assert (
        DBTaskResult.objects.filter(
            task_path="accounts.services.triggers.usage_trigger_deliver"
        ).count()
        == 1
    )


def test_invitation_emails_are_tasks_too(main, database_tasks, mailoutbox):
    from accounts.services import invitations

    invitations.invitation_create(
        email="new@example.com",
        account=main,
        roles_=["developer"],
        actor=Actor.for_user(main.owner),
        base_url="http://testserver",
    )
    assert mailoutbox == []
    assert DBTaskResult.objects.get().task_path == "accounts.tasks.email_send"
    assert run_queued_tasks() == 1
    assert mailoutbox[0].to == ["new@example.com"]


@override_settings(USAGE_TRIGGER_PRIVATE_CALLBACKS=False)
@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/hook",
        "http://localhost/hook",
        "http://10.1.2.3/hook",
        "http://192.168.0.10/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "https://100.64.0.1/hook",
    ],
)
def test_private_callback_urls_are_refused(main, url):
    with pytest.raises(errors.UsageTriggerError) as refusal:
        make_trigger(main, url)
    assert refusal.value.message == errors.TRIGGER_CALLBACK_URL_PRIVATE.format(
        host=urlsplit(url).hostname
    )


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.com/hook",
        "javascript:alert(1)",
        "example.com/hook",
        "http://",
        "http://exa mple.com/",
    ],
)
def test_callback_urls_must_be_http_or_https(main, url):
    with pytest.raises(errors.UsageTriggerError) as refusal:
        make_trigger(main, url)
    assert refusal.value.message == errors.TRIGGER_CALLBACK_URL_INVALID.format(value=url)


def test_private_addresses_are_refused_again_when_called(
    main, receiver, settings, django_capture_on_commit_callbacks
):
    trigger = make_trigger(main, receiver.url, trigger_value="1")
    settings.USAGE_TRIGGER_PRIVATE_CALLBACKS = False
    with django_capture_on_commit_callbacks(execute=True):
        use(main)
    assert receiver.requests == []
    attempt = trigger.deliveries.get().attempts.first()
    assert attempt.error == errors.TRIGGER_CALLBACK_URL_PRIVATE.format(host="127.0.0.1")


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"trigger_value": "ten"}, errors.TRIGGER_VALUE_INVALID.format(value="ten")),
        ({"trigger_value": "-5"}, errors.TRIGGER_VALUE_INVALID.format(value="-5")),
        ({"trigger_value": ""}, errors.TRIGGER_VALUE_REQUIRED),
        ({"usage_category": "pizza"}, errors.TRIGGER_CATEGORY_UNKNOWN.format(value="pizza")),
        ({"recurring": "hourly"}, errors.TRIGGER_RECURRING_INVALID.format(value="hourly")),
        ({"trigger_by": "weight"}, errors.TRIGGER_BY_INVALID.format(value="weight")),
        ({"callback_method": "PUT"}, errors.TRIGGER_CALLBACK_METHOD_INVALID.format(value="PUT")),
        ({"callback_url": ""}, errors.TRIGGER_CALLBACK_URL_REQUIRED),
        ({"friendly_name": "x" * 65}, errors.TRIGGER_FRIENDLY_NAME_TOO_LONG.format(length=65)),
    ],
)
def test_every_refusal_names_its_reason(main, fields, message):
    with pytest.raises(errors.UsageTriggerError) as refusal:
        make_trigger(main, "https://example.com/hook", **fields)
    assert refusal.value.message == message
    assert UsageTrigger.objects.count() == 0


def test_update_and_delete_record_their_events(main):
    trigger = make_trigger(main, "https://example.com/hook", friendly_name="Budget")
    triggers.usage_trigger_update(
        trigger=trigger, actor=SYSTEM, friendly_name="Budget 2", callback_method="GET"
    )
    updated = Event.objects.get(resource_sid=trigger.sid, event_type="usage-trigger.updated")
    assert updated.event_data == {
        "friendly_name": {"previous": "Budget", "updated": "Budget 2"},
        "callback_method": {"previous": "POST", "updated": "GET"},
    }
    triggers.usage_trigger_update(trigger=trigger, actor=SYSTEM, friendly_name="Budget 2")
    assert Event.objects.filter(event_type="usage-trigger.updated").count() == 1
    triggers.usage_trigger_delete(trigger=trigger, actor=SYSTEM)
    assert not UsageTrigger.objects.filter(pk=trigger.pk).exists()
    gone = Event.objects.get(resource_sid=trigger.sid, event_type="usage-trigger.deleted")
    assert gone.event_data["callback_url"] == {
        "previous": "https://example.com/hook",
        "updated": None,
    }


def test_the_sweep_queues_a_delivery_whose_task_was_lost(main, database_tasks):
    trigger = make_trigger(main, "https://example.com/hook", trigger_value="1")
    use(main)
    DBTaskResult.objects.all().delete()  # a worker died with it
    later = timezone.now() + datetime.timedelta(hours=2)
    assert triggers.usage_triggers_sweep(actor=SYSTEM, now=later)["requeued"] == 1
    assert (
        DBTaskResult.objects.get().task_path == "accounts.services.triggers.usage_trigger_deliver"
    )
    assert trigger.deliveries.get().status == "pending"
