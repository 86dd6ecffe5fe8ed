"""Roles on accounts, invitations and ownership transfer: the service rules."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from accounts import errors, roles
from accounts.models import AccountMembership, Invitation
from accounts.selectors import accounts as account_selectors
from accounts.services import accounts as account_services
from accounts.services import invitations as invitation_services
from accounts.services import memberships as membership_services
from accounts.services.events import Actor

BASE = "http://testserver/"


def token_from(message):
    return re.search(r"/invitations/([^/\s]+)/", message.body).group(1)


@pytest.fixture
def invite(account, django_capture_on_commit_callbacks):
    def invite(email="new.person@example.com", roles_=(roles.DEVELOPER,), target=None):
        with django_capture_on_commit_callbacks(execute=True):
            invitation = invitation_services.invitation_create(
                account=target or account,
                email=email,
                roles_=roles_,
                actor=Actor.for_user(account.owner),
                base_url=BASE,
            )
        return invitation, token_from(mail.outbox[-1])

    return invite


@pytest.mark.parametrize(
    ("chosen", "message"),
    [
        ([], errors.ROLES_REQUIRED),
        ([roles.OWNER], errors.OWNER_ROLE_NOT_ASSIGNABLE),
        ([roles.ADMINISTRATOR, roles.DEVELOPER], "Administrator cannot be combined"),
        (["wizard"], "Unknown role"),
    ],
)
def test_roles_clean_refuses_bad_combinations(chosen, message):
    with pytest.raises(errors.PeopleError) as refusal:
        membership_services.roles_clean(chosen)
    assert message in refusal.value.message


def test_developer_billing_and_support_combine():
    chosen = [roles.SUPPORT, roles.DEVELOPER, roles.BILLING_MANAGER]
    assert membership_services.roles_clean(chosen) == sorted(chosen)


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
    new_token = token_from(mail.outbox[-1])
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


@pytest.mark.django_db
def test_roles_can_be_changed_and_users_removed_but_never_the_owner(account, make_user):
    member = make_user()
    AccountMembership.objects.create(account=account, user=member, role=roles.DEVELOPER)
    membership_services.account_member_roles_set(
        account=account,
        user=member,
        roles_=[roles.ADMINISTRATOR],
        actor=Actor.for_user(account.owner),
    )
    assert account_selectors.account_roles_for_user(user=member, account=account) == {
        roles.ADMINISTRATOR
    }
    with pytest.raises(errors.PeopleError) as refusal:
        membership_services.account_member_roles_set(
            account=account,
            user=account.owner,
            roles_=[roles.SUPPORT],
            actor=Actor.for_user(member),
        )
    assert refusal.value.message == errors.OWNER_CANNOT_BE_CHANGED
    with pytest.raises(errors.PeopleError):
        membership_services.account_member_remove(
            account=account, user=account.owner, actor=Actor.for_user(member)
        )
    membership_services.account_member_remove(
        account=account, user=member, actor=Actor.for_user(account.owner)
    )
    assert account_selectors.account_roles_for_user(user=member, account=account) == set()
    member.refresh_from_db()
    assert member.is_active  # the login survives


@pytest.mark.django_db
def test_ownership_transfer(account, make_user, make_subaccount):
    sub = make_subaccount(account)
    member = make_user()
    old_owner = account.owner
    AccountMembership.objects.create(account=account, user=member, role=roles.DEVELOPER)
    membership_services.account_ownership_transfer(
        account=account, new_owner=member, actor=Actor.for_user(old_owner)
    )
    account.refresh_from_db()
    sub.refresh_from_db()
    assert account.owner == member and sub.owner == member
    assert account_selectors.account_roles_for_user(user=member, account=account) == {roles.OWNER}
    assert account_selectors.account_roles_for_user(user=old_owner, account=account) == {
        roles.ADMINISTRATOR
    }


@pytest.mark.django_db
def test_only_the_owner_transfers_and_only_to_a_member(account, make_user, make_subaccount):
    admin = make_user()
    stranger = make_user()
    AccountMembership.objects.create(account=account, user=admin, role=roles.ADMINISTRATOR)
    with pytest.raises(errors.NotPermitted):
        membership_services.account_ownership_transfer(
            account=account, new_owner=admin, actor=Actor.for_user(admin)
        )
    with pytest.raises(errors.PeopleError) as refusal:
        membership_services.account_ownership_transfer(
            account=account, new_owner=stranger, actor=Actor.for_user(account.owner)
        )
    assert refusal.value.message == errors.TRANSFER_TO_MEMBER_ONLY
    with pytest.raises(errors.PeopleError):
        membership_services.account_ownership_transfer(
            account=make_subaccount(account), new_owner=admin, actor=Actor.for_user(account.owner)
        )
    account.refresh_from_db()
    assert account.memberships.filter(role=roles.OWNER).get().user == account.owner


@pytest.mark.django_db
def test_a_role_on_one_subaccount_only(account, make_subaccount, make_user):
    sub = make_subaccount(account)
    sibling = make_subaccount(account)
    member = make_user()
    AccountMembership.objects.create(account=sub, user=member, role=roles.DEVELOPER)
    reachable = set(
        account_selectors.account_list_for_user(user=member).values_list("pk", flat=True)
    )
    assert reachable == {sub.pk}
    assert sibling.pk not in reachable and account.pk not in reachable


@pytest.mark.django_db
def test_a_closed_accounts_users_and_roles_are_read_only(account, make_user, user):
    member = make_user()
    AccountMembership.objects.create(account=account, user=member, role=roles.DEVELOPER)
    account_services.account_close(account=account, actor=Actor.for_user(user))
    attempts = [
        lambda: invitation_services.invitation_create(
            account=account,
            email="late@example.com",
            roles_=[roles.SUPPORT],
            actor=Actor.for_user(user),
            base_url=BASE,
        ),
        lambda: membership_services.account_member_roles_set(
            account=account, user=member, roles_=[roles.SUPPORT], actor=Actor.for_user(user)
        ),
        lambda: membership_services.account_member_remove(
            account=account, user=member, actor=Actor.for_user(user)
        ),
        lambda: membership_services.account_ownership_transfer(
            account=account, new_owner=member, actor=Actor.for_user(user)
        ),
    ]
    for attempt in attempts:
        with pytest.raises(errors.AccountClosed):
            attempt()
    assert account_selectors.account_roles_for_user(user=member, account=account) == {
        roles.DEVELOPER
    }
    assert not Invitation.objects.exists()
