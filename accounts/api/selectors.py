"""Reads for the API, scoped to the calling account ("the caller").

A main account's credentials reach the account itself and its subaccounts; a subaccount's
credentials reach only that subaccount. Anything else is 404, like an account that does not
exist. Phone numbers are reached through the account in the path: a number is found only
under the account that holds it, and only while it is held (released numbers are gone).
"""

from django.http import Http404

from ..models import Account, AvailablePhoneNumber, IncomingPhoneNumber, sid_is_valid
from .auth import ACCOUNT_SID_RE

ORIGIN_TWILIO = "twilio"  # every number here comes from the inventory; none is hosted


def _never_stored(text):
    """Text no friendly name can hold (PostgreSQL refuses NUL characters outright, and
    `services.friendly_name_clean` keeps them out): a filter on it matches nothing."""
    return "\x00" in text


def subaccount_list_for_caller(*, caller):
    """The subaccounts the caller may reach, closed ones included: a main account's own; none
    for a subaccount (subaccounts cannot have subaccounts, and siblings stay out of reach)."""
    if caller.is_subaccount:
        return Account.objects.none()
    return Account.objects.subaccounts_of(caller).select_related("parent")


def account_list_for_caller(*, caller, friendly_name=None, status=None):
    """What `GET /Accounts.json` lists, as (head, subaccounts): the caller itself first (or
    None when the filters leave it out), then its subaccounts, filtered alike."""
    head = caller
    subaccounts = subaccount_list_for_caller(caller=caller)
    if friendly_name is not None:
        if _never_stored(friendly_name):
            return None, subaccounts.none()
        subaccounts = subaccounts.filter(friendly_name=friendly_name)
        head = head if head.friendly_name == friendly_name else None
    if status is not None:
        subaccounts = subaccounts.filter(status=status)
        head = head if head is not None and head.status == status else None
    return head, subaccounts


def account_get_for_caller(*, caller, sid):
    """The account with this SID if the caller may reach it; otherwise Http404."""
    if sid == caller.sid:
        return caller
    if not sid_is_valid(sid, "AC"):
        raise Http404("No such account.")
    try:
        return subaccount_list_for_caller(caller=caller).get(sid=sid)
    except Account.DoesNotExist:
        raise Http404("No such account.") from None


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
            if _never_stored(friendly_name)
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


def transfer_target_get(*, sid):
    """The account a number would move to, or None. Looked up by SID alone: the transfer
    service decides whether it is in the number's family, so that an unknown SID and an
    unrelated account get the same refusal."""
    if not ACCOUNT_SID_RE.fullmatch(sid):
        return None
    return Account.objects.filter(sid=sid).first()


def available_phone_number_in_area_code(*, area_code):
    """The first number of the inventory (in number order) in a US or Canadian area code."""
    return (
        AvailablePhoneNumber.objects.filter(phone_number__startswith=f"+1{area_code}")
        .order_by("phone_number")
        .first()
    )
