"""Usage: what an account used in a period, charged to the paying balance.

Each record is charged through the ledger, added to the daily and monthly roll-ups (`UsageDay`,
the day it was charged, GMT, and `UsageMonth`, its month) and checked against the usage
triggers that watch it, all in one transaction under the family's lock (its main account's
first).
"""

import datetime

from django.db.models import F

from .. import errors
from ..models import Account, Event, UsageDay, UsageMonth, UsageRecord
from ..models.usage import TOTAL_PRICE
from . import balances, ledger, triggers
from .events import created, event_record, service


def _closed_on(account):
    """The day (GMT) `account` was closed, from its log."""
    event = (
        Event.objects.filter(
            account=account, event_type="account.updated", event_data__status__updated="closed"
        )
        .order_by("-event_date")
        .only("event_date")
        .first()
    )
    return event.event_date.date() if event else None


def _refuse_after_closure(account, end_date):
    """A closed subaccount is not charged for usage after its closure; usage that ended on or
    before the day it was closed is still its parent's to pay."""
    if account.status != Account.Status.CLOSED:
        return
    closed_on = account.date_closed.astimezone(datetime.UTC).date() if account.date_closed else None
    closed_on = closed_on or _closed_on(account)
    if closed_on is None or end_date > closed_on:
        raise errors.BillingError(
            errors.USAGE_AFTER_CLOSURE.format(
                name=account.friendly_name, closed_on=closed_on or "its closure"
            )
        )


def _add(model, key, values, defaults):
    """Add `values` to `model`'s row `key`, or create it with `defaults()`: answers whether it
    created it. The caller holds the family's lock, so read-then-write cannot race."""
    updated = model.objects.filter(**key).update(
        **{name: F(name) + value for name, value in values.items()}
    )
    if not updated:
        model.objects.create(**key, **defaults(), **values)
    return not updated


def roll_up_add(*, account, category, day, count, usage, price):
    """Add usage to `account`'s own rows and to its family's rows for `day` and its month
    (`UsageDay`, `UsageMonth`). The caller holds the family's lock, its main account's first
    (every charge does, as every rename and deletion)."""
    main_id = account.parent_id or account.pk
    values = {"count": count, "usage": usage, "price": price}
    for account_id, family in ((account.pk, False), (main_id, True)):
        _add(
            UsageDay,
            {"account_id": account_id, "family": family, "category": category, "day": day},
            values,
            lambda: {"main_account_id": main_id},
        )
    month = day.replace(day=1)
    own = {"account_id": account.pk, "family": False, "month": month}

    def mine():
        # The name as it is now, under the lock: the caller's copy may be older than a rename.
        name = Account.objects.filter(pk=account.pk).values_list("friendly_name", flat=True)
        return {"main_account_id": main_id, "is_main": account.pk == main_id, "name": name[0]}

    _add(UsageMonth, {**own, "category": category}, values, mine)
    new_account = _add(UsageMonth, {**own, "category": TOTAL_PRICE}, values, mine)
    _add(
        UsageMonth,
        {"account_id": main_id, "family": True, "category": TOTAL_PRICE, "month": month},
        {**values, "accounts": int(new_account)},
        lambda: {"main_account_id": main_id, "is_main": True, "name": ""},
    )


@service
def usage_record(
    *,
    account,
    category,
    quantity,
    price,
    start_date,
    end_date,
    actor,
    count=None,
    idempotency_key=None,
    description=None,
    require_funds=False,
):
    """Record usage of `account` and charge its price to the paying balance. Retrying with the
    same idempotency key records and charges nothing more. `count` (how many calls, messages
    or numbers) defaults to `quantity`."""
    price = balances.amount_clean(price)
    if price < 0:
        raise errors.BillingError(errors.USAGE_PRICE_NEGATIVE)
    quantity = balances.decimal_clean(quantity, errors.QUANTITY_INVALID)
    if quantity < 0 or quantity >= balances.LEDGER_LIMIT:
        raise errors.BillingError(errors.QUANTITY_INVALID)
    count = quantity if count is None else balances.decimal_clean(count, errors.QUANTITY_INVALID)
    if count < 0 or count >= balances.LEDGER_LIMIT:
        raise errors.BillingError(errors.QUANTITY_INVALID)
    if category not in UsageRecord.Category.values:
        raise errors.BillingError(errors.USAGE_CATEGORY_UNKNOWN.format(category=category))
    entry = ledger.ledger_post(
        account=account,
        amount=-price,
        kind=ledger.Kind.USAGE,
        description=description
        or f"{UsageRecord.Category(category).label}: {quantity} ({start_date} to {end_date})",
        actor=actor,
        idempotency_key=idempotency_key,
        require_funds=require_funds,
        check=lambda locked: _refuse_after_closure(locked, end_date),
    )
    existing = UsageRecord.objects.filter(ledger_entry=entry).first()
    if existing is not None:
        return existing
    record = UsageRecord.objects.create(
        account_id=entry.account_id,
        category=category,
        count=count,
        quantity=quantity,
        price=price,
        start_date=start_date,
        end_date=end_date,
        ledger_entry=entry,
    )
    roll_up_add(
        account=account,
        category=category,
        day=entry.date_created.astimezone(datetime.UTC).date(),
        count=count,
        usage=quantity,
        price=price,
    )
    event_record(
        actor=actor,
        event_type="usage-record.created",
        account=account,
        resource_sid=entry.sid,
        data=created(
            category=category,
            count=count,
            quantity=quantity,
            price=price,
            start_date=start_date,
            end_date=end_date,
        ),
    )
    triggers.usage_triggers_evaluate(account=account, category=category, actor=actor)
    return record
