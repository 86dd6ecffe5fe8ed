"""Reads for the organization pages, always scoped to who is asking.

A user sees the organizations they are a member of (any role); anything else is 404, so an
organization they do not belong to looks exactly like one that does not exist.
"""

from django.db.models import Case, Count, IntegerField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.http import Http404

from ..models import (
    Account,
    AccountMembership,
    Invitation,
    Organization,
    OrganizationMembership,
    sid_is_valid,
)

OrgRole = OrganizationMembership.Role
MANAGING_ROLES = (OrgRole.OWNER, OrgRole.ADMINISTRATOR)


def _count(queryset):
    """A correlated COUNT(*) subquery (joins on two relations would multiply the counts)."""
    return Coalesce(
        Subquery(
            queryset.order_by().values("organization").annotate(n=Count("pk")).values("n"),
            output_field=IntegerField(),
        ),
        Value(0),
    )


def organization_list_for_user(*, user):
    """The organizations `user` belongs to, each with `my_role`, `owner_email`,
    `open_account_count` (what counts against the limit) and `member_count`: one query."""
    if not user.is_authenticated:
        return Organization.objects.none()
    memberships = OrganizationMembership.objects.filter(organization=OuterRef("pk"))
    return (
        Organization.objects.filter(memberships__user=user)
        .annotate(
            my_role=Subquery(memberships.filter(user=user).values("role")[:1]),
            owner_email=Subquery(memberships.filter(role=OrgRole.OWNER).values("user__email")[:1]),
            member_count=_count(memberships),
            open_account_count=_count(
                Account.objects.top_level().open().filter(organization=OuterRef("pk"))
            ),
        )
        .order_by("name", "pk")
    )


def organization_get_for_user(*, user, sid):
    """The organization with this SID if `user` is a member of it; otherwise 404."""
    if not sid_is_valid(sid, "OR"):
        raise Http404("No such organization.")
    try:
        return organization_list_for_user(user=user).get(sid=sid)
    except Organization.DoesNotExist:
        raise Http404("No such organization.") from None


def organization_account_list(*, organization, user):
    """The organization's accounts that `user` may reach: every one for its owner and
    administrators; for a plain member, those they hold a role on. Main accounts, plus any
    subaccount shared with the user on its own."""
    member_of = AccountMembership.objects.filter(user=user).values("account_id")
    return (
        Account.objects.reachable_by(user)
        .filter(organization=organization)
        .filter(Q(parent__isnull=True) | Q(pk__in=member_of))
        .select_related("owner", "parent")
        .order_by("friendly_name", "pk")
    )


def organization_importable_accounts(*, user):
    """The user's own personal main accounts (in no organization, not closed): what they may
    move into an organization they administer."""
    return (
        Account.objects.top_level()
        .open()
        .filter(owner=user, organization__isnull=True)
        .order_by("friendly_name", "pk")
    )


def organization_member_list(*, organization):
    """Members with their users: the owner first, then administrators, then by email."""
    return (
        OrganizationMembership.objects.filter(organization=organization)
        .select_related("user")
        .annotate(
            role_rank=Case(
                When(role=OrgRole.OWNER, then=Value(0)),
                When(role=OrgRole.ADMINISTRATOR, then=Value(1)),
                default=Value(2),
            )
        )
        .order_by("role_rank", "user__email", "pk")
    )


def organization_member_get(*, organization, user_id):
    """One member of the organization by their user id, or 404."""
    try:
        return organization_member_list(organization=organization).get(user_id=user_id)
    except OrganizationMembership.DoesNotExist:
        raise Http404("No such member.") from None


def organization_invitation_list(*, organization):
    """Invitations not yet accepted or revoked (expired ones included: they can be resent)."""
    return (
        Invitation.objects.filter(organization=organization, accepted_at=None, revoked_at=None)
        .select_related("invited_by")
        .order_by("-date_sent", "-pk")
    )


def organization_invitation_get(*, organization, pk):
    """One invitation to the organization, whatever its state (the services say why an
    accepted or revoked one cannot be resent), or 404."""
    try:
        return (
            Invitation.objects.filter(organization=organization)
            .select_related("invited_by")
            .get(pk=pk)
        )
    except Invitation.DoesNotExist:
        raise Http404("No such invitation.") from None


def organization_role(*, user, organization):
    """`user`'s role in the organization, or None."""
    membership = OrganizationMembership.objects.filter(organization=organization, user=user).first()
    return membership.role if membership else None


def organization_open_account_count(*, organization):
    """The organization's open main accounts: what counts against its limit."""
    return Account.objects.top_level().open().filter(organization=organization).count()
