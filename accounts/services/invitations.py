"""Invitations by email to an account (with account roles) or an organization (one role).

A link works once and for seven days; only a hash of its token is stored. The email is a
background task queued with the invitation: a rolled-back invitation sends nothing.
"""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from .. import errors, tasks
from ..models import (
    INVITATION_LIFETIME_DAYS,
    Account,
    AccountMembership,
    Invitation,
    Organization,
    OrganizationMembership,
    User,
)
from . import memberships
from .events import change, changes, created, event_record, service
from .users import user_create_invited

OrgRole = OrganizationMembership.Role


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
    _refuse_unless_pending(invitation, account=invitation.account)
    return invitation


def _refuse_unless_pending(invitation, *, account):
    if invitation.accepted_at:
        raise errors.InvitationError(errors.INVITATION_USED)
    if invitation.revoked_at:
        raise errors.InvitationError(errors.INVITATION_REVOKED)
    if invitation.is_expired:
        raise errors.InvitationError(errors.INVITATION_EXPIRED)
    if account is not None and account.status == Account.Status.CLOSED:
        raise errors.InvitationError(errors.INVITATION_ACCOUNT_CLOSED)


def _send_invitation(invitation, token, *, base_url):
    context = {
        "invitation": invitation,
        "target": invitation.target,
        "inviter": (invitation.invited_by.get_full_name() if invitation.invited_by else "Someone"),
        "roles": ", ".join(invitation.role_labels()),
        "link": base_url.rstrip("/") + reverse("console:invitation_accept", args=[token]),
        "lifetime_days": INVITATION_LIFETIME_DAYS,
    }
    subject = render_to_string("emails/invitation_subject.txt", context).strip()
    body = render_to_string("emails/invitation_body.txt", context)
    # A task queued in this transaction: a rolled-back invitation sends nothing.
    tasks.enqueue(tasks.email_send, subject, body, settings.DEFAULT_FROM_EMAIL, [invitation.email])


def _issue_token(invitation):
    token = secrets.token_urlsafe(32)
    invitation.token_hash = _token_hash(token)
    invitation.date_sent = timezone.now()
    invitation.expires_at = invitation.date_sent + timedelta(days=INVITATION_LIFETIME_DAYS)
    return token


def _invitation_event(invitation, *, actor, event_type, data):
    event_record(
        actor=actor,
        event_type=event_type,
        account=invitation.account,
        organization=invitation.organization,
        resource_sid=invitation.sid,
        data={"email": invitation.email, **data},
    )


@service
def invitation_create(*, email, actor, base_url, account=None, organization=None, roles_=()):
    """Invite `email` to an account (with account roles) or an organization (with one role)."""
    email = User.objects.normalize_email(email)
    if account is not None:
        target = memberships.open_account_locked(account)
        chosen = memberships.roles_clean(roles_)
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
        invited_by=actor.user,
    )
    token = _issue_token(invitation)
    invitation.save()
    _invitation_event(
        invitation,
        actor=actor,
        event_type="invitation.created",
        data=created(roles=chosen, expires_at=invitation.expires_at),
    )
    _send_invitation(invitation, token, base_url=base_url)
    return invitation


def _lock_pending(invitation):
    invitation = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("account", "organization", "invited_by")
        .get(pk=invitation.pk)
    )
    if invitation.accepted_at or invitation.revoked_at:
        raise errors.InvitationError(errors.INVITATION_NOT_PENDING)
    return invitation


@service
def invitation_resend(*, invitation, actor, base_url):
    """A new link (the old one stops working) and seven more days. An expired invitation can
    be resent too."""
    invitation = _lock_pending(invitation)
    previous_expiry = invitation.expires_at
    token = _issue_token(invitation)
    invitation.save(update_fields=["token_hash", "date_sent", "expires_at"])
    _invitation_event(
        invitation,
        actor=actor,
        event_type="invitation.updated",
        data=changes(expires_at=(previous_expiry, invitation.expires_at)),
    )
    _send_invitation(invitation, token, base_url=base_url)
    return invitation


@service
def invitation_revoke(*, invitation, actor):
    invitation = _lock_pending(invitation)
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    _invitation_event(
        invitation,
        actor=actor,
        event_type="invitation.deleted",
        data={"revoked_at": change(None, invitation.revoked_at)},
    )
    return invitation


@service
def invitation_accept(*, token, user, actor):
    """The signed-in `user` (whose email must be the invited one) takes up the invitation."""
    invitation = invitation_for_token(token)
    # The account (or organization) first, as every membership change locks it, so that a
    # close, or a removal, waits for this or this for it; then the invitation.
    account = None
    if invitation.account_id:
        account = memberships.account_locked(invitation.account)
    else:
        Organization.objects.select_for_update().get(pk=invitation.organization_id)
    invitation = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("account", "organization")
        .get(pk=invitation.pk)
    )
    # Check again under the locks: a parallel accept, a revoke or a resend (which replaces the
    # link), or the account's close may have committed since the first read.
    if invitation.token_hash != _token_hash(token or ""):
        raise errors.InvitationError(errors.INVITATION_INVALID)
    _refuse_unless_pending(invitation, account=account)
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
            memberships.membership_event(
                actor=actor,
                event_type="membership.created",
                account=invitation.account,
                user=user,
                data=created(roles=invitation.roles),
            )
    else:
        membership, added = OrganizationMembership.objects.get_or_create(
            organization_id=invitation.organization_id,
            user=user,
            defaults={"role": invitation.roles[0]},
        )
        if added:
            event_record(
                actor=actor,
                event_type="organization-membership.created",
                organization=invitation.organization,
                resource_sid=user.sid,
                data={"user": user.email, **created(role=membership.role)},
            )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    _invitation_event(
        invitation,
        actor=actor,
        event_type="invitation.accepted",
        data={"accepted_at": change(None, invitation.accepted_at)},
    )
    return invitation


@service
def user_sign_up_from_invitation(*, token, email, password, actor, full_name=""):
    """A new person signs up through an invitation link: no first account of their own, they
    land in the account (or organization) they were invited to."""
    invitation = invitation_for_token(token)
    if User.objects.normalize_email(email) != invitation.email.lower():
        raise errors.InvitationError(errors.INVITATION_WRONG_USER.format(email=invitation.email))
    user = user_create_invited(email=email, password=password, full_name=full_name, actor=actor)
    return user, invitation_accept(token=token, user=user, actor=actor.as_user(user))
