"""Reads used by views and the API, always scoped to who is asking."""

from django.http import Http404

from .models import Account


def account_list_for_user(*, user):
    """Every account `user` may reach, with what list pages show."""
    return Account.objects.reachable_by(user).select_related("parent", "organization", "owner")


def account_get_for_user(*, user, sid):
    """The account with this SID if `user` may reach it; otherwise 404, so that an
    unreachable account looks exactly like one that does not exist."""
    try:
        return account_list_for_user(user=user).get(sid=sid)
    except Account.DoesNotExist:
        raise Http404("No such account.") from None
