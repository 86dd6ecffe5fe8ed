"""The inventory of numbers that can be bought, and what returns to it.

A number bought leaves the inventory; a number released (or held by an account that closes)
goes back. This module sits below the account and number services: closing an account
releases its numbers through it.
"""

from django.db.models import Q
from django.utils import timezone

from ..models import AvailablePhoneNumber, IncomingPhoneNumber
from .events import deleted, events_record


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
