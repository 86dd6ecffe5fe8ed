"""Which accounts a user reaches, and with which roles: their own memberships, a role on one
subaccount only, and an organization's administrators."""

import pytest

from accounts import roles
from accounts.models import Account
from accounts.selectors import accounts as account_selectors
from accounts.services import organizations as organization_services
from accounts.services.events import Actor


@pytest.mark.django_db
def test_a_role_on_one_subaccount_only(account, make_subaccount, make_member):
    sub = make_subaccount(account)
    sibling = make_subaccount(account)
    member = make_member(sub, roles.DEVELOPER)
    reachable = set(
        account_selectors.account_list_for_user(user=member).values_list("pk", flat=True)
    )
    assert reachable == {sub.pk}
    assert sibling.pk not in reachable and account.pk not in reachable


@pytest.mark.django_db
def test_organization_administrators_manage_every_account_in_it(
    org, owner, admin, member, make_subaccount
):
    account = organization_services.organization_account_create(
        organization=org, friendly_name="Org account", actor=Actor.for_user(owner)
    )
    sub = make_subaccount(account)
    assert sub.organization_id == org.pk
    for reached in (account, sub):
        assert account_selectors.account_roles_for_user(user=admin, account=reached) == {
            roles.ADMINISTRATOR
        }
        assert Account.objects.reachable_by(admin).filter(pk=reached.pk).exists()
        # A plain member reaches only the accounts they hold a role on.
        assert account_selectors.account_roles_for_user(user=member, account=reached) == set()
        assert not Account.objects.reachable_by(member).filter(pk=reached.pk).exists()
    assert account_selectors.account_roles_for_user(user=owner, account=account) == {roles.OWNER}


@pytest.mark.django_db
def test_a_removed_administrator_no_longer_reaches_the_accounts(org, owner, admin):
    account = organization_services.organization_account_create(
        organization=org, friendly_name="Org account", actor=Actor.for_user(owner)
    )
    organization_services.organization_member_remove(
        organization=org, user=admin, actor=Actor.for_user(owner)
    )
    assert not Account.objects.reachable_by(admin).filter(pk=account.pk).exists()
