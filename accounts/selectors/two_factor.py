"""Who must sign in with two-factor authentication, and who has it."""

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.db.models import Exists, OuterRef, Q

from ..models import AccountMembership, OrganizationMembership, User


def _has_totp(user_ref):
    return Exists(Authenticator.objects.filter(user=user_ref, type=Authenticator.Type.TOTP))


def _required(user_ref):
    """A role on an account that requires two-factor (or whose main account or organization
    does), or membership of an organization that does."""
    on_accounts = AccountMembership.objects.filter(user=user_ref).filter(
        Q(account__require_two_factor=True)
        | Q(account__parent__require_two_factor=True)
        | Q(account__organization__require_two_factor=True)
        | Q(account__parent__organization__require_two_factor=True)
    )
    in_organizations = OrganizationMembership.objects.filter(
        user=user_ref, organization__require_two_factor=True
    )
    return Exists(on_accounts) | Exists(in_organizations)


def users_with_two_factor_facts():
    """Users with `has_two_factor` and `two_factor_required` annotated: the signed-in user is
    loaded this way on every request (see accounts.signin.AuthenticationBackend), so the
    check costs no query of its own."""
    return User.objects.annotate(
        has_two_factor=_has_totp(OuterRef("pk")),
        two_factor_required=_required(OuterRef("pk")),
    )


def user_has_two_factor(*, user):
    """Whether `user` signs in with an authenticator app (TOTP)."""
    known = getattr(user, "has_two_factor", None)
    if known is not None:
        return known
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def two_factor_required_by(*, user):
    """Whether an account or organization `user` belongs to requires two-factor."""
    known = getattr(user, "two_factor_required", None)
    if known is not None:
        return known
    return User.objects.filter(pk=user.pk).filter(_required(OuterRef("pk"))).exists()


def admin_requires_two_factor(*, user):
    """Support staff need two-factor for the admin (outside development)."""
    return user.is_staff and settings.ADMIN_REQUIRES_TWO_FACTOR
