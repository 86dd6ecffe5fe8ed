"""Roles on accounts: which roles combine, changing and removing them (never the owner's), and
handing ownership to another member."""

import pytest

from accounts import errors, roles
from accounts.models import AccountMembership, Invitation
from accounts.selectors import accounts as account_selectors
from accounts.services import accounts as account_services
from accounts.services import invitations as invitation_services
from accounts.services import memberships as membership_services
from accounts.services import organizations as organization_services
from accounts.services.events import Actor

BASE = "http://testserver/"


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
def test_roles_can_be_changed_and_users_removed_but_never_the_owner(account, make_member):
    member = make_member(account, roles.DEVELOPER)
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
def test_a_closed_accounts_users_and_roles_are_read_only(account, make_member, user):
    member = make_member(account, roles.DEVELOPER)
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


@pytest.mark.django_db
def test_an_organization_account_is_owned_by_a_member_of_the_organization(
    org, owner, member, make_user
):
    account = organization_services.organization_account_create(
        organization=org, friendly_name="Org account", actor=Actor.for_user(owner)
    )
    outsider = make_user()
    for user in (outsider, member):
        AccountMembership.objects.create(account=account, user=user, role=roles.DEVELOPER)
    with pytest.raises(errors.PeopleError) as refusal:
        membership_services.account_ownership_transfer(
            account=account, new_owner=outsider, actor=Actor.for_user(owner)
        )
    assert refusal.value.message == errors.TRANSFER_TO_ORGANIZATION_MEMBER_ONLY
    membership_services.account_ownership_transfer(
        account=account, new_owner=member, actor=Actor.for_user(owner)
    )
    account.refresh_from_db()
    assert account.owner == member
