"""Reads about usage triggers: the value each one watches in its current period, and the
triggers and deliveries of an account, scoped to who asks."""

import datetime
from decimal import Decimal

from django.db.models import OuterRef, Q, Subquery, Sum
from django.http import Http404
from django.utils import timezone

from ..models import (
    UsageDay,
    UsageTrigger,
    UsageTriggerDelivery,
    sid_is_valid,
)
from ..models.usage import category_members

Recurring = UsageTrigger.Recurring
ZERO = Decimal("0")
# What each TriggerBy sums in the roll-up.
FIELDS = {"count": "count", "usage": "usage", "price": "price"}


def today():
    return timezone.now().astimezone(datetime.UTC).date()


def trigger_period(recurring, day):
    """(the first day of the current period, or None for all time; the period's key)."""
    if recurring == Recurring.DAILY:
        return day, day.isoformat()
    if recurring == Recurring.MONTHLY:
        return day.replace(day=1), day.strftime("%Y-%m")
    if recurring == Recurring.YEARLY:
        return day.replace(month=1, day=1), day.strftime("%Y")
    return None, "alltime"


def _scope(account):
    """The roll-up rows a trigger of `account` watches: a main account's family, or a
    subaccount's own usage (as its usage_record_uri reports it)."""
    return {"account_id": account.pk, "family": account.parent_id is None}


def usage_value(*, account, category, field, start=None):
    """The sum of `field` (count, usage or price) of `category` (a roll-up sums its
    members) in `account`'s scope since `start` (all time for None)."""
    rows = UsageDay.objects.filter(**_scope(account), category__in=category_members(category))
    if start is not None:
        rows = rows.filter(day__gte=start)
    return rows.aggregate(total=Sum(FIELDS[field]))["total"] or ZERO


def trigger_current_value(trigger, day=None):
    start, _ = trigger_period(trigger.recurring, day or today())
    return usage_value(
        account=trigger.account,
        category=trigger.usage_category,
        field=trigger.trigger_by,
        start=start,
    )


def current_values_attach(triggers, day=None):
    """Set `current_value` on each trigger, with one query per (account, period) among
    them: a page of triggers costs the same whatever it holds."""
    day = day or today()
    groups = {}
    for trigger in triggers:
        start, _ = trigger_period(trigger.recurring, day)
        groups.setdefault((trigger.account_id, start), []).append(trigger)
    for (_, start), members in groups.items():
        account = members[0].account
        rows = UsageDay.objects.filter(**_scope(account))
        if start is not None:
            rows = rows.filter(day__gte=start)
        sums = {
            row["category"]: row
            for row in rows.values("category").annotate(
                count=Sum("count"), usage=Sum("usage"), price=Sum("price")
            )
        }
        for trigger in members:
            trigger.current_value = sum(
                (
                    sums[member][trigger.trigger_by]
                    for member in category_members(trigger.usage_category)
                    if member in sums
                ),
                ZERO,
            )
    return triggers


def usage_trigger_list(*, account, recurring=None, trigger_by=None, usage_category=None):
    """The account's triggers, newest first, with the status of each one's last delivery
    (`last_delivery_status`), filtered as the API's list is."""
    last_delivery = UsageTriggerDelivery.objects.filter(trigger=OuterRef("pk")).order_by(
        "-date_created", "-id"
    )
    triggers = (
        UsageTrigger.objects.filter(account=account)
        .select_related("account")
        .annotate(last_delivery_status=Subquery(last_delivery.values("status")[:1]))
    )
    if recurring:
        if recurring == Recurring.ALLTIME:
            triggers = triggers.filter(Q(recurring=Recurring.ALLTIME) | Q(recurring=""))
        else:
            triggers = triggers.filter(recurring=recurring)
    if trigger_by:
        triggers = triggers.filter(trigger_by=trigger_by)
    if usage_category:
        triggers = triggers.filter(usage_category=usage_category)
    return triggers.order_by("-date_created", "-id")


def usage_trigger_get(*, account, sid):
    """One trigger of `account` by SID, or 404 (another account's looks like none at all)."""
    if not sid_is_valid(sid, "UT"):
        raise Http404("No such usage trigger.")
    try:
        return UsageTrigger.objects.select_related("account").get(account=account, sid=sid)
    except UsageTrigger.DoesNotExist:
        raise Http404("No such usage trigger.") from None


def usage_trigger_delivery_list(*, trigger):
    """A trigger's deliveries, newest first, each with its tries (oldest first)."""
    return (
        UsageTriggerDelivery.objects.filter(trigger=trigger)
        .prefetch_related("attempts")
        .order_by("-date_created", "-id")
    )
