"""Audit: an invitation link works once, for its own address, and only while it is pending,
even when a revoke or a resend lands between reading the link and accepting it."""

import pytest
from django.utils import timezone

from accounts import errors, roles
from accounts.models import AccountMembership, Invitation
from accounts.services import invitations as invitation_services
from accounts.services.events import Actor

pytestmark = pytest.mark.django_db


@pytest.fixture
def invited(make_user):
    return make_user(email="invitee@example.com")


def invite(account):
    """An invitation and a token of its link (the emailed one is not kept anywhere)."""
    invitation = invitation_services.invitation_create(
        email="invitee@example.com",
        actor=Actor.for_user(account.owner),
        base_url="http://testserver/",
        account=account,
        roles_=[roles.ADMINISTRATOR],
    )
    token = invitation_services._issue_token(invitation)
    invitation.save(update_fields=["token_hash", "date_sent", "expires_at"])
    return invitation, token


def while_reading_the_link(monkeypatch, change):
    """Run `change` right after the accept has read the link, before it locks the invitation:
    the moment a concurrent revoke or resend commits in production."""
    original = invitation_services.invitation_for_token

    def read_then_change(token):
        invitation = original(token)
        change(invitation)
        return invitation

    monkeypatch.setattr(invitation_services, "invitation_for_token", read_then_change)


def test_an_invitation_revoked_while_being_accepted_grants_nothing(monkeypatch, account, invited):
    invitation, token = invite(account)
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


def test_an_old_link_resent_while_being_accepted_grants_nothing(monkeypatch, account, invited):
    invitation, old_token = invite(account)
    while_reading_the_link(
        monkeypatch,
        lambda inv: invitation_services.invitation_resend(
            invitation=inv, actor=Actor.for_user(account.owner), base_url="http://testserver/"
        ),
    )

    with pytest.raises(errors.InvitationError) as refusal:
        invitation_services.invitation_accept(
            token=old_token, user=invited, actor=Actor.for_user(invited)
        )

    assert refusal.value.message == errors.INVITATION_INVALID
    assert not AccountMembership.objects.filter(account=account, user=invited).exists()


def test_an_invitation_that_expired_while_being_accepted_grants_nothing(
    monkeypatch, account, invited
):
    invitation, token = invite(account)
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


def test_a_pending_invitation_is_still_accepted(account, invited):
    invitation, token = invite(account)

    invitation_services.invitation_accept(token=token, user=invited, actor=Actor.for_user(invited))

    assert AccountMembership.objects.get(account=account, user=invited).role == roles.ADMINISTRATOR
    with pytest.raises(errors.InvitationError) as refusal:
        invitation_services.invitation_accept(
            token=token, user=invited, actor=Actor.for_user(invited)
        )
    assert refusal.value.message == errors.INVITATION_USED
