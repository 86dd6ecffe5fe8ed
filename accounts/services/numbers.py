"""Phone numbers: each number belongs to one account or subaccount.

Buying takes a number out of the inventory and charges its first month to the paying
balance; releasing puts it back; a number moves only within one family (a main account and
its subaccounts). Closing an account releases its numbers (`inventory.numbers_release_for`).
"""

from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from .. import errors
from ..models import TRIAL_NUMBER_LIMIT, Account, IncomingPhoneNumber, UsageRecord
from . import inventory, usage
from .accounts import friendly_name_clean
from .events import changes, created, event_record, events_record, service


@service
def number_buy(*, account, actor, phone_number=None, area_code=None, friendly_name=""):
    """Buy `phone_number` from the inventory for `account`, or else the first number for sale
    in `area_code`, charging its first month."""
    if phone_number is None:
        area_code = inventory.area_code_clean(area_code)
    # Lock the family top-down (as the account services do), then the inventory row.
    main = account
    if account.parent_id:
        main = Account.objects.select_for_update().get(pk=account.parent_id)
    account = Account.objects.select_for_update().get(pk=account.pk)
    if not account.parent_id:
        main = account
    if account.status != Account.Status.ACTIVE:
        raise errors.AccountNotActiveForNumbers()
    _trial_rules(main, account)
    available = inventory.number_take(phone_number=phone_number, area_code=area_code)
    if available is None and phone_number is not None:
        raise errors.NumberNotAvailable(errors.NUMBER_NOT_AVAILABLE.format(number=phone_number))
    if available is None:
        raise errors.AreaCodeSoldOut(errors.AREA_CODE_SOLD_OUT.format(area_code=area_code))
    number = IncomingPhoneNumber.objects.create(
        account=account,
        phone_number=available.phone_number,
        friendly_name=(friendly_name or "").strip()[:64] or available.friendly_name,
        iso_country=available.iso_country,
        region=available.region,
        voice=available.voice,
        sms=available.sms,
        mms=available.mms,
        monthly_price=available.monthly_price,
    )
    available.delete()
    event_record(
        actor=actor,
        event_type="phone-number.created",
        account=account,
        resource_sid=number.sid,
        data=created(
            phone_number=number.phone_number,
            friendly_name=number.friendly_name,
            monthly_price=number.monthly_price,
        ),
    )
    # The first month is usage like any other: it shows on the Usage page and in the ledger.
    today = timezone.now().date()
    usage.usage_record(
        account=account,
        category=UsageRecord.Category.PHONE_NUMBERS_LOCAL,
        quantity=1,
        price=available.monthly_price,
        start_date=today,
        end_date=today + timedelta(days=30),
        description=f"Phone number {number.phone_number}: first month",
        actor=actor,
        require_funds=True,
    )
    return number


def _trial_rules(main, account):
    """A trial family (the main account is locked) holds one number, on the main account:
    its subaccounts cannot have numbers at all (Twilio's 10002)."""
    if not main.is_trial:
        return
    if account.parent_id is not None:
        raise errors.TrialRestriction(errors.TRIAL_SUBACCOUNT_NUMBERS)
    held = IncomingPhoneNumber.objects.filter(
        Q(account=main) | Q(account__parent=main), released_at__isnull=True
    )
    if held.count() >= TRIAL_NUMBER_LIMIT:
        raise errors.TrialNumberLimit()


def _locked_held(number):
    number = IncomingPhoneNumber.objects.select_for_update().get(pk=number.pk)
    if number.released_at is not None:
        raise errors.NumberReleased()
    return number


@service
def number_release(*, number, actor):
    number = _locked_held(number)
    number.released_at = timezone.now()
    number.save(update_fields=["released_at", "date_updated"])
    inventory.back_to_inventory([number])
    event_record(
        actor=actor,
        event_type="phone-number.deleted",
        account=number.account,
        resource_sid=number.sid,
        data=inventory.release_data(number),
    )
    return number


@service
def number_rename(*, number, friendly_name, actor):
    name = friendly_name_clean(friendly_name)
    number = _locked_held(number)
    data = changes(friendly_name=(number.friendly_name, name))
    if data:
        number.friendly_name = name
        number.save(update_fields=["friendly_name", "date_updated"])
        event_record(
            actor=actor,
            event_type="phone-number.updated",
            account=number.account,
            resource_sid=number.sid,
            data=data,
        )
    return number


@service
def number_transfer(*, number, target, acting_account, actor):
    """Move a number between a main account and its subaccounts, or between siblings.
    `acting_account` is who asks: it must be the family's main account."""
    holder = IncomingPhoneNumber.objects.select_related("account").get(pk=number.pk).account
    main_id = holder.parent_id or holder.pk
    if acting_account.pk != main_id:
        raise errors.TransferNotByParent()
    if target.pk != main_id and target.parent_id != main_id:
        raise errors.TransferTargetUnrelated()
    # Accounts before numbers, the main account first, as every other service locks them.
    main = Account.objects.select_for_update().get(pk=main_id)
    target = Account.objects.select_for_update().get(pk=target.pk)
    number = _locked_held(number)
    if target.status != Account.Status.ACTIVE:
        raise errors.TransferTargetNotActive()
    if number.account_id == target.pk:
        return number
    # Within a trial family the count does not change, but its subaccounts hold no numbers.
    if main.is_trial and target.parent_id is not None:
        raise errors.TrialRestriction(errors.TRIAL_SUBACCOUNT_NUMBERS)
    previous = number.account
    number.account = target
    number.save(update_fields=["account", "date_updated"])
    # In the log of each account it changes: the one it left and the one it came to (a
    # subaccount's log covers only itself; the main account's covers both).
    moved = changes(account_sid=(previous.sid, target.sid))
    events_record(
        actor=actor,
        event_type="phone-number.updated",
        items=[(previous, number.sid, moved), (target, number.sid, moved)],
    )
    return number


@service
def number_update(*, number, actor, acting_account, friendly_name=None, target=None):
    """The API's update: rename and/or move the number, both or neither. The move goes first:
    it locks the accounts before the number, as every service does, and a rename first would
    lock the number before them (a deadlock with, say, a close)."""
    if friendly_name is not None:
        friendly_name_clean(friendly_name)  # a bad name is refused before any lock
    if target is not None:
        number = number_transfer(
            number=number, target=target, acting_account=acting_account, actor=actor
        )
    if friendly_name is not None:
        number = number_rename(number=number, friendly_name=friendly_name, actor=actor)
    return number
