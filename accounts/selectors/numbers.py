"""Reads about phone numbers: the numbers an account holds, and the inventory.

The console passes an account it already reached (`accounts.account_get_for_user`); the API
names the account in the path, which the caller must reach (`account_get_for_caller`). A
number is found only under the account that holds it.
"""

from django.db.models import Q
from django.http import Http404

from ..models import AvailablePhoneNumber, IncomingPhoneNumber, sid_is_valid
from .accounts import account_get_for_caller, never_stored

ORIGIN_TWILIO = "twilio"  # every number here comes from the inventory; none is hosted


def phone_number_list(*, account, query=""):
    """The numbers `account` holds now (not those of its subaccounts), newest first. `query`
    matches part of the number's digits or of its friendly name."""
    numbers = IncomingPhoneNumber.objects.filter(account=account, released_at__isnull=True)
    query = query.strip()
    if query:
        match = Q(friendly_name__icontains=query)
        digits = "".join(ch for ch in query if ch.isdigit())
        if digits:
            match |= Q(phone_number__contains=digits)
        numbers = numbers.filter(match)
    return numbers.order_by("-date_created", "-id")


def phone_number_get(*, account, sid):
    """One number `account` holds or held (released ones too, so that acting on a stale page
    says "released" rather than "not found"). None when it is not this account's."""
    if not sid_is_valid(sid, "PN"):
        return None
    return IncomingPhoneNumber.objects.filter(account=account, sid=sid).first()


def available_numbers(*, contains="", limit=20):
    """Numbers for sale, in number order; `contains` matches part of their digits."""
    numbers = AvailablePhoneNumber.objects.for_sale()
    digits = "".join(ch for ch in contains if ch.isdigit())
    if digits:
        numbers = numbers.filter(phone_number__contains=digits)
    return numbers[:limit]


def incoming_phone_number_list_for_caller(
    *, caller, account_sid, phone_number=None, friendly_name=None, origin=None
):
    """The numbers the account in the path holds, if the caller may reach it (else Http404),
    filtered like Twilio's list: `phone_number` partially (see `phone_number_pattern`),
    `friendly_name` exactly, `origin` ("twilio" is all of them, anything else none)."""
    account = account_get_for_caller(caller=caller, sid=account_sid)
    numbers = IncomingPhoneNumber.objects.filter(
        account=account, released_at__isnull=True
    ).select_related("account")
    if phone_number is not None:
        numbers = numbers.filter(phone_number__regex=phone_number_pattern(phone_number))
    if friendly_name is not None:
        numbers = (
            numbers.none()
            if never_stored(friendly_name)
            else numbers.filter(friendly_name=friendly_name)
        )
    if origin is not None and origin != ORIGIN_TWILIO:
        numbers = numbers.none()
    return numbers


def incoming_phone_number_get_for_caller(*, caller, account_sid, sid):
    """The held number `sid` under the account in the path; Http404 if the caller may not
    reach that account, or the number is another account's, released, or unknown."""
    numbers = incoming_phone_number_list_for_caller(caller=caller, account_sid=account_sid)
    if not sid_is_valid(sid, "PN"):
        raise Http404("No such phone number.")
    try:
        return numbers.get(sid=sid)
    except IncomingPhoneNumber.DoesNotExist:
        raise Http404("No such phone number.") from None


_NO_NUMBER = r"^$"  # phone numbers are never empty


def phone_number_pattern(text):
    """The PhoneNumber filter as a regular expression over E.164 numbers: its digits in a row,
    `*` standing for any one digit, other characters ("(", "-", spaces) ignored. A leading `+`
    anchors the match at the start ("+1415" is a prefix); otherwise the digits may be
    anywhere ("555" is contained). A filter with no digits and no `*` matches nothing."""
    text = text.strip()
    kept = [ch for ch in text if ch.isascii() and (ch.isdigit() or ch == "*")]
    if not kept:
        return _NO_NUMBER
    digits = "".join("[0-9]" if ch == "*" else ch for ch in kept)
    return (r"^\+" if text.startswith("+") else "") + digits
