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


def account_roles_for_user(*, user, account):
    """The roles `user` holds on `account`: their own on it, those on its parent (users of a
    main account reach its subaccounts with the same roles), and Administrator for an
    administrator of the account's organization."""
    from . import roles
    from .models import AccountMembership, OrganizationMembership

    account_ids = [account.pk] + ([account.parent_id] if account.parent_id else [])
    held = set(
        AccountMembership.objects.filter(user=user, account_id__in=account_ids).values_list(
            "role", flat=True
        )
    )
    organization_id = account.organization_id
    if (
        organization_id
        and OrganizationMembership.objects.filter(
            user=user, organization_id=organization_id, role__in=["owner", "administrator"]
        ).exists()
    ):
        held.add(roles.ADMINISTRATOR)
    if roles.OWNER in held:
        held.discard(roles.ADMINISTRATOR)
    return held
