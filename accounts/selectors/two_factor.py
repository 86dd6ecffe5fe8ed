"""Who must sign in with two-factor authentication, and who has it."""

import functools

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.db.models import BooleanField, Exists, OuterRef, Q
from django.db.models.expressions import RawSQL

from ..models import Account, AccountMembership, Organization, OrganizationMembership, User


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


@functools.cache
def _facts_sql():
    """`_has_totp` and `_required` of the outer user row as SQL written once. The signed-in
    user is loaded with them on every request, and the ORM spent several times longer building
    the two Exists (a four-way OR over joined accounts and organizations) than the database
    spends answering them; tests/views/test_two_factor_facts.py holds both to the same answers."""
    user = User._meta.db_table
    account = Account._meta.db_table
    organization = Organization._meta.db_table
    authenticator = Authenticator._meta.db_table
    has_totp = (
        f"EXISTS (SELECT 1 FROM {authenticator} t WHERE t.user_id = {user}.id AND t.type = %s)"
    )
    required = (
        f"EXISTS (SELECT 1 FROM {AccountMembership._meta.db_table} m"
        f" JOIN {account} a ON a.id = m.account_id"
        f" LEFT JOIN {account} p ON p.id = a.parent_id"
        f" LEFT JOIN {organization} o ON o.id = a.organization_id"
        f" LEFT JOIN {organization} po ON po.id = p.organization_id"
        f" WHERE m.user_id = {user}.id AND (a.require_two_factor OR p.require_two_factor"
        f" OR o.require_two_factor OR po.require_two_factor))"
        f" OR EXISTS (SELECT 1 FROM {OrganizationMembership._meta.db_table} om"
        f" JOIN {organization} r ON r.id = om.organization_id"
        f" WHERE om.user_id = {user}.id AND r.require_two_factor)"
    )
    return has_totp, required


def users_with_two_factor_facts():
    """Users with `has_two_factor` and `two_factor_required` annotated: the signed-in user is
    loaded this way on every request (see accounts.signin.AuthenticationBackend), so the
    check costs no query of its own."""
    has_totp, required = _facts_sql()
    return User.objects.annotate(
        has_two_factor=RawSQL(has_totp, [Authenticator.Type.TOTP], output_field=BooleanField()),
        two_factor_required=RawSQL(required, [], output_field=BooleanField()),
    )


def users_with_two_factor_facts_by_orm():
    """The same facts as Exists built by the ORM: what the written SQL is tested against."""
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
