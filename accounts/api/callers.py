"""The account in an API path, as the caller may reach it, read the fastest way.

`account_get_for_caller` answers exactly what `selectors.accounts.account_get_for_caller`
answers (the caller itself; for a main account, one of its subaccounts, closed ones
included; otherwise Http404; tests/api/test_read_paths.py holds them side by side), with a
query compiled once and no join: a reachable subaccount's parent is the caller, which the
request has already read.
"""

from django.http import Http404

from ..models import Account, sid_is_valid
from .queries import PreparedQuery

_SUBACCOUNT_BY_SID = PreparedQuery(
    lambda parent_id, sid: Account.objects.filter(parent_id=parent_id, sid=sid).order_by()[:1],
    parent_id=-1,
    sid="AC-placeholder",
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
