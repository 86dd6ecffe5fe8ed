"""Reads for the API, scoped to the calling account ("the caller").

A main account's credentials reach the account itself and its subaccounts; a subaccount's
credentials reach only that subaccount. Anything else is 404, like an account that does not
exist.
"""

from django.http import Http404

from ..models import Account


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
    try:
        return subaccount_list_for_caller(caller=caller).get(sid=sid)
    except Account.DoesNotExist:
        raise Http404("No such account.") from None
