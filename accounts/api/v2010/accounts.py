"""The Twilio-compatible 2010-04-01 Accounts API.

Parameters come in PascalCase (query string for GET, form body for POST); JSON goes out in
snake_case. Each view fetches through a selector scoped to the caller, calls the services,
and answers; `api_view` turns refusals into Twilio's error bodies.
"""

from django.http import Http404, JsonResponse

from ... import errors
from ...models import Account
from ...selectors import accounts as selectors
from ...services import accounts as account_services
from .. import callers, paging, serializers
from ..auth import api_view

ANY_METHOD = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


@api_view("GET", "POST", standard_keys=False)
def account_list(request, caller):
    """GET: the caller and its subaccounts. POST: a new subaccount of the caller."""
    if request.method == "POST":
        subaccount = account_services.subaccount_create(
            parent=caller,
            friendly_name=request.POST.get("FriendlyName"),  # None: Twilio's default name
            actor=request.actor,
        )
        return JsonResponse(serializers.account_json(subaccount), status=201)

    friendly_name = request.GET.get("FriendlyName")
    status = _status_parse(request.GET.get("Status"))
    page_size = paging.page_size_parse(request.GET.get("PageSize"))
    token = paging.page_token_parse(
        page_token=request.GET.get("PageToken"), page=request.GET.get("Page")
    )
    filters = [("FriendlyName", friendly_name), ("Status", status)]
    if token is None and friendly_name is None and status is None:
        # The first page without filters, the one most lists are: by a query compiled once.
        page = paging.first_page(
            head=caller,
            newest=lambda limit: callers.subaccount_rows_newest(caller=caller, limit=limit),
            page_size=page_size,
        )
    else:
        page = _account_page(caller, friendly_name, status, page_size, token)
    return JsonResponse(
        paging.list_envelope(
            key="accounts",
            records=[
                # The head is the caller itself; every other record, a row of its subaccounts.
                serializers.account_json(
                    account, owner_account_sid=None if account is caller else caller.sid
                )
                for account in page.records
            ],
            page=page,
            page_size=page_size,
            path=request.path,
            filters=[(name, value) for name, value in filters if value is not None],
        )
    )


def _account_page(caller, friendly_name, status, page_size, token):
    head, subaccounts = selectors.account_list_for_caller(
        caller=caller, friendly_name=friendly_name, status=status
    )
    # Every subaccount listed is the caller's: its owner is the caller, not a join per row;
    # and a row of the columns the JSON shows is all a record needs, not a whole account.
    return paging.page_get(
        head=head,
        rest=subaccounts.select_related(None).values_list(*serializers.ACCOUNT_COLUMNS, named=True),
        page_size=page_size,
        token=token,
    )


@api_view("GET", "POST", standard_keys=False)
def account_detail(request, caller, sid):
    """GET: the account. POST: rename it (FriendlyName) and/or change its status (Status)."""
    account = callers.account_get_for_caller(caller=caller, sid=sid)
    if request.method == "POST":
        account = account_services.account_update(
            account=account,
            actor=request.actor,
            by_account=caller,
            friendly_name=request.POST.get("FriendlyName"),
            status=request.POST.get("Status"),
        )
    return JsonResponse(serializers.account_json(account))


@api_view("GET")
def account_balance(request, caller, account_sid):
    """The balance the account spends: for a subaccount, its parent's (subaccounts share
    their parent's balance and hold none of their own), reported under the SID asked for."""
    account = callers.account_get_for_caller(caller=caller, sid=account_sid)
    return JsonResponse(serializers.balance_json(account))


@api_view(*ANY_METHOD)
def not_found(request, caller, path=""):
    """Anything else under /2010-04-01/ is Twilio's 20404, not an HTML page."""
    raise Http404


def _status_parse(status):
    if status is not None and status not in Account.Status.values:
        raise errors.InvalidStatusTransition(errors.INVALID_STATUS)
    return status
