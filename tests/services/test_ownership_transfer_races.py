"""Handing an account to a new owner: their account limit holds, also under parallel
transfers, and a member cannot leave the organization while an account is being handed to
them."""

import pytest

from accounts import errors, roles
from accounts.models import Account, AccountMembership, OrganizationMembership
from accounts.services import accounts as account_services
from accounts.services import memberships as membership_services
from accounts.services import organizations as organization_services
from accounts.services.events import Actor
from tests.locks import lock_held, start, wait_until_blocked
from tests.races import run_at_once, split


def _administrator_of(account, user):
    AccountMembership.objects.create(account=account, user=user, role=roles.ADMINISTRATOR)


def _transfer(account, new_owner):
    return membership_services.account_ownership_transfer(
        account=account, new_owner=new_owner, actor=Actor.for_user(account.owner)
    )


def _owned(user):
    return Account.objects.top_level().open().filter(owner=user, organization__isnull=True)


@pytest.mark.django_db
def test_a_transfer_to_someone_at_their_account_limit_is_refused(make_account, make_user):
    new_owner = make_user(email="full@example.com", account_limit=1)
    make_account(owner=new_owner, friendly_name="Their own")
    account = make_account(friendly_name="Handed over")
    _administrator_of(account, new_owner)

    with pytest.raises(errors.AccountLimitReached) as refusal:
        _transfer(account, new_owner)

    assert refusal.value.message == errors.TRANSFER_OWNER_ACCOUNT_LIMIT.format(
        email="full@example.com", limit=1
    )
    account.refresh_from_db()
    assert account.owner != new_owner
    assert _owned(new_owner).count() == 1


@pytest.mark.django_db
def test_closed_accounts_do_not_count_against_the_new_owners_limit(make_account, make_user):
    new_owner = make_user(account_limit=1)
    theirs = make_account(owner=new_owner, friendly_name="Their own")
    account_services.account_close(account=theirs, actor=Actor.for_user(new_owner))
    account = make_account(friendly_name="Handed over")
    _administrator_of(account, new_owner)

    _transfer(account, new_owner)

    account.refresh_from_db()
    assert account.owner == new_owner


@pytest.mark.django_db
def test_an_organizations_account_counts_against_the_organization_not_the_new_owner(
    make_user, make_account, org, owner, join
):
    new_owner = make_user(account_limit=1)
    make_account(owner=new_owner, friendly_name="Their own")
    join(new_owner)
    account = organization_services.organization_account_create(
        organization=org, friendly_name="Org account", actor=Actor.for_user(owner)
    )
    _administrator_of(account, new_owner)

    _transfer(account, new_owner)

    account.refresh_from_db()
    assert account.owner == new_owner


@pytest.mark.django_db(transaction=True)
@pytest.mark.postgres
def test_parallel_transfers_to_one_person_respect_their_account_limit(
    postgres_only, make_account, make_user
):
    new_owner = make_user(account_limit=2)
    accounts = [make_account(friendly_name=f"Handed over {n}") for n in range(8)]
    for account in accounts:
        _administrator_of(account, new_owner)

    outcomes = run_at_once(*[lambda a=a: _transfer(a, new_owner) for a in accounts])

    transferred, refused = split(outcomes, errors.AccountLimitReached)
    assert (len(transferred), len(refused)) == (2, 6)
    assert _owned(new_owner).count() == 2


@pytest.mark.django_db(transaction=True)
@pytest.mark.postgres
def test_a_member_cannot_leave_while_an_account_is_being_handed_to_them(
    postgres_only, make_user, org, owner, join
):
    member = make_user(email="leaving@example.com")
    join(member)
    account = organization_services.organization_account_create(
        organization=org, friendly_name="Org account", actor=Actor.for_user(owner)
    )
    _administrator_of(account, member)
    old_owners_role = AccountMembership.objects.get(account=account, user=owner)

    # The transfer has checked that the new owner is a member and waits (on the old owner's
    # role, which it replaces); the member asks to leave meanwhile.
    with lock_held(
        "SELECT 1 FROM accounts_accountmembership WHERE id = %s FOR UPDATE", [old_owners_role.pk]
    ):
        transfer = start(lambda: _transfer(account, member))
        wait_until_blocked(1)
        leaving = start(
            lambda: organization_services.organization_leave(
                organization=org, user=member, actor=Actor.for_user(member)
            )
        )
        wait_until_blocked(2, unless_finished=leaving)
    transferred, left = transfer.outcome(), leaving.outcome()

    assert isinstance(transferred, Account), transferred
    assert isinstance(left, errors.PeopleError), left
    assert left.message == errors.MEMBER_OWNS_ACCOUNTS.format(email=member.email, count=1)
    account.refresh_from_db()
    assert account.owner == member
    assert OrganizationMembership.objects.filter(organization=org, user=member).exists()
