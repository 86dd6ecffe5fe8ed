"""Usage triggers: create, update, delete; firing once per period; delivering the callback.

A trigger is evaluated when usage is recorded (inside that transaction, under the paying
account's lock, which every write to a family's usage holds) and by the periodic sweep, which
takes the same lock. It fires when the watched value of its current period reaches
`trigger_value` and it has not fired in that period yet: it records `date_fired`, a delivery
with the callback's parameters as decided, the `usage-trigger.fired` event, and queues the
delivery in the same transaction.

A delivery is tried with a 10 s timeout; an error or a 5xx answer is tried again after 1, 3,
9 and 17 minutes (5 tries over 30 minutes); any other answer ends it (2xx delivered, else
failed). Every try is recorded.
"""

import datetime
from decimal import Decimal, InvalidOperation
from email.utils import format_datetime

from django.db.models import Q
from django.db.models.functions import Coalesce
from django.tasks import task
from django.utils import timezone

from .. import errors, tasks, webhooks
from ..models import (
    Account,
    UsageTrigger,
    UsageTriggerDelivery,
    UsageTriggerDeliveryAttempt,
)
from ..models.usage import category_members, reported_categories, value_text
from ..selectors import triggers as selectors
from .events import Actor, change, changes, created, deleted, event_record, service

Recurring = UsageTrigger.Recurring
TriggerBy = UsageTrigger.TriggerBy
Delivery = UsageTriggerDelivery
API_ROOT = "/2010-04-01"
API_VERSION = "2010-04-01"

# Seconds to wait before each try after the first: 5 tries over 30 minutes.
RETRY_DELAYS = (60, 180, 540, 1020)
MAX_TRIES = len(RETRY_DELAYS) + 1
# A pending delivery whose next try is this late lost its task (a worker died mid-try):
# the sweep queues it again.
STUCK_AFTER = datetime.timedelta(hours=1)

VALUE_PLACES = Decimal("0.0001")
VALUE_LIMIT = Decimal("1e13")


def usage_record_uri(trigger):
    return (
        f"{API_ROOT}/Accounts/{trigger.account.sid}/Usage/Records.json"
        f"?Category={trigger.usage_category}"
    )


def _choice(value, choices, message, default):
    if value is None or value == "":
        return default
    if value not in choices:
        raise errors.UsageTriggerError(message.format(value=value))
    return value


def usage_category_clean(value):
    if value not in reported_categories():
        raise errors.UsageTriggerError(errors.TRIGGER_CATEGORY_UNKNOWN.format(value=value or ""))
    return value


def _number(text):
    try:
        number = Decimal(text)
    except (InvalidOperation, TypeError, ValueError):
        raise errors.UsageTriggerError(errors.TRIGGER_VALUE_INVALID.format(value=text)) from None
    if not number.is_finite() or number < 0 or number >= VALUE_LIMIT:
        raise errors.UsageTriggerError(errors.TRIGGER_VALUE_INVALID.format(value=text))
    if number != number.quantize(VALUE_PLACES):
        raise errors.UsageTriggerError(errors.TRIGGER_VALUE_INVALID.format(value=text))
    return number


def trigger_value_clean(text, current):
    """The absolute value to fire at: a number, or "+N" for N more than `current`."""
    text = (str(text) if text is not None else "").strip()
    if not text:
        raise errors.UsageTriggerError(errors.TRIGGER_VALUE_REQUIRED)
    if text.startswith("+"):
        return (_number(text[1:]) + current).quantize(VALUE_PLACES)
    return _number(text).quantize(VALUE_PLACES)


def friendly_name_clean(name):
    name = (name or "").replace("\x00", "").strip()
    if len(name) > 64:
        raise errors.UsageTriggerError(
            errors.TRIGGER_FRIENDLY_NAME_TOO_LONG.format(length=len(name))
        )
    return name


def _lock_family(account):
    """Lock the account's main account (as charges do), then the account; fresh copies."""
    main = Account.objects.select_for_update().get(pk=account.parent_id or account.pk)
    if account.parent_id is None:
        return main
    account = Account.objects.select_for_update().get(pk=account.pk)
    account.parent = main
    return account


def _fields(trigger):
    return {
        "friendly_name": trigger.friendly_name,
        "callback_url": trigger.callback_url,
        "callback_method": trigger.callback_method,
        "usage_category": trigger.usage_category,
        "trigger_by": trigger.trigger_by,
        "trigger_value": trigger.trigger_value,
        "recurring": trigger.recurring,
    }


@service
def usage_trigger_create(
    *,
    account,
    callback_url,
    trigger_value,
    usage_category,
    actor,
    callback_method=None,
    friendly_name="",
    recurring=None,
    trigger_by=None,
):
    """A new trigger on `account`. An offset value ("+30") counts from the watched value as
    it is now, in the current period. A trigger whose value is already reached fires now."""
    callback_url = webhooks.callback_url_clean(callback_url)
    callback_method = _choice(
        callback_method,
        UsageTrigger.Method.values,
        errors.TRIGGER_CALLBACK_METHOD_INVALID,
        UsageTrigger.Method.POST,
    )
    usage_category = usage_category_clean(usage_category)
    recurring = _choice(
        recurring, Recurring.values, errors.TRIGGER_RECURRING_INVALID, Recurring.ALLTIME
    )
    trigger_by = _choice(trigger_by, TriggerBy.values, errors.TRIGGER_BY_INVALID, TriggerBy.USAGE)
    friendly_name = friendly_name_clean(friendly_name)
    account = _lock_family(account)
    if account.status == Account.Status.CLOSED:
        raise errors.UsageTriggerError(errors.TRIGGER_ACCOUNT_CLOSED)
    now = timezone.now()
    start, _ = selectors.trigger_period(recurring, now.astimezone(datetime.UTC).date())
    current = selectors.usage_value(
        account=account, category=usage_category, field=trigger_by, start=start
    )
    trigger = UsageTrigger.objects.create(
        account=account,
        friendly_name=friendly_name,
        callback_url=callback_url,
        callback_method=callback_method,
        usage_category=usage_category,
        trigger_by=trigger_by,
        trigger_value=trigger_value_clean(trigger_value, current),
        recurring=recurring,
        date_created=now,
    )
    event_record(
        actor=actor,
        event_type="usage-trigger.created",
        account=account,
        resource_sid=trigger.sid,
        data=created(**_fields(trigger)),
    )
    _evaluate(trigger, actor=actor, now=now)
    return trigger


def _lock_trigger(trigger):
    account = _lock_family(trigger.account)
    trigger = UsageTrigger.objects.select_for_update().get(pk=trigger.pk)
    trigger.account = account
    return trigger


@service
def usage_trigger_update(
    *, trigger, actor, callback_url=None, callback_method=None, friendly_name=None
):
    """Change what Twilio lets change: the callback and the friendly name (None: keep)."""
    trigger = _lock_trigger(trigger)
    before = _fields(trigger)
    if callback_url is not None:
        trigger.callback_url = webhooks.callback_url_clean(callback_url)
    if callback_method is not None:
        trigger.callback_method = _choice(
            callback_method,
            UsageTrigger.Method.values,
            errors.TRIGGER_CALLBACK_METHOD_INVALID,
            trigger.callback_method,
        )
    if friendly_name is not None:
        trigger.friendly_name = friendly_name_clean(friendly_name)
    after = _fields(trigger)
    data = changes(**{name: (before[name], after[name]) for name in before})
    if data:
        trigger.save()
        event_record(
            actor=actor,
            event_type="usage-trigger.updated",
            account=trigger.account,
            resource_sid=trigger.sid,
            data=data,
        )
    return trigger


@service
def usage_trigger_delete(*, trigger, actor):
    """Delete the trigger, with its deliveries (a pending one is not tried again)."""
    trigger = _lock_trigger(trigger)
    fields = _fields(trigger)
    sid, account = trigger.sid, trigger.account
    trigger.delete()
    event_record(
        actor=actor,
        event_type="usage-trigger.deleted",
        account=account,
        resource_sid=sid,
        data=deleted(**fields),
    )


def callback_params(trigger, *, current_value, fired_at, period_key):
    """The parameters of the callback, as Twilio sends them."""
    return {
        "AccountSid": trigger.account.sid,
        "UsageTriggerSid": trigger.sid,
        "DateFired": format_datetime(fired_at.astimezone(datetime.UTC)),
        "Recurring": trigger.recurring,
        "UsageCategory": trigger.usage_category,
        "TriggerBy": trigger.trigger_by,
        "TriggerValue": value_text(trigger.trigger_value),
        "CurrentValue": value_text(current_value),
        "UsageRecordUri": usage_record_uri(trigger),
        "IdempotencyToken": f"{trigger.account.sid}-FIRES-{trigger.sid}-{period_key}",
        "ApiVersion": API_VERSION,
    }


def _evaluate(trigger, *, actor, now):
    """Fire `trigger` (locked, with its account) if its value is reached in a period it has
    not fired in yet. Answers whether it fired."""
    if trigger.account.status == Account.Status.CLOSED:
        return False
    start, key = selectors.trigger_period(trigger.recurring, now.astimezone(datetime.UTC).date())
    if trigger.fired_period == key:
        return False
    value = selectors.usage_value(
        account=trigger.account,
        category=trigger.usage_category,
        field=trigger.trigger_by,
        start=start,
    )
    if value < trigger.trigger_value:
        return False
    previous = trigger.date_fired
    trigger.date_fired = now
    trigger.fired_period = key
    trigger.save(update_fields=["date_fired", "fired_period", "date_updated"])
    delivery = Delivery.objects.create(
        trigger=trigger,
        callback_url=trigger.callback_url,
        callback_method=trigger.callback_method,
        params=callback_params(trigger, current_value=value, fired_at=now, period_key=key),
        next_attempt_at=now,
        date_created=now,
    )
    event_record(
        actor=actor,
        event_type="usage-trigger.fired",
        account=trigger.account,
        resource_sid=trigger.sid,
        data={
            "date_fired": change(previous, now),
            "current_value": value_text(value),
            "trigger_value": value_text(trigger.trigger_value),
            "period": key,
        },
    )
    tasks.enqueue(usage_trigger_deliver, delivery.pk)
    return True


def usage_triggers_evaluate(*, account, category, actor, now=None):
    """After usage of `category` was recorded for `account` (the caller holds the paying
    account's lock): fire the triggers that watch it, the account's own and its main
    account's (which watch the family)."""
    watching = [name for name in reported_categories() if category in category_members(name)]
    candidates = (
        UsageTrigger.objects.filter(
            account_id__in={account.pk, account.parent_id or account.pk},
            usage_category__in=watching,
        )
        .select_related("account")
        .select_for_update(of=("self",))
        .order_by("pk")
    )
    now = now or timezone.now()
    return sum(_evaluate(trigger, actor=actor, now=now) for trigger in candidates)


def _due(day):
    """Triggers that have not fired in their current period."""
    due = Q()
    for recurring in Recurring.values:
        _, key = selectors.trigger_period(recurring, day)
        due |= Q(recurring=recurring) & ~Q(fired_period=key)
    return due


@service
def _sweep_family(*, main_id, actor, now):
    Account.objects.select_for_update().get(pk=main_id)
    triggers = (
        UsageTrigger.objects.filter(Q(account_id=main_id) | Q(account__parent_id=main_id))
        .filter(_due(now.astimezone(datetime.UTC).date()))
        .select_related("account")
        .select_for_update(of=("self",))
        .order_by("pk")
    )
    return sum(_evaluate(trigger, actor=actor, now=now) for trigger in triggers)


def usage_triggers_sweep(*, actor, now=None):
    """The periodic sweep: evaluate every trigger not fired in its current period, one
    family at a time (each in its own transaction, under its lock), and queue again the
    deliveries whose task was lost. Answers what it did."""
    now = now or timezone.now()
    main_ids = (
        UsageTrigger.objects.filter(_due(now.astimezone(datetime.UTC).date()))
        .exclude(account__status=Account.Status.CLOSED)
        .annotate(main_id=Coalesce("account__parent_id", "account_id"))
        .values_list("main_id", flat=True)
        .distinct()
    )
    fired = sum(
        _sweep_family(main_id=main_id, actor=actor, now=now) for main_id in sorted(set(main_ids))
    )
    stuck = list(
        Delivery.objects.filter(
            status=Delivery.Status.PENDING, next_attempt_at__lt=now - STUCK_AFTER
        ).values_list("pk", flat=True)[:1000]
    )
    for delivery_id in stuck:
        _requeue(delivery_id=delivery_id, now=now)
    return {"fired": fired, "requeued": len(stuck)}


@service
def _requeue(*, delivery_id, now):
    delivery = Delivery.objects.select_for_update().filter(pk=delivery_id).first()
    if delivery is None or delivery.status != Delivery.Status.PENDING:
        return
    delivery.next_attempt_at = now
    delivery.save(update_fields=["next_attempt_at"])
    tasks.enqueue(usage_trigger_deliver, delivery.pk)


def usage_trigger_delivery_try(*, delivery_id):
    """One try at a delivery (the task's body): the HTTP request happens outside any
    transaction; its outcome is recorded by the service below."""
    delivery = Delivery.objects.select_related("trigger__account").filter(pk=delivery_id).first()
    if delivery is None or delivery.status != Delivery.Status.PENDING:
        return "skipped"
    outcome = webhooks.callback_send(
        url=delivery.callback_url,
        method=delivery.callback_method,
        params=delivery.params,
        auth_token=delivery.trigger.account.auth_token,
    )
    delivery = usage_trigger_delivery_attempt_record(
        delivery=delivery, outcome=outcome, actor=Actor.system()
    )
    return delivery.status if delivery else "skipped"


def _retryable(outcome):
    return outcome.status_code is None or outcome.status_code >= 500


@service
def usage_trigger_delivery_attempt_record(*, delivery, outcome, actor, now=None):
    """Record one try; then the delivery is delivered (2xx), tried again later (an error or
    5xx, while tries are left: the next one is queued now), or failed."""
    now = now or timezone.now()
    delivery = (
        Delivery.objects.select_for_update(of=("self",))
        .select_related("trigger__account")
        .filter(pk=delivery.pk)
        .first()
    )
    if delivery is None or delivery.status != Delivery.Status.PENDING:
        return delivery
    number = delivery.attempt_count + 1
    UsageTriggerDeliveryAttempt.objects.create(
        delivery=delivery,
        number=number,
        attempted_at=now,
        status_code=outcome.status_code,
        duration_ms=outcome.duration_ms,
        error=outcome.error[:300],
    )
    old_status = delivery.status
    delivery.attempt_count = number
    if outcome.status_code is not None and 200 <= outcome.status_code < 300:
        delivery.status = Delivery.Status.DELIVERED
        delivery.next_attempt_at = None
    elif _retryable(outcome) and number < MAX_TRIES:
        delivery.next_attempt_at = now + datetime.timedelta(seconds=RETRY_DELAYS[number - 1])
    else:
        delivery.status = Delivery.Status.FAILED
        delivery.next_attempt_at = None
    delivery.save(update_fields=["status", "attempt_count", "next_attempt_at"])
    trigger = delivery.trigger
    event_record(
        actor=actor,
        event_type="usage-trigger-delivery.updated",
        account=trigger.account,
        resource_sid=trigger.sid,
        data={
            **changes(status=(old_status, delivery.status)),
            "attempt_count": change(number - 1, number),
            "status_code": outcome.status_code,
            "error": outcome.error,
        },
    )
    if delivery.next_attempt_at is not None:
        tasks.enqueue(usage_trigger_deliver, delivery.pk, run_after=delivery.next_attempt_at)
    return delivery


# Background entry points (django.tasks), queued by the services above.
SWEEP_TASK_PATH = "accounts.services.triggers.usage_triggers_sweep_task"


@task
def usage_trigger_deliver(delivery_id):
    """One try at a usage trigger's callback; the service records it and queues the next try
    when it failed and tries are left."""
    return usage_trigger_delivery_try(delivery_id=delivery_id)


@task
def usage_triggers_sweep_task():
    """Fire the triggers whose value is reached in their current period (recurring ones
    start again each day, month or year), and queue again any stuck callback."""
    return usage_triggers_sweep(actor=Actor.system())
