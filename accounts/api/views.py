"""The Twilio-compatible 2010-04-01 Accounts API.

Parameters come in PascalCase (query string for GET, form body for POST); JSON goes out in
snake_case. Each view fetches through a selector scoped to the caller, calls the services,
and answers; `api_view` turns refusals into Twilio's error bodies.
"""

from django.db import transaction
from django.http import Http404, JsonResponse

from .. import errors as account_errors
from .. import services
from ..models import Account, AccountStatusEvent
from . import errors, paging, selectors, serializers
from .auth import api_view

ANY_METHOD = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


@api_view("GET", "POST")
def account_list(request, caller):
    """GET: the caller and its subaccounts. POST: a new subaccount of the caller."""
    if request.method == "POST":
        subaccount = services.subaccount_create(
            parent=caller,
            friendly_name=request.POST.get("FriendlyName"),  # None: Twilio's default name
            acting_user=caller.owner,
        )
        return JsonResponse(serializers.account_json(subaccount), status=201)

    friendly_name = request.GET.get("FriendlyName")
    status = _status_parse(request.GET.get("Status"))
    page_size = paging.page_size_parse(request.GET.get("PageSize"))
    token = paging.page_token_parse(
        page_token=request.GET.get("PageToken"), page=request.GET.get("Page")
    )
    head, subaccounts = selectors.account_list_for_caller(
        caller=caller, friendly_name=friendly_name, status=status
    )
    page = paging.page_get(head=head, rest=subaccounts, page_size=page_size, token=token)
    filters = [("FriendlyName", friendly_name), ("Status", status)]
    return JsonResponse(
        paging.list_envelope(
            key="accounts",
            records=[serializers.account_json(account) for account in page.records],
            page=page,
            page_size=page_size,
            path=request.path,
            filters=[(name, value) for name, value in filters if value is not None],
        )
    )


@api_view("GET", "POST")
def account_detail(request, caller, sid):
    """GET: the account. POST: rename it (FriendlyName) and/or change its status (Status)."""
    account = selectors.account_get_for_caller(caller=caller, sid=sid)
    if request.method == "POST":
        account = _account_update(
            account=account,
            caller=caller,
            friendly_name=request.POST.get("FriendlyName"),
            status=request.POST.get("Status"),
        )
    return JsonResponse(serializers.account_json(account))


@api_view("GET")
def account_balance(request, caller, sid):
    """The balance the account spends: for a subaccount, its parent's (subaccounts share
    their parent's balance and hold none of their own), reported under the SID asked for."""
    account = selectors.account_get_for_caller(caller=caller, sid=sid)
    return JsonResponse(serializers.balance_json(account))


@api_view(*ANY_METHOD)
def not_found(request, caller, path=""):
    """Anything else under /2010-04-01/ is Twilio's 20404, not an HTML page."""
    raise Http404


def _status_parse(status):
    if status is not None and status not in Account.Status.values:
        raise account_errors.InvalidStatusTransition(account_errors.INVALID_STATUS)
    return status


@transaction.atomic
def _account_update(*, account, caller, friendly_name, status):
    """Rename and/or change status, both or neither (one transaction around the services)."""
    _status_parse(status)
    if status is not None:
        # Twilio: only subaccounts' status changes over the API, and only with the parent's
        # credentials (a subaccount that suspended itself could never come back).
        if not account.is_subaccount:
            raise account_errors.MainAccountStatusRestricted()
        if caller.is_subaccount:
            raise account_errors.NotPermitted(errors.STATUS_SET_BY_PARENT_ONLY)
    if friendly_name is None and status is None:
        return account
    owner = account.owner
    if friendly_name is not None:
        account = services.account_rename(
            account=account, friendly_name=friendly_name, acting_user=owner
        )
    if status is not None:
        account = services.account_status_set(
            account=account,
            status=status,
            acting_user=owner,
            source=AccountStatusEvent.Source.OWNER,
            reason="Changed through the REST API",
        )
    return account
