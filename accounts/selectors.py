"""Reads used by views and the API, always scoped to who is asking."""

from django.http import Http404

from .models import Account, sid_is_valid


def account_list_for_user(*, user):
    """Every account `user` may reach, with what list pages show."""
    return Account.objects.reachable_by(user).select_related("parent", "organization", "owner")


def account_get_for_user(*, user, sid):
    """The account with this SID if `user` may reach it; otherwise 404, so that an
    unreachable account looks exactly like one that does not exist."""
    if not sid_is_valid(sid, "AC"):
        raise Http404("No such account.")
    try:
        return account_list_for_user(user=user).get(sid=sid)
    except Account.DoesNotExist:
        raise Http404("No such account.") from None


def _roles_by_source(*, user, account):
    """(roles held on `account` itself, roles that come from above it): those on its parent
    (users of a main account reach its subaccounts with the same roles), and Administrator for
    an administrator of the account's organization."""
    from . import roles
    from .models import AccountMembership, OrganizationMembership

    account_ids = [account.pk] + ([account.parent_id] if account.parent_id else [])
    own, inherited = set(), set()
    for account_id, role in AccountMembership.objects.filter(
        user=user, account_id__in=account_ids
    ).values_list("account_id", "role"):
        (own if account_id == account.pk else inherited).add(role)
    organization_id = account.organization_id
    if (
        organization_id
        and OrganizationMembership.objects.filter(
            user=user, organization_id=organization_id, role__in=["owner", "administrator"]
        ).exists()
    ):
        inherited.add(roles.ADMINISTRATOR)
    return own, inherited


def account_roles_for_user(*, user, account):
    """The roles `user` holds on `account`: their own on it, those on its parent, and
    Administrator for an administrator of the account's organization."""
    return account_access_for_user(user=user, account=account)[0]


def account_access_for_user(*, user, account):
    """(roles, scopes, reaches_parent) of `user` on `account`. On a subaccount, the parent's
    powers over it (`roles.PARENT_SCOPES`: its spend cap, closing it, moving its numbers) come
    only from a role on the main account or its organization, never from a role on the
    subaccount alone; `reaches_parent` says whether the user has such a role at all."""
    from . import roles

    own, inherited = _roles_by_source(user=user, account=account)
    held = own | inherited
    if roles.OWNER in held:
        held.discard(roles.ADMINISTRATOR)
    scopes = roles.scopes_for(held)
    if account.parent_id:
        parents = roles.scopes_for(inherited) & roles.PARENT_SCOPES
        scopes = (scopes - roles.PARENT_SCOPES) | parents
    return held, scopes, not account.parent_id or bool(inherited)
