"""Usage: what an account used in a period, charged to the paying balance."""

from .. import errors
from ..models import UsageRecord
from . import ledger
from .events import created, event_record, service


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
    idempotency_key=None,
    description=None,
    require_funds=False,
):
    """Record usage of `account` and charge its price to the paying balance. Retrying with the
    same idempotency key records and charges nothing more."""
    price = ledger.amount_clean(price)
    if price < 0:
        raise errors.BillingError(errors.USAGE_PRICE_NEGATIVE)
    quantity = ledger.decimal_clean(quantity, errors.QUANTITY_INVALID)
    if quantity < 0 or quantity >= ledger.LEDGER_LIMIT:
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
    )
    existing = UsageRecord.objects.filter(ledger_entry=entry).first()
    if existing is not None:
        return existing
    record = UsageRecord.objects.create(
        account=account,
        category=category,
        quantity=quantity,
        price=price,
        start_date=start_date,
        end_date=end_date,
        ledger_entry=entry,
    )
    event_record(
        actor=actor,
        event_type="usage-record.created",
        account=account,
        resource_sid=entry.sid,
        data=created(
            category=category,
            quantity=quantity,
            price=price,
            start_date=start_date,
            end_date=end_date,
        ),
    )
    return record
