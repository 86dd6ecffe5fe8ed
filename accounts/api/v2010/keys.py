"""The Twilio-compatible 2010-04-01 Keys and SigningKeys APIs.

`/Accounts/{AccountSid}/Keys.json` lists (GET) and creates (POST, 201 with the `secret`, the
only time it is ever returned) the keys of the account in the path;
`/Accounts/{AccountSid}/Keys/{Sid}.json` fetches (GET), renames (POST `FriendlyName`) and
deletes (DELETE, 204) one of them. SigningKeys are the same under their own paths and list
key. Keys made here are Standard keys (Main keys are made in the console only, as at
Twilio), and Standard keys cannot manage keys: only the auth token or a Main key may.
"""

from django.http import HttpResponse, JsonResponse

from ...models import ApiKey
from ...selectors import keys as selectors
from ...services import credentials as credential_services
from .. import paging, serializers
from ..auth import api_view

KEYS = ("keys", "Keys", ApiKey.Kind.KEY)
SIGNING_KEYS = ("signing_keys", "SigningKeys", ApiKey.Kind.SIGNING_KEY)


def _list(request, caller, account_sid, resource):
    list_key, _path_name, kind = resource
    account, keys = selectors.key_list_for_caller(caller=caller, account_sid=account_sid, kind=kind)
    if request.method == "POST":
        key, secret = credential_services.key_create(
            account=account,
            friendly_name=request.POST.get("FriendlyName", ""),
            key_type=ApiKey.KeyType.STANDARD,
            kind=kind,
            actor=request.actor,
        )
        return JsonResponse(serializers.key_json(key, secret=secret), status=201)
    page_size = paging.page_size_parse(request.GET.get("PageSize"))
    token = paging.page_token_parse(
        page_token=request.GET.get("PageToken"), page=request.GET.get("Page")
    )
    page = paging.page_get(head=None, rest=keys, page_size=page_size, token=token)
    return JsonResponse(
        paging.list_envelope(
            key=list_key,
            records=[serializers.key_json(key) for key in page.records],
            page=page,
            page_size=page_size,
            path=request.path,
            filters=[],
        )
    )


def _detail(request, caller, account_sid, sid, resource):
    _list_key, _path_name, kind = resource
    key = selectors.key_get_for_caller(caller=caller, account_sid=account_sid, sid=sid, kind=kind)
    if request.method == "DELETE":
        credential_services.key_delete(key=key, actor=request.actor)
        return HttpResponse(status=204)
    if request.method == "POST" and "FriendlyName" in request.POST:
        key = credential_services.key_rename(
            key=key, friendly_name=request.POST["FriendlyName"], actor=request.actor
        )
    return JsonResponse(serializers.key_json(key))


@api_view("GET", "POST", standard_keys=False)
def key_list(request, caller, account_sid):
    """GET: the account's keys, newest first. POST: a new Standard key."""
    return _list(request, caller, account_sid, KEYS)


@api_view("GET", "POST", "DELETE", standard_keys=False)
def key_detail(request, caller, account_sid, sid):
    """GET: the key. POST: rename it (FriendlyName). DELETE: revoke it."""
    return _detail(request, caller, account_sid, sid, KEYS)


@api_view("GET", "POST", standard_keys=False)
def signing_key_list(request, caller, account_sid):
    return _list(request, caller, account_sid, SIGNING_KEYS)


@api_view("GET", "POST", "DELETE", standard_keys=False)
def signing_key_detail(request, caller, account_sid, sid):
    return _detail(request, caller, account_sid, sid, SIGNING_KEYS)
