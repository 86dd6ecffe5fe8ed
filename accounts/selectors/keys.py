"""Reads about an account's API keys, for the console (an account the user reached) and the
API (the account in the path, which the caller must reach)."""

from django.http import Http404

from ..models import ApiKey, sid_is_valid
from .accounts import account_get_for_caller


def key_list(*, account, kind=ApiKey.Kind.KEY):
    """The account's keys of one kind (Keys or SigningKeys), newest first."""
    return ApiKey.objects.filter(account=account, kind=kind).order_by("-date_created", "-id")


def key_list_all(*, account):
    """Every key of the account (the console lists both kinds together), newest first."""
    return ApiKey.objects.filter(account=account).order_by("-date_created", "-id")


def key_get(*, account, sid, kind=None):
    """One key of `account`, or 404 (a key of another account looks like none at all)."""
    if not sid_is_valid(sid, "SK"):
        raise Http404("No such key.")
    keys = ApiKey.objects.filter(account=account)
    if kind is not None:
        keys = keys.filter(kind=kind)
    key = keys.select_related("account").filter(sid=sid).first()
    if key is None:
        raise Http404("No such key.")
    return key


def key_list_for_caller(*, caller, account_sid, kind):
    """(account, its keys of `kind`) for the account in the path, if the caller reaches it."""
    account = account_get_for_caller(caller=caller, sid=account_sid)
    return account, key_list(account=account, kind=kind)


def key_get_for_caller(*, caller, account_sid, sid, kind):
    account = account_get_for_caller(caller=caller, sid=account_sid)
    return key_get(account=account, sid=sid, kind=kind)
