"""Reads about the people of an account: its users and their roles, its invitations."""

from django.http import Http404

from .. import roles
from ..models import AccountMembership, Invitation

ROLE_ORDER = [role for role, _label in roles.ROLE_CHOICES]


def account_people(*, account, with_parents_users=True):
    """Users with their roles: those of this account, then (for a subaccount, to those who
    may see its parent) those who reach it through the parent. One query."""
    account_ids = [account.pk]
    if account.parent_id and with_parents_users:
        account_ids.append(account.parent_id)
    by_user = {}
    for membership in (
        AccountMembership.objects.filter(account_id__in=account_ids)
        .select_related("user")
        .order_by("user__email")
    ):
        inherited = membership.account_id != account.pk
        entry = by_user.setdefault(
            (membership.user_id, inherited),
            {"user": membership.user, "roles": [], "inherited": inherited},
        )
        entry["roles"].append(membership.role)
    users = sorted(by_user.values(), key=lambda e: (e["inherited"], e["user"].email))
    for entry in users:
        entry["roles"].sort(key=ROLE_ORDER.index)
        entry["labels"] = [roles.role_label(role) for role in entry["roles"]]
        entry["is_owner"] = roles.OWNER in entry["roles"]
    return users


def account_member_get(*, account, user_id):
    """A user holding a role on `account` itself, or 404."""
    membership = (
        AccountMembership.objects.filter(account=account, user_id=user_id)
        .select_related("user")
        .first()
    )
    if membership is None:
        raise Http404("No such user on this account.")
    return membership.user


def account_invitation_list(*, account):
    """Invitations not yet accepted or revoked (expired ones included: they can be resent)."""
    return (
        Invitation.objects.filter(account=account, accepted_at=None, revoked_at=None)
        .select_related("invited_by")
        .order_by("-date_sent")
    )


def account_invitation_get(*, account, pk):
    invitation = Invitation.objects.filter(account=account, pk=pk).first()
    if invitation is None:
        raise Http404("No such invitation.")
    return invitation
