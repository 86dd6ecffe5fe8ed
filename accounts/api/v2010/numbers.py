"""The Twilio-compatible 2010-04-01 IncomingPhoneNumbers API.

`/Accounts/{AccountSid}/IncomingPhoneNumbers.json` lists (GET) and buys (POST) the numbers of
the account in the path; `/Accounts/{AccountSid}/IncomingPhoneNumbers/{Sid}.json` fetches
(GET), renames or transfers (POST) and releases (DELETE) one of them. The account in the path
must be the caller or, for a main account, one of its subaccounts; anything else is 20404,
and so is a number asked for under an account that does not hold it.

Twilio documents the error codes but rarely the HTTP status or the message; where it is
silent these choices hold (every refusal below is HTTP 400):

Buying (POST …/IncomingPhoneNumbers.json):
- 21421 PhoneNumber is neither given nor replaced by an AreaCode ("PhoneNumber is
  required"), or is not E.164. 21421 is Twilio's "PhoneNumber is invalid"; it documents no
  code for the missing parameter.
- 21422 PhoneNumber is not in the inventory (never was, or bought meanwhile).
- 21451 AreaCode is not a US or Canadian area code (three digits, the first 2-9).
- 21452 no number for sale is left in that area code (Twilio's meaning of the code);
  parallel buyers by AreaCode each get a different number while any are left.
  With both parameters, PhoneNumber wins and AreaCode is not looked at.
- 21404 a trial account already holds its one number (Twilio's code for exactly this).
- 10002 the account in the path is a trial account's subaccount: it cannot hold numbers
  (Twilio's "Trial account does not support this feature").
- 20005 the account in the path is suspended or closed, or the balance cannot pay the first
  month (insufficient funds, a subaccount's monthly spend cap). 20005 is Twilio's "Account
  not active", whose documented cause is running out of funds; the message says which.
- 20002 FriendlyName longer than 64 characters (a blank one means the default: the number's
  formatted name).

Updating (POST …/IncomingPhoneNumbers/{Sid}.json):
- FriendlyName renames (20002 if blank or too long).
- AccountSid moves the number to another account of the same family, and only the family's
  main account may ask: 21474 for a subaccount's credentials, even on its own number;
  21473 for a target outside the family or an unknown SID (the same refusal, so that SIDs
  cannot be probed); 21472 for a suspended or closed target. The number's current account
  as target is a no-op. FriendlyName and AccountSid together apply both or neither.
- Other parameters (webhook URLs and methods, application, trunk, address, bundle SIDs) are
  accepted and ignored, as Twilio ignores parameters it does not know (20001 is a warning,
  not a refusal); the record shows them empty.

Releasing (DELETE) answers 204 with an empty body; the number goes back to the inventory and
is 20404 from then on, like a number that never existed.
"""

import contextlib
import re

from django.http import Http404, HttpResponse, JsonResponse

from ... import errors
from ...selectors import accounts as account_selectors
from ...selectors import numbers as selectors
from ...services import numbers as number_services
from ...services.accounts import friendly_name_clean
from .. import callers, paging, serializers
from ..auth import api_view

E164_RE = re.compile(r"\+[1-9][0-9]{1,14}")


@api_view("GET", "POST")
def incoming_phone_number_list(request, caller, account_sid):
    """GET: the account's numbers, newest first. POST: buy one for it."""
    if request.method == "POST":
        return _incoming_phone_number_create(request, caller, account_sid)

    friendly_name = request.GET.get("FriendlyName")
    beta = request.GET.get("Beta")  # no number here is new to the platform: nothing to filter
    phone_number = request.GET.get("PhoneNumber")
    origin = request.GET.get("Origin")
    page_size = paging.page_size_parse(request.GET.get("PageSize"))
    token = paging.page_token_parse(
        page_token=request.GET.get("PageToken"), page=request.GET.get("Page")
    )
    if token is None and friendly_name is None and phone_number is None and origin is None:
        # The first page without filters, the one most lists are: by a query compiled once.
        account = callers.account_get_for_caller(caller=caller, sid=account_sid)
        page = paging.first_page(
            head=None,
            newest=lambda limit: callers.held_number_rows_newest(account=account, limit=limit),
            page_size=page_size,
        )
    else:
        held = selectors.incoming_phone_number_list_for_caller(
            caller=caller,
            account_sid=account_sid,
            phone_number=phone_number,
            friendly_name=friendly_name,
            origin=origin,
        )
        # Every number listed is held by the account in the path (the selector checked that
        # the caller reaches it): its SID need not be joined to each row, and a row of the
        # columns the JSON shows is all a record needs.
        page = paging.page_get(
            head=None,
            rest=held.select_related(None).values_list(*serializers.NUMBER_COLUMNS, named=True),
            page_size=page_size,
            token=token,
        )
    filters = [
        ("FriendlyName", friendly_name),
        ("Beta", beta),
        ("PhoneNumber", phone_number),
        ("Origin", origin),
    ]
    return JsonResponse(
        paging.list_envelope(
            key="incoming_phone_numbers",
            records=[
                serializers.incoming_phone_number_json(number, account_sid=account_sid)
                for number in page.records
            ],
            page=page,
            page_size=page_size,
            path=request.path,
            filters=[(name, value) for name, value in filters if value is not None],
        )
    )


@api_view("GET", "POST", "DELETE")
def incoming_phone_number_detail(request, caller, account_sid, sid):
    """GET: the number. POST: rename (FriendlyName) and/or transfer (AccountSid) it.
    DELETE: release it."""
    number = selectors.incoming_phone_number_get_for_caller(
        caller=caller, account_sid=account_sid, sid=sid
    )
    if request.method == "DELETE":
        with _released_is_not_found():
            number_services.number_release(number=number, actor=request.actor)
        return HttpResponse(status=204)
    if request.method == "POST":
        with _released_is_not_found():
            number = _incoming_phone_number_update(
                request,
                number=number,
                caller=caller,
                friendly_name=request.POST.get("FriendlyName"),
                account_sid=request.POST.get("AccountSid"),
            )
    return JsonResponse(serializers.incoming_phone_number_json(number))


def _incoming_phone_number_create(request, caller, account_sid):
    account = account_selectors.account_get_for_caller(caller=caller, sid=account_sid)
    phone_number = request.POST.get("PhoneNumber", "").strip()
    area_code = request.POST.get("AreaCode", "").strip()
    friendly_name = request.POST.get("FriendlyName", "").strip()
    if friendly_name:
        friendly_name = friendly_name_clean(friendly_name)
    if phone_number:
        if not E164_RE.fullmatch(phone_number):
            raise errors.ApiError(
                errors.API_PHONE_NUMBER_INVALID_CODE,
                errors.API_PHONE_NUMBER_INVALID.format(value=phone_number),
            )
    elif not area_code:
        raise errors.ApiError(
            errors.API_PHONE_NUMBER_INVALID_CODE, errors.API_PHONE_NUMBER_REQUIRED
        )
    number = _buy(
        account=account,
        # The service picks the number of an AreaCode under its locks: parallel buyers each
        # get a different one.
        phone_number=phone_number or None,
        area_code=None if phone_number else area_code,
        friendly_name=friendly_name,
        actor=request.actor,
    )
    return JsonResponse(serializers.incoming_phone_number_json(number), status=201)


def _buy(*, account, phone_number, area_code, friendly_name, actor):
    try:
        return number_services.number_buy(
            account=account,
            phone_number=phone_number,
            area_code=area_code,
            friendly_name=friendly_name,
            actor=actor,
        )
    except errors.NumberNotAvailable:
        raise errors.ApiError(
            errors.API_NUMBER_NOT_AVAILABLE_CODE,
            errors.API_NUMBER_NOT_AVAILABLE.format(number=phone_number),
        ) from None
    except (errors.NumberError, errors.TrialRestriction) as refusal:
        # A trial subaccount's refusal keeps Twilio's 10002.
        raise errors.ApiError(refusal.code, refusal.message) from None
    except errors.BillingError as refusal:
        raise errors.ApiError(errors.API_ACCOUNT_NOT_ACTIVE_CODE, refusal.message) from None


def _incoming_phone_number_update(request, *, number, caller, friendly_name, account_sid):
    """Rename and/or transfer, both or neither (one service)."""
    target = None
    if account_sid is not None and account_sid != number.account.sid:
        target = account_selectors.transfer_target_get(sid=account_sid)
        if target is None:
            # The service's own order of checks: who asks first, then where to. A main
            # account reaches only its own family's numbers, so any other caller here is a
            # subaccount.
            if caller.is_subaccount:
                raise errors.TransferNotByParent()
            raise errors.TransferTargetUnrelated()
    return number_services.number_update(
        number=number,
        actor=request.actor,
        acting_account=caller,
        friendly_name=friendly_name,
        target=target,
    )


@contextlib.contextmanager
def _released_is_not_found():
    """A number released between the lookup and the change (a concurrent DELETE) is gone:
    20404, as it would have been a moment later."""
    try:
        yield
    except errors.NumberReleased:
        raise Http404("Released.") from None
