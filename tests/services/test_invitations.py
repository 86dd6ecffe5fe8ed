"""Invitations to an account or an organization: the emailed single-use link, accepting it
(once, by the invited address, while pending, even when a revoke or resend races it), resending
and revoking."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from accounts import errors, roles
from accounts.models import AccountMembership, Invitation, Organization, OrganizationMembership
from accounts.selectors import accounts as account_selectors
from accounts.services import invitations as invitation_services
from accounts.services.events import Actor
from tests.support import mailed_invitation_token, role_of

pytestmark = pytest.mark.django_db

BASE = "http://testserver/"
OrgRole = OrganizationMembership.Role


@pytest.fixture
def invite(account, django_capture_on_commit_callbacks):
    """invite(email=…, roles_=(Developer,), target=account): an invitation to `target` (an
    account, or an organization), sent by its owner, and the token of the emailed link."""

    def invite(email="new.person@example.com", roles_=(roles.DEVELOPER,), target=None):
        target = target or account
        if isinstance(target, Organization):
            to = {"organization": target}
            inviter = target.memberships.get(role=OrgRole.OWNER).user
        else:
            to = {"account": target}
            inviter = target.owner
        with django_capture_on_commit_callbacks(execute=True):
            invitation = invitation_services.invitation_create(
                email=email, roles_=roles_, actor=Actor.for_user(inviter), base_url=BASE, **to
            )
        return invitation, mailed_invitation_token()

    return invite


@pytest.fixture
def invited(make_user):
    return make_user(email="invitee@example.com")


@pytest.mark.django_db
def test_invitation_email_has_a_single_use_unguessable_link(invite, account):
    invitation, token = invite()
    message = mail.outbox[0]
    assert message.to == ["new.person@example.com"]
    assert account.friendly_name in message.body and "Developer" in message.body
    assert len(token) >= 40
    assert token not in invitation.token_hash  # only a hash is stored
    assert invitation.expires_at - invitation.date_sent == timedelta(days=7)


@pytest.mark.django_db
def test_an_existing_user_accepting_gains_the_roles(invite, account, make_user):
    person = make_user(email="new.person@example.com")
    _invitation, token = invite(roles_=[roles.DEVELOPER, roles.SUPPORT])
    invitation_services.invitation_accept(token=token, user=person, actor=Actor.for_user(person))
    assert account_selectors.account_roles_for_user(user=person, account=account) == {
        roles.DEVELOPER,
        roles.SUPPORT,
    }


@pytest.mark.django_db
def test_a_used_link_cannot_be_used_again(invite, make_user):
    person = make_user(email="new.person@example.com")
    _invitation, token = invite()
    invitation_services.invitation_accept(token=token, user=person, actor=Actor.for_user(person))
    with pytest.raises(errors.InvitationError) as refusal:
        invitation_services.invitation_accept(
            token=token, user=person, actor=Actor.for_user(person)
        )
    assert refusal.value.message == errors.INVITATION_USED


@pytest.mark.django_db
def test_an_expired_link_is_refused(invite, make_user):
    person = make_user(email="new.person@example.com")
    invitation, token = invite()
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    with pytest.raises(errors.InvitationError) as refusal:
        invitation_services.invitation_accept(
            token=token, user=person, actor=Actor.for_user(person)
        )
    assert refusal.value.message == errors.INVITATION_EXPIRED
    assert not AccountMembership.objects.filter(user=person).exists()


@pytest.mark.django_db
def test_the_wrong_user_cannot_accept(invite, make_user, account):
    intruder = make_user(email="intruder@example.com")
    _invitation, token = invite()
    with pytest.raises(errors.InvitationError) as refusal:
        invitation_services.invitation_accept(
            token=token, user=intruder, actor=Actor.for_user(intruder)
        )
    assert "new.person@example.com" in refusal.value.message
    assert account_selectors.account_roles_for_user(user=intruder, account=account) == set()


@pytest.mark.django_db
def test_a_revoked_invitation_cannot_be_accepted(invite, make_user, account):
    person = make_user(email="new.person@example.com")
    invitation, token = invite()
    invitation_services.invitation_revoke(
        invitation=invitation, actor=Actor.for_user(account.owner)
    )
    with pytest.raises(errors.InvitationError) as refusal:
        invitation_services.invitation_accept(
            token=token, user=person, actor=Actor.for_user(person)
        )
    assert refusal.value.message == errors.INVITATION_REVOKED


@pytest.mark.django_db
def test_resend_replaces_the_link_and_extends_it(
    invite, account, make_user, django_capture_on_commit_callbacks
):
    person = make_user(email="new.person@example.com")
    invitation, old_token = invite()
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(days=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        invitation_services.invitation_resend(
            invitation=invitation, actor=Actor.for_user(account.owner), base_url=BASE
        )
    new_token = mailed_invitation_token()
    assert new_token != old_token
    with pytest.raises(errors.InvitationError):
        invitation_services.invitation_accept(
            token=old_token, user=person, actor=Actor.for_user(person)
        )
    invitation_services.invitation_accept(
        token=new_token, user=person, actor=Actor.for_user(person)
    )
    assert AccountMembership.objects.filter(user=person, account=account).exists()


@pytest.mark.django_db
def test_inviting_a_member_or_an_already_invited_address_says_so(invite, account):
    with pytest.raises(errors.PeopleError) as refusal:
        invite(email=account.owner.email.upper())
    assert "already a user of this account" in refusal.value.message
    invite()
    with pytest.raises(errors.PeopleError) as refusal:
        invite()
    assert "already has a pending invitation" in refusal.value.message


@pytest.mark.django_db
def test_a_rolled_back_invitation_sends_no_email(account, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(errors.PeopleError):
        invitation_services.invitation_create(
            account=account,
            email="x@example.com",
            roles_=[],
            actor=Actor.for_user(account.owner),
            base_url=BASE,
        )
    assert mail.outbox == []


@pytest.mark.django_db
def test_a_new_person_signs_up_through_the_link(invite, account):
    _invitation, token = invite(roles_=[roles.BILLING_MANAGER])
    user, invitation = invitation_services.user_sign_up_from_invitation(
        token=token,
        email="New.Person@example.com",
        password="x-long-password-1",
        actor=Actor.system(),
    )
    assert invitation.accepted_by == user
    assert account_selectors.account_roles_for_user(user=user, account=account) == {
        roles.BILLING_MANAGER
    }
    assert not user.owned_accounts.exists()  # no first account of their own


# Invitations to an organization.


@pytest.mark.django_db
@pytest.mark.parametrize("role", [OrgRole.ADMINISTRATOR, OrgRole.MEMBER])
def test_an_invitation_to_the_organization_gives_its_role_once_accepted(
    invite, org, make_user, role
):
    invitation, token = invite(email="New.Person@Example.com", roles_=[role], target=org)
    message = mail.outbox[-1]
    assert message.to == ["new.person@example.com"]
    assert "Acme Group" in message.subject and role.label in message.body
    assert invitation.organization == org and invitation.account is None
    assert invitation.roles == [role]
    person = make_user(email="new.person@example.com")
    invitation_services.invitation_accept(token=token, user=person, actor=Actor.for_user(person))
    assert role_of(org, person) == role
    with pytest.raises(errors.InvitationError) as refusal:
        invitation_services.invitation_accept(
            token=token, user=person, actor=Actor.for_user(person)
        )
    assert refusal.value.message == errors.INVITATION_USED


@pytest.mark.django_db
def test_the_owner_role_cannot_be_given_by_invitation(org, owner):
    with pytest.raises(errors.PeopleError) as refusal:
        invitation_services.invitation_create(
            organization=org,
            email="x@example.com",
            roles_=[OrgRole.OWNER],
            actor=Actor.for_user(owner),
            base_url=BASE,
        )
    assert refusal.value.message == errors.ROLE_UNKNOWN.format(role="owner")


@pytest.mark.django_db
def test_members_and_pending_invitees_are_not_invited_twice(invite, org, member):
    with pytest.raises(errors.PeopleError) as refusal:
        invite(email=member.email.upper(), roles_=[OrgRole.MEMBER], target=org)
    assert refusal.value.message == errors.ALREADY_AN_ORGANIZATION_MEMBER.format(email=member.email)
    invite(email="pending@example.com", roles_=[OrgRole.MEMBER], target=org)
    with pytest.raises(errors.PeopleError) as refusal:
        invite(email="pending@example.com", roles_=[OrgRole.MEMBER], target=org)
    assert refusal.value.message == errors.ALREADY_INVITED.format(email="pending@example.com")


@pytest.mark.django_db
def test_resending_replaces_the_link_and_revoking_ends_it(
    invite, org, owner, make_user, django_capture_on_commit_callbacks
):
    invitation, first = invite(roles_=[OrgRole.MEMBER], target=org)
    with django_capture_on_commit_callbacks(execute=True):
        invitation_services.invitation_resend(
            invitation=invitation, actor=Actor.for_user(owner), base_url=BASE
        )
    second = mailed_invitation_token()
    assert second != first
    with pytest.raises(errors.InvitationError):
        invitation_services.invitation_for_token(first)
    invitation_services.invitation_revoke(invitation=invitation, actor=Actor.for_user(owner))
    with pytest.raises(errors.InvitationError) as refusal:
        invitation_services.invitation_accept(
            token=second,
            user=(person := make_user(email="new.person@example.com")),
            actor=Actor.for_user(person),
        )
    assert refusal.value.message == errors.INVITATION_REVOKED
    with pytest.raises(errors.InvitationError) as refusal:
        invitation_services.invitation_revoke(invitation=invitation, actor=Actor.for_user(owner))
    assert refusal.value.message == errors.INVITATION_NOT_PENDING
    assert Invitation.objects.get().state == "revoked"


# Accepting while a revoke or a resend commits.


def while_reading_the_link(monkeypatch, change):
    """Run `change` right after the accept has read the link, before it locks the invitation:
    the moment a concurrent revoke or resend commits in production."""
    original = invitation_services.invitation_for_token

    def read_then_change(token):
        invitation = original(token)
        change(invitation)
        return invitation

    monkeypatch.setattr(invitation_services, "invitation_for_token", read_then_change)


def test_an_invitation_revoked_while_being_accepted_grants_nothing(
    invite, monkeypatch, account, invited
):
    invitation, token = invite(email="invitee@example.com", roles_=[roles.ADMINISTRATOR])
    while_reading_the_link(
        monkeypatch,
        lambda inv: Invitation.objects.filter(pk=inv.pk).update(revoked_at=timezone.now()),
    )

    with pytest.raises(errors.InvitationError) as refusal:
        invitation_services.invitation_accept(
            token=token, user=invited, actor=Actor.for_user(invited)
        )

    assert refusal.value.message == errors.INVITATION_REVOKED
    assert not AccountMembership.objects.filter(account=account, user=invited).exists()


def test_an_old_link_resent_while_being_accepted_grants_nothing(
    invite, monkeypatch, account, invited
):
    invitation, old_token = invite(email="invitee@example.com", roles_=[roles.ADMINISTRATOR])
    while_reading_the_link(
        monkeypatch,
        lambda inv: invitation_services.invitation_resend(
            invitation=inv, actor=Actor.for_user(account.owner), base_url=BASE
        ),
    )

    with pytest.raises(errors.InvitationError) as refusal:
        invitation_services.invitation_accept(
            token=old_token, user=invited, actor=Actor.for_user(invited)
        )

    assert refusal.value.message == errors.INVITATION_INVALID
    assert not AccountMembership.objects.filter(account=account, user=invited).exists()


def test_an_invitation_that_expired_while_being_accepted_grants_nothing(
    invite, monkeypatch, account, invited
):
    invitation, token = invite(email="invitee@example.com", roles_=[roles.ADMINISTRATOR])
    while_reading_the_link(
        monkeypatch,
        lambda inv: Invitation.objects.filter(pk=inv.pk).update(expires_at=timezone.now()),
    )

    with pytest.raises(errors.InvitationError) as refusal:
        invitation_services.invitation_accept(
            token=token, user=invited, actor=Actor.for_user(invited)
        )

    assert refusal.value.message == errors.INVITATION_EXPIRED
    assert not AccountMembership.objects.filter(account=account, user=invited).exists()


def test_a_pending_invitation_is_still_accepted(invite, account, invited):
    invitation, token = invite(email="invitee@example.com", roles_=[roles.ADMINISTRATOR])

    invitation_services.invitation_accept(token=token, user=invited, actor=Actor.for_user(invited))

    assert AccountMembership.objects.get(account=account, user=invited).role == roles.ADMINISTRATOR
    with pytest.raises(errors.InvitationError) as refusal:
        invitation_services.invitation_accept(
            token=token, user=invited, actor=Actor.for_user(invited)
        )
    assert refusal.value.message == errors.INVITATION_USED
