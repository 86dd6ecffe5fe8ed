"""Which accounts a user reaches, and with which roles: their own memberships, a role on one
subaccount only, and an organization's administrators."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

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


@pytest.mark.django_db
def test_one_account_is_reached_exactly_as_the_list_reaches_it(
    org, owner, admin, member, make_user, make_account, make_subaccount, make_member
):
    """`account_get_for_user` (what every console page asks, by primary keys) reaches exactly
    the accounts `reachable_by` lists: owners, members of the account, members and owners of
    its parent, an organization's owner and administrators; never a subaccount user's parent
    or siblings, nor a plain organization member, nor a stranger."""
    personal_owner = make_user()
    personal = make_account(owner=personal_owner)
    personal_sub, personal_sibling = make_subaccount(personal), make_subaccount(personal)
    org_account = organization_services.organization_account_create(
        organization=org, friendly_name="Org account", actor=Actor.for_user(owner)
    )
    org_sub = make_subaccount(org_account)
    parent_member = make_member(personal, roles.DEVELOPER)
    sub_member = make_member(personal_sub, roles.SUPPORT)
    both = make_member(personal_sub, roles.DEVELOPER, user=make_member(org_sub, roles.SUPPORT))
    stranger = make_user()
    accounts = [personal, personal_sub, personal_sibling, org_account, org_sub]
    users = [personal_owner, owner, admin, member, parent_member, sub_member, both, stranger]
    for user in users:
        listed = set(Account.objects.reachable_by(user).values_list("pk", flat=True))
        for account in accounts:
            try:
                reached = account_selectors.account_get_for_user(user=user, sid=account.sid)
            except Http404:
                reached = None
            assert (reached is not None) == (account.pk in listed), (user.email, account)
            if reached is not None:
                assert reached.pk == account.pk
    # What the list says, spelled out for the cases that matter most.
    assert set(Account.objects.reachable_by(sub_member)) == {personal_sub}
    assert set(Account.objects.reachable_by(parent_member)) == {
        personal,
        personal_sub,
        personal_sibling,
    }
    assert set(Account.objects.reachable_by(admin)) == {org_account, org_sub}
    assert set(Account.objects.reachable_by(member)) == set()


@pytest.mark.django_db
def test_a_page_asks_for_one_account_with_primary_key_lookups(
    account, make_subaccount, make_member, django_assert_max_num_queries
):
    sub = make_subaccount(account)
    member = make_member(sub, roles.DEVELOPER)
    # No subquery over every membership or every account: the SID (and for a subaccount its
    # parent's primary key), then the user's roles.
    with django_assert_max_num_queries(3) as queries:
        found, held, scopes, reaches_parent = account_selectors.account_with_access_for_user(
            user=member, sid=sub.sid
        )
    assert found == sub and held == {roles.DEVELOPER} and not reaches_parent
    assert found.parent == account
    assert all(" IN (SELECT" not in query["sql"] for query in queries.captured_queries)
    with django_assert_max_num_queries(2):
        found, held, _, _ = account_selectors.account_with_access_for_user(
            user=account.owner, sid=account.sid
        )
    assert found == account and held == {roles.OWNER}
    with pytest.raises(Http404):
        account_selectors.account_with_access_for_user(user=member, sid=account.sid)


@pytest.mark.django_db
def test_signed_out_and_malformed_sids_reach_nothing(account):
    for user, sid in ((AnonymousUser(), account.sid), (account.owner, "AC" + "z" * 32)):
        with pytest.raises(Http404):
            account_selectors.account_get_for_user(user=user, sid=sid)
