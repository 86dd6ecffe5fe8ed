"""What the API reads on most requests, by queries compiled once (accounts/selectors/prepared.py).

Each function answers exactly what its selector answers (tests/api/test_read_paths.py holds
them side by side), without building a queryset per request:

- `account_get_for_caller`: `selectors.accounts.account_get_for_caller` (the caller itself;
  for a main account, one of its subaccounts, closed ones included; otherwise Http404), with
  no join: a reachable subaccount's parent is the caller, which the request has already read;
- `subaccount_rows_newest`: the first rows of `selectors.accounts.subaccount_list_for_caller`,
  newest first, as the first page of the Accounts list reads them;
- `held_number_rows_newest`: the first rows of the numbers an account holds
  (`selectors.numbers.incoming_phone_number_list_for_caller` without filters).
"""

from django.http import Http404

from ..models import Account, IncomingPhoneNumber, sid_is_valid
from ..selectors.prepared import PreparedQuery
from . import paging, serializers

_SUBACCOUNT_BY_SID = PreparedQuery(
    lambda parent_id, sid: Account.objects.filter(parent_id=parent_id, sid=sid).order_by()[:1],
    parent_id=-1,
    sid="AC-placeholder",
)


_SUBACCOUNT_ROWS = PreparedQuery(
    lambda parent_id, *, limit: (
        Account.objects.filter(parent_id=parent_id)
        .order_by(*paging.newest_first(paging.DATE_FIELD))
        .values_list(*serializers.ACCOUNT_COLUMNS, named=True)[:limit]
    ),
    parent_id=-1,
)
_HELD_NUMBER_ROWS = PreparedQuery(
    lambda account_id, *, limit: (
        IncomingPhoneNumber.objects.filter(account_id=account_id, released_at__isnull=True)
        .order_by(*paging.newest_first(paging.DATE_FIELD))
        .values_list(*serializers.NUMBER_COLUMNS, named=True)[:limit]
    ),
    account_id=-1,
)


def account_get_for_caller(*, caller, sid):
    if sid == caller.sid:
        return caller
    # Subaccounts reach no other account: neither their parent nor their siblings.
    if caller.is_subaccount or not sid_is_valid(sid, "AC"):
        raise Http404("No such account.")
    account = _SUBACCOUNT_BY_SID.first(parent_id=caller.pk, sid=sid)
    if account is None:
        raise Http404("No such account.")
    account.parent = caller
    return account


def subaccount_rows_newest(*, caller, limit):
    """The caller's first `limit` subaccounts, newest first, as rows of ACCOUNT_COLUMNS; none
    for a subaccount (siblings stay out of reach)."""
    if caller.is_subaccount:
        return []
    return _SUBACCOUNT_ROWS(shape={"limit": limit}, parent_id=caller.pk)


def held_number_rows_newest(*, account, limit):
    """The first `limit` numbers `account` holds (not released), newest first, as rows of
    NUMBER_COLUMNS. `account` is one the caller reaches (`account_get_for_caller`)."""
    return _HELD_NUMBER_ROWS(shape={"limit": limit}, account_id=account.pk)
