"""Services for phone numbers: each number belongs to one account or subaccount.

Buying takes a number out of the inventory and charges its first month to the paying
balance; releasing puts it back; a number moves only within one family (a main account and
its subaccounts). Closing an account releases its numbers (see `numbers_release_for`).
"""

from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from . import billing, errors
from .models import Account, AvailablePhoneNumber, IncomingPhoneNumber, UsageRecord

NUMBER_NOT_AVAILABLE = "{number} is not available. Search again and pick another number."
TRIAL_NUMBER_LIMIT = (
    "A trial account can hold only one phone number. Release it, or ask support to upgrade "
    "the account."
)
ACCOUNT_NOT_ACTIVE_FOR_NUMBERS = "Phone numbers can only be bought by an active account."
NUMBER_RELEASED = "This phone number has been released."


class TransferTargetNotActive(errors.AccountError):
    code = 21472
    message = "The account to transfer the number to is not an active account."


class TransferTargetUnrelated(errors.AccountError):
    code = 21473
    message = (
        "The account to transfer the number to is neither the parent nor a subaccount of the "
        "number's main account."
    )


class TransferNotByParent(errors.AccountError):
    code = 21474
    message = "Only the parent account can transfer phone numbers."


class NumberError(errors.AccountError):
    """A refusal about a phone number; subclasses carry Twilio's code for each case."""

    code = 21422


class NumberNotAvailable(NumberError):
    code = 21422


class TrialNumberLimit(NumberError):
    code = 21404
    message = TRIAL_NUMBER_LIMIT


class AccountNotActiveForNumbers(NumberError):
    code = 20005
    message = ACCOUNT_NOT_ACTIVE_FOR_NUMBERS


class NumberReleased(NumberError):
    code = 20404
    message = NUMBER_RELEASED


def available_numbers(*, contains="", limit=20):
    numbers = AvailablePhoneNumber.objects.all()
    digits = "".join(ch for ch in contains if ch.isdigit())
    if digits:
        numbers = numbers.filter(phone_number__contains=digits)
    return numbers[:limit]


@transaction.atomic
def number_buy(*, account, phone_number, friendly_name="", acting_user=None):
    """Buy `phone_number` from the inventory for `account`, charging its first month."""
    # Lock the family top-down (as the account services do), then the inventory row.
    if account.parent_id:
        Account.objects.select_for_update().get(pk=account.parent_id)
    account = Account.objects.select_for_update().get(pk=account.pk)
    if account.status != Account.Status.ACTIVE:
        raise AccountNotActiveForNumbers()
    if (
        account.type == Account.Type.TRIAL
        and account.phone_numbers.filter(released_at__isnull=True).exists()
    ):
        raise TrialNumberLimit()
    available = (
        AvailablePhoneNumber.objects.select_for_update().filter(phone_number=phone_number).first()
    )
    if available is None:
        raise NumberNotAvailable(NUMBER_NOT_AVAILABLE.format(number=phone_number))
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
    # The first month is usage like any other: it shows on the Usage page and in the ledger.
    today = timezone.now().date()
    billing.usage_record(
        account=account,
        category=UsageRecord.Category.PHONE_NUMBERS,
        quantity=1,
        price=available.monthly_price,
        start_date=today,
        end_date=today + timedelta(days=30),
        description=f"Phone number {number.phone_number}: first month",
        actor=acting_user,
        require_funds=True,
    )
    return number


def _back_to_inventory(numbers):
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


@transaction.atomic
def number_release(*, number, acting_user=None):
    number = IncomingPhoneNumber.objects.select_for_update().get(pk=number.pk)
    if number.released_at is not None:
        raise NumberReleased()
    number.released_at = timezone.now()
    number.save(update_fields=["released_at", "date_updated"])
    _back_to_inventory([number])
    return number


def numbers_release_for(account):
    """Release every number of `account` and of its subaccounts (used when they close). Runs
    inside the closing transaction."""
    held = list(
        IncomingPhoneNumber.objects.select_for_update()
        .filter(Q(account=account) | Q(account__parent=account), released_at__isnull=True)
        .order_by("pk")
    )
    if held:
        IncomingPhoneNumber.objects.filter(pk__in=[n.pk for n in held]).update(
            released_at=timezone.now(), date_updated=timezone.now()
        )
        _back_to_inventory(held)
    return len(held)


@transaction.atomic
def number_rename(*, number, friendly_name):
    from .services import friendly_name_clean

    number = IncomingPhoneNumber.objects.select_for_update().get(pk=number.pk)
    if number.released_at is not None:
        raise NumberReleased()
    number.friendly_name = friendly_name_clean(friendly_name)
    number.save(update_fields=["friendly_name", "date_updated"])
    return number


@transaction.atomic
def number_transfer(*, number, target, acting_account, acting_user=None):
    """Move a number between a main account and its subaccounts, or between siblings.
    `acting_account` is who asks: it must be the family's main account."""
    holder = IncomingPhoneNumber.objects.select_related("account").get(pk=number.pk).account
    main_id = holder.parent_id or holder.pk
    if acting_account.pk != main_id:
        raise TransferNotByParent()
    if target.pk != main_id and target.parent_id != main_id:
        raise TransferTargetUnrelated()
    # Accounts before numbers, the main account first, as every other service locks them.
    Account.objects.select_for_update().get(pk=main_id)
    target = Account.objects.select_for_update().get(pk=target.pk)
    number = IncomingPhoneNumber.objects.select_for_update().get(pk=number.pk)
    if number.released_at is not None:
        raise NumberReleased()
    if target.status != Account.Status.ACTIVE:
        raise TransferTargetNotActive()
    if number.account_id == target.pk:
        return number
    if (
        target.type == Account.Type.TRIAL
        and target.phone_numbers.filter(released_at__isnull=True).exists()
    ):
        raise TrialNumberLimit()
    number.account = target
    number.save(update_fields=["account", "date_updated"])
    return number
