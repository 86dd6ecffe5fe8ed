"""The inventory of numbers that can be bought, and what returns to it.

A number bought leaves the inventory; a number released (or held by an account that closes)
goes back; operators load fictional numbers into it (`inventory_load`). This module sits below
the account and number services: closing an account releases its numbers through it.
"""

import dataclasses
import re
from decimal import Decimal, InvalidOperation

from django.db.models import Q
from django.utils import timezone

from .. import errors
from ..models import AvailablePhoneNumber, IncomingPhoneNumber
from .events import change, deleted, event_record, events_record, service

# A US or Canadian area code: three digits, the first 2-9.
AREA_CODE_RE = re.compile(r"[2-9][0-9]{2}")
# 555-0100 to 555-0199 are reserved for fiction in every North American area code.
FICTIONAL_LINES = range(100, 200)
REGIONS = {"415": "San Francisco, CA", "212": "New York, NY", "512": "Austin, TX"}
DEFAULT_AREA_CODES = tuple(REGIONS)
DEFAULT_MONTHLY_PRICE = Decimal("1.15")
_PRICE_LIMIT = Decimal("10000")


def area_code_clean(area_code):
    area_code = (area_code or "").strip()
    if not AREA_CODE_RE.fullmatch(area_code):
        raise errors.AreaCodeInvalid(errors.AREA_CODE_INVALID.format(value=area_code))
    return area_code


def monthly_price_clean(price):
    try:
        amount = Decimal(str(price).strip())
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite() or not 0 <= amount < _PRICE_LIMIT:
        raise errors.NumberError(errors.INVENTORY_PRICE_INVALID.format(value=price))
    return amount.quantize(Decimal("0.0001"))


@dataclasses.dataclass(frozen=True)
class InventoryLoad:
    added: int  # numbers put in stock
    removed: int  # stale stock taken out: numbers that someone holds
    available: int  # numbers in stock afterwards


@service
def inventory_load(*, actor, area_codes=DEFAULT_AREA_CODES, monthly_price=DEFAULT_MONTHLY_PRICE):
    """Stock the fictional numbers (+1 AAA 555-0100 to 555-0199) of each area code that are
    neither in stock nor held. Safe to run at any time, again and again.

    Reading the held numbers and then inserting the others is not enough: a purchase that
    commits in between would have its number restocked. So after the insert (which skips the
    numbers in stock, and waits for a purchase taking one out), every stocked number that
    someone holds comes out again, in the same transaction: that second read sees every
    purchase that committed before it."""
    codes = sorted({area_code_clean(code) for code in area_codes})
    price = monthly_price_clean(monthly_price)
    candidates = {
        f"+1{code}555{line:04d}": (code, line) for code in codes for line in FICTIONAL_LINES
    }
    held = set(
        IncomingPhoneNumber.objects.filter(
            phone_number__in=candidates, released_at__isnull=True
        ).values_list("phone_number", flat=True)
    )
    before = AvailablePhoneNumber.objects.count()
    AvailablePhoneNumber.objects.bulk_create(
        [
            AvailablePhoneNumber(
                phone_number=phone_number,
                friendly_name=f"({code}) 555-{line:04d}",
                region=REGIONS.get(code, ""),
                voice=True,
                sms=True,
                mms=line % 2 == 0,
                monthly_price=price,
            )
            for phone_number, (code, line) in candidates.items()
            if phone_number not in held
        ],
        ignore_conflicts=True,
    )
    stocked = AvailablePhoneNumber.objects.count()
    removed, _ = AvailablePhoneNumber.objects.stale().delete()
    result = InventoryLoad(
        added=max(stocked - before, 0), removed=removed, available=stocked - removed
    )
    if result.added or result.removed:
        event_record(
            actor=actor,
            event_type="inventory.updated",
            data={
                "available": change(before, result.available),
                "added": result.added,
                "removed": result.removed,
                "area_codes": codes,
                "monthly_price": f"{price:f}",
            },
            description=f"Loaded area codes {', '.join(codes)}: {result.added} numbers added",
        )
    return result


def number_take(*, phone_number=None, area_code=None):
    """Lock the inventory row of `phone_number`, or of the first number for sale in
    `area_code`, for a purchase; None if there is none. Parallel buyers by area code skip the
    rows others are taking (SKIP LOCKED), so each gets a different number while any are left.
    Runs inside the purchase's transaction."""
    for_sale = AvailablePhoneNumber.objects.for_sale()
    if phone_number is not None:
        return for_sale.select_for_update().filter(phone_number=phone_number).first()
    return (
        for_sale.select_for_update(skip_locked=True)
        .filter(phone_number__startswith=f"+1{area_code}")
        .order_by("phone_number")
        .first()
    )


def back_to_inventory(numbers):
    AvailablePhoneNumber.objects.bulk_create(
        [
            AvailablePhoneNumber(
                phone_number=number.phone_number,
                friendly_name=number.phone_number,
                iso_country=number.iso_country,
                region=number.region,
                voice=number.voice,
                sms=number.sms,
                mms=number.mms,
                monthly_price=number.monthly_price,
            )
            for number in numbers
        ],
        ignore_conflicts=True,
    )


def release_data(number):
    return deleted(phone_number=number.phone_number, friendly_name=number.friendly_name)


def numbers_release_for(account, *, actor):
    """Release every number of `account` and of its subaccounts (used when they close). Runs
    inside the closing service's transaction."""
    held = list(
        IncomingPhoneNumber.objects.select_for_update(of=("self",))
        .filter(Q(account=account) | Q(account__parent=account), released_at__isnull=True)
        .select_related("account")
        .order_by("pk")
    )
    if held:
        now = timezone.now()
        IncomingPhoneNumber.objects.filter(pk__in=[n.pk for n in held]).update(
            released_at=now, date_updated=now
        )
        back_to_inventory(held)
        events_record(
            actor=actor,
            event_type="phone-number.deleted",
            items=[(number.account, number.sid, release_data(number)) for number in held],
            description="Released when the account closed",
            date=now,
        )
    return len(held)
