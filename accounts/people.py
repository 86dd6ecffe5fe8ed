"""Services for people: roles on accounts, invitations, organizations.

Like `services`, each function is one user intent in one transaction, locks what it reads and
raises typed errors (`errors.PeopleError`) with messages the console shows. Callers check that
the acting user may ask (the "users:write" scope, an organization role); the rules that hold
whatever the door (one owner, last-owner protection, single-use invitations) are checked here.
"""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from . import errors, roles
from .models import (
    INVITATION_LIFETIME_DAYS,
    Account,
    AccountMembership,
    Invitation,
    Organization,
    OrganizationMembership,
    User,
)
from .services import account_create

OrgRole = OrganizationMembership.Role


def roles_clean(chosen):
    """Account roles as a sorted list: Administrator alone, or any mix of Developer, Billing
    Manager and Support. The owner role is never given this way."""
    chosen = sorted(set(chosen or []))
    if not chosen:
        raise errors.PeopleError(errors.ROLES_REQUIRED)
    for role in chosen:
        if role == roles.OWNER:
            raise errors.PeopleError(errors.OWNER_ROLE_NOT_ASSIGNABLE)
        if role not in roles.ROLE_SCOPES:
            raise errors.PeopleError(errors.ROLE_UNKNOWN.format(role=role))
    if roles.ADMINISTRATOR in chosen and len(chosen) > 1:
        raise errors.PeopleError(
            errors.ROLES_EXCLUSIVE.format(role=roles.role_label(roles.ADMINISTRATOR))
        )
    return chosen


def _token_hash(token):
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_for_token(token):
    """The invitation behind a link's token, or InvitationError (expired, used, revoked...)."""
    invitation = (
        Invitation.objects.select_related("account", "organization", "invited_by")
        .filter(token_hash=_token_hash(token or ""))
        .first()
    )
    if invitation is None:
        raise errors.InvitationError(errors.INVITATION_INVALID)
    _refuse_unless_pending(invitation)
    return invitation


def _refuse_unless_pending(invitation):
    if invitation.accepted_at:
        raise errors.InvitationError(errors.INVITATION_USED)
    if invitation.revoked_at:
        raise errors.InvitationError(errors.INVITATION_REVOKED)
    if invitation.is_expired:
        raise errors.InvitationError(errors.INVITATION_EXPIRED)


def _send_invitation(invitation, token, *, base_url):
    link = base_url.rstrip("/") + reverse("invitation_accept", args=[token])
    target = invitation.target
    inviter = invitation.invited_by.get_full_name() if invitation.invited_by else "Someone"
    what = (
        f"the account “{target.friendly_name}” ({target.sid})"
        if invitation.account_id
        else f"the organization “{target.name}”"
    )
    body = (
        f"{inviter} invited you to {what} as {', '.join(invitation.role_labels())}.\n\n"
        f"Accept the invitation: {link}\n\n"
        f"The link works once and expires in {INVITATION_LIFETIME_DAYS} days. If you were not "
        "expecting this invitation, you can ignore this email."
    )
    # Sent only once the invitation is saved: a rolled-back invitation sends nothing.
    transaction.on_commit(
        lambda: send_mail(
            f"You are invited to {what}",
            body,
            settings.DEFAULT_FROM_EMAIL,
            [invitation.email],
        )
    )


def _issue_token(invitation):
    token = secrets.token_urlsafe(32)
    invitation.token_hash = _token_hash(token)
    invitation.date_sent = timezone.now()
    invitation.expires_at = invitation.date_sent + timedelta(days=INVITATION_LIFETIME_DAYS)
    return token


@transaction.atomic
def invitation_create(*, email, invited_by, base_url, account=None, organization=None, roles_=()):
    """Invite `email` to an account (with account roles) or an organization (with one role)."""
    email = User.objects.normalize_email(email)
    if account is not None:
        target = _open_account_locked(account)
        chosen = roles_clean(roles_)
        if AccountMembership.objects.filter(account=target, user__email__iexact=email).exists():
            raise errors.PeopleError(errors.ALREADY_A_MEMBER.format(email=email))
        pending = Invitation.objects.filter(account=target)
    else:
        target = Organization.objects.select_for_update().get(pk=organization.pk)
        chosen = list(roles_)[:1] or [OrgRole.MEMBER]
        if chosen[0] not in (OrgRole.ADMINISTRATOR, OrgRole.MEMBER):
            raise errors.PeopleError(errors.ROLE_UNKNOWN.format(role=chosen[0]))
        if OrganizationMembership.objects.filter(
            organization=target, user__email__iexact=email
        ).exists():
            raise errors.PeopleError(errors.ALREADY_AN_ORGANIZATION_MEMBER.format(email=email))
        pending = Invitation.objects.filter(organization=target)
    now = timezone.now()
    if pending.filter(
        email__iexact=email, accepted_at=None, revoked_at=None, expires_at__gt=now
    ).exists():
        raise errors.PeopleError(errors.ALREADY_INVITED.format(email=email))
    invitation = Invitation(
        account=target if account is not None else None,
        organization=target if organization is not None else None,
        email=email,
        roles=chosen,
        invited_by=invited_by,
    )
    token = _issue_token(invitation)
    invitation.save()
    _send_invitation(invitation, token, base_url=base_url)
    return invitation


def _lock_pending(invitation):
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at or invitation.revoked_at:
        raise errors.InvitationError(errors.INVITATION_NOT_PENDING)
    return invitation


@transaction.atomic
def invitation_resend(*, invitation, acting_user, base_url):
    """A new link (the old one stops working) and seven more days. An expired invitation can
    be resent too."""
    invitation = _lock_pending(invitation)
    token = _issue_token(invitation)
    invitation.save(update_fields=["token_hash", "date_sent", "expires_at"])
    _send_invitation(invitation, token, base_url=base_url)
    return invitation


@transaction.atomic
def invitation_revoke(*, invitation, acting_user):
    invitation = _lock_pending(invitation)
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    return invitation


@transaction.atomic
def invitation_accept(*, token, user):
    """The signed-in `user` (whose email must be the invited one) takes up the invitation."""
    invitation = invitation_for_token(token)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    # Check again under the lock: a parallel accept, a revoke or a resend (which replaces the
    # link) may have committed since the first read.
    if invitation.token_hash != _token_hash(token or ""):
        raise errors.InvitationError(errors.INVITATION_INVALID)
    _refuse_unless_pending(invitation)
    if user.email.lower() != invitation.email.lower():
        raise errors.InvitationError(errors.INVITATION_WRONG_USER.format(email=invitation.email))
    if invitation.account_id:
        held = set(
            AccountMembership.objects.filter(
                account_id=invitation.account_id, user=user
            ).values_list("role", flat=True)
        )
        if not held:
            AccountMembership.objects.bulk_create(
                AccountMembership(account_id=invitation.account_id, user=user, role=role)
                for role in invitation.roles
            )
    else:
        OrganizationMembership.objects.get_or_create(
            organization_id=invitation.organization_id,
            user=user,
            defaults={"role": invitation.roles[0]},
        )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    return invitation


@transaction.atomic
def user_sign_up_from_invitation(*, token, email, password, full_name=""):
    """A new person signs up through an invitation link: no first account of their own, they
    land in the account (or organization) they were invited to."""
    invitation = invitation_for_token(token)
    if User.objects.normalize_email(email) != invitation.email.lower():
        raise errors.InvitationError(errors.INVITATION_WRONG_USER.format(email=invitation.email))
    user = User.objects.create_user(email=email, password=password, full_name=full_name)
    return user, invitation_accept(token=token, user=user)


# --- Roles on an account ------------------------------------------------------------------


def _account_locked(account):
    return Account.objects.select_for_update().get(pk=account.pk)


def _open_account_locked(account):
    """Locked, and not closed: a closed account is read-only, its users and roles included."""
    account = _account_locked(account)
    if account.status == Account.Status.CLOSED:
        raise errors.AccountClosed()
    return account


@transaction.atomic
def account_member_roles_set(*, account, user, roles_, acting_user):
    """Replace `user`'s roles on `account` (never the owner's)."""
    chosen = roles_clean(roles_)
    account = _open_account_locked(account)
    current = AccountMembership.objects.filter(account=account, user=user)
    held = set(current.values_list("role", flat=True))
    if not held:
        raise errors.PeopleError(errors.NOT_A_MEMBER.format(email=user.email))
    if roles.OWNER in held:
        raise errors.PeopleError(errors.OWNER_CANNOT_BE_CHANGED)
    current.exclude(role__in=chosen).delete()
    AccountMembership.objects.bulk_create(
        AccountMembership(account=account, user=user, role=role)
        for role in chosen
        if role not in held
    )
    return chosen


@transaction.atomic
def account_member_remove(*, account, user, acting_user):
    """Take away every role `user` holds on `account`; their login and other accounts stay."""
    account = _open_account_locked(account)
    current = AccountMembership.objects.filter(account=account, user=user)
    held = set(current.values_list("role", flat=True))
    if not held:
        raise errors.PeopleError(errors.NOT_A_MEMBER.format(email=user.email))
    if roles.OWNER in held:
        raise errors.PeopleError(errors.OWNER_CANNOT_BE_CHANGED)
    current.delete()


@transaction.atomic
def account_ownership_transfer(*, account, new_owner, acting_user):
    """The owner hands a main account to an existing user of it, and becomes Administrator."""
    if account.parent_id is not None:
        raise errors.PeopleError(errors.SUBACCOUNT_OWNERSHIP)
    account = _open_account_locked(account)
    if acting_user.pk != account.owner_id:
        raise errors.NotPermitted(errors.ONLY_OWNER_CAN_TRANSFER)
    if new_owner.pk == account.owner_id:
        return account
    if not AccountMembership.objects.filter(account=account, user=new_owner).exists():
        raise errors.PeopleError(errors.TRANSFER_TO_MEMBER_ONLY)
    if (
        account.organization_id
        and not OrganizationMembership.objects.filter(
            organization_id=account.organization_id, user=new_owner
        ).exists()
    ):
        # An organization's accounts are owned by its members.
        raise errors.PeopleError(errors.TRANSFER_TO_ORGANIZATION_MEMBER_ONLY)
    old_owner_id = account.owner_id
    # The owner role is unique per account: drop the old one before giving the new one.
    AccountMembership.objects.filter(account=account, user_id=old_owner_id).delete()
    AccountMembership.objects.filter(account=account, user=new_owner).delete()
    AccountMembership.objects.bulk_create(
        [
            AccountMembership(account=account, user_id=old_owner_id, role=roles.ADMINISTRATOR),
            AccountMembership(account=account, user=new_owner, role=roles.OWNER),
        ]
    )
    account.owner = new_owner
    account.save(update_fields=["owner", "date_updated"])
    Account.objects.subaccounts_of(account).update(owner=new_owner)
    return account


# --- Organizations ------------------------------------------------------------------------


def organization_role(*, user, organization):
    membership = OrganizationMembership.objects.filter(organization=organization, user=user).first()
    return membership.role if membership else None


def _organization_locked_for_admin(organization, user):
    """Lock the organization, then check that `user` administers it: a role change racing
    with this request waits for the lock, so it cannot slip past the check."""
    organization = Organization.objects.select_for_update().get(pk=organization.pk)
    if organization_role(user=user, organization=organization) not in (
        OrgRole.OWNER,
        OrgRole.ADMINISTRATOR,
    ):
        raise errors.NotPermitted(errors.ORGANIZATION_ADMIN_ONLY)
    return organization


@transaction.atomic
def organization_create(*, name, owner):
    name = (name or "").strip()
    if not name:
        raise errors.PeopleError(errors.ORGANIZATION_NAME_REQUIRED)
    organization = Organization.objects.create(name=name[:100])
    OrganizationMembership.objects.create(organization=organization, user=owner, role=OrgRole.OWNER)
    return organization


@transaction.atomic
def organization_account_create(*, organization, friendly_name, acting_user):
    """A new account directly in the organization, owned by the acting owner/administrator,
    within the organization's account limit."""
    organization = _organization_locked_for_admin(organization, acting_user)
    return account_create(owner=acting_user, friendly_name=friendly_name, organization=organization)


@transaction.atomic
def organization_account_import(*, organization, account, acting_user):
    """Move (import) a personal main account, and its subaccounts, into the organization. The
    acting user must own the account and administer the organization; the account then counts
    against the organization's limit instead of its owner's."""
    organization = _organization_locked_for_admin(organization, acting_user)
    account = _account_locked(account)
    if account.parent_id is not None:
        raise errors.PeopleError(errors.IMPORT_MAIN_ACCOUNTS_ONLY)
    if account.owner_id != acting_user.pk:
        raise errors.NotPermitted(errors.IMPORT_NEEDS_ACCOUNT_OWNER)
    if account.organization_id is not None:
        raise errors.PeopleError(errors.ACCOUNT_ALREADY_IN_ORGANIZATION)
    if account.status == Account.Status.CLOSED:
        raise errors.AccountClosed()
    in_use = Account.objects.top_level().open().filter(organization=organization).count()
    if in_use >= organization.account_limit:
        raise errors.AccountLimitReached(
            errors.ORGANIZATION_ACCOUNT_LIMIT_REACHED.format(
                limit=errors.limit_text(organization.account_limit)
            )
        )
    account.organization = organization
    account.save(update_fields=["organization", "date_updated"])
    Account.objects.subaccounts_of(account).update(organization=organization)
    return account


def _non_owner_membership_locked(organization, user):
    """`user`'s membership of the organization, locked; the owner's is never changed here."""
    membership = (
        OrganizationMembership.objects.select_for_update()
        .filter(organization=organization, user=user)
        .first()
    )
    if membership is None:
        raise errors.PeopleError(errors.NOT_A_MEMBER.format(email=user.email))
    if membership.role == OrgRole.OWNER:
        raise errors.PeopleError(errors.ORGANIZATION_OWNER_CANNOT_BE_REMOVED)
    return membership


def _membership_end(organization, user):
    """Remove a non-owner member; an organization's accounts are owned by its members, so
    the ones they own must change hands first."""
    membership = _non_owner_membership_locked(organization, user)
    owned = Account.objects.top_level().filter(organization=organization, owner=user).count()
    if owned:
        raise errors.PeopleError(
            errors.MEMBER_OWNS_ACCOUNTS.format(email=user.email, count=owned)
        )
    membership.delete()


@transaction.atomic
def organization_member_role_set(*, organization, user, role, acting_user):
    organization = _organization_locked_for_admin(organization, acting_user)
    if role not in (OrgRole.ADMINISTRATOR, OrgRole.MEMBER):
        raise errors.PeopleError(errors.ROLE_UNKNOWN.format(role=role))
    membership = _non_owner_membership_locked(organization, user)
    membership.role = role
    membership.save(update_fields=["role"])
    return membership


@transaction.atomic
def organization_member_remove(*, organization, user, acting_user):
    organization = _organization_locked_for_admin(organization, acting_user)
    membership = _non_owner_membership_locked(organization, user)
    # An organization's accounts are owned by its members: they go first.
    owned = Account.objects.top_level().filter(organization=organization, owner=user).count()
    if owned:
        raise errors.PeopleError(errors.MEMBER_OWNS_ACCOUNTS.format(email=user.email, count=owned))
    membership.delete()


@transaction.atomic
def organization_leave(*, organization, user):
    """A member (not the owner) leaves the organization; the accounts they own in it go first."""
    organization = Organization.objects.select_for_update().get(pk=organization.pk)
    _membership_end(organization, user)


@transaction.atomic
def organization_ownership_transfer(*, organization, new_owner, acting_user):
    """Only the current Organization Owner hands the organization to an existing member, and
    stays on as Organization Administrator."""
    organization = Organization.objects.select_for_update().get(pk=organization.pk)
    memberships = OrganizationMembership.objects.select_for_update().filter(
        organization=organization
    )
    current_owner = memberships.filter(role=OrgRole.OWNER).first()
    if current_owner is None or current_owner.user_id != acting_user.pk:
        raise errors.NotPermitted(errors.ORGANIZATION_OWNER_ONLY)
    target = memberships.filter(user=new_owner).first()
    if target is None:
        raise errors.PeopleError(errors.ORGANIZATION_TRANSFER_TO_MEMBER_ONLY)
    if target.pk == current_owner.pk:
        return organization
    current_owner.role = OrgRole.ADMINISTRATOR
    current_owner.save(update_fields=["role"])
    target.role = OrgRole.OWNER
    target.save(update_fields=["role"])
    return organization
