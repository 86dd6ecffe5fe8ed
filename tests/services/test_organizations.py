"""Organizations: the service rules (owner, administrators, members, accounts created in or
imported into an organization, its account limit, under concurrent requests too)."""

import pytest

from accounts import errors, roles
from accounts.models import (
    Account,
    Organization,
    OrganizationMembership,
)
from accounts.selectors import accounts as account_selectors
from accounts.services import accounts as account_services
from accounts.services import organizations as organization_services
from accounts.services import trials as trial_services
from accounts.services.events import Actor
from tests.history import status_changes
from tests.races import run_at_once, split
from tests.support import role_of

OrgRole = OrganizationMembership.Role


def org_accounts_in_use(organization):
    return Account.objects.top_level().open().filter(organization=organization).count()


# --- Creating an organization ------------------------------------------------------------------


@pytest.mark.django_db
def test_the_creator_becomes_the_single_organization_owner(owner):
    organization = organization_services.organization_create(
        name="  Widgets Inc  ", owner=owner, actor=Actor.for_user(owner)
    )
    assert organization.name == "Widgets Inc"
    assert organization.sid.startswith("OR") and len(organization.sid) == 34
    assert organization.account_limit == 10
    membership = OrganizationMembership.objects.get(organization=organization)
    assert (membership.user, membership.role) == (owner, OrgRole.OWNER)


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["", "   ", None])
def test_an_organization_needs_a_name(owner, name):
    with pytest.raises(errors.PeopleError) as refusal:
        organization_services.organization_create(
            name=name, owner=owner, actor=Actor.for_user(owner)
        )
    assert refusal.value.message == errors.ORGANIZATION_NAME_REQUIRED
    assert not Organization.objects.exists()


# --- Change of owner -------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_owner_hands_over_to_a_member_and_becomes_administrator(org, owner, member):
    organization_services.organization_ownership_transfer(
        organization=org, new_owner=member, actor=Actor.for_user(owner)
    )
    assert role_of(org, member) == OrgRole.OWNER
    assert role_of(org, owner) == OrgRole.ADMINISTRATOR
    assert org.memberships.filter(role=OrgRole.OWNER).count() == 1


@pytest.mark.django_db
def test_an_administrator_can_be_made_owner_too(org, owner, admin):
    organization_services.organization_ownership_transfer(
        organization=org, new_owner=admin, actor=Actor.for_user(owner)
    )
    assert role_of(org, admin) == OrgRole.OWNER
    assert role_of(org, owner) == OrgRole.ADMINISTRATOR


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["admin", "member"])
def test_only_the_owner_may_change_the_owner(org, admin, member, who):
    acting = admin if who == "admin" else member
    with pytest.raises(errors.NotPermitted) as refusal:
        organization_services.organization_ownership_transfer(
            organization=org, new_owner=acting, actor=Actor.for_user(acting)
        )
    assert refusal.value.message == errors.ORGANIZATION_OWNER_ONLY
    assert refusal.value.code == 20403
    assert role_of(org, acting) != OrgRole.OWNER


@pytest.mark.django_db
def test_a_former_owner_can_no_longer_change_the_owner(org, owner, admin, member):
    organization_services.organization_ownership_transfer(
        organization=org, new_owner=admin, actor=Actor.for_user(owner)
    )
    with pytest.raises(errors.NotPermitted):
        organization_services.organization_ownership_transfer(
            organization=org, new_owner=member, actor=Actor.for_user(owner)
        )


@pytest.mark.django_db
def test_ownership_goes_only_to_an_existing_member(org, owner, make_user, join):
    outsider = make_user()
    with pytest.raises(errors.PeopleError) as refusal:
        organization_services.organization_ownership_transfer(
            organization=org, new_owner=outsider, actor=Actor.for_user(owner)
        )
    assert refusal.value.message == errors.ORGANIZATION_TRANSFER_TO_MEMBER_ONLY
    # A member of another organization is still an outsider here.
    other = organization_services.organization_create(
        name="Other", owner=(founder := make_user()), actor=Actor.for_user(founder)
    )
    join(outsider, organization=other)
    with pytest.raises(errors.PeopleError):
        organization_services.organization_ownership_transfer(
            organization=org, new_owner=outsider, actor=Actor.for_user(owner)
        )
    assert role_of(org, owner) == OrgRole.OWNER


@pytest.mark.django_db
def test_handing_over_to_oneself_changes_nothing(org, owner):
    organization_services.organization_ownership_transfer(
        organization=org, new_owner=owner, actor=Actor.for_user(owner)
    )
    assert role_of(org, owner) == OrgRole.OWNER


# --- Roles and removal ---------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("acting", ["owner", "admin"])
def test_owner_and_administrators_change_roles_and_remove_members(
    org, owner, admin, member, make_user, join, acting
):
    acting_user = owner if acting == "owner" else admin
    organization_services.organization_member_role_set(
        organization=org, user=member, role=OrgRole.ADMINISTRATOR, actor=Actor.for_user(acting_user)
    )
    assert role_of(org, member) == OrgRole.ADMINISTRATOR
    organization_services.organization_member_role_set(
        organization=org, user=member, role=OrgRole.MEMBER, actor=Actor.for_user(acting_user)
    )
    assert role_of(org, member) == OrgRole.MEMBER
    organization_services.organization_member_remove(
        organization=org, user=member, actor=Actor.for_user(acting_user)
    )
    assert role_of(org, member) is None
    assert member.__class__.objects.filter(pk=member.pk).exists()  # the login stays


@pytest.mark.django_db
def test_plain_members_cannot_change_roles_or_remove(org, admin, member):
    with pytest.raises(errors.NotPermitted) as refusal:
        organization_services.organization_member_role_set(
            organization=org, user=admin, role=OrgRole.MEMBER, actor=Actor.for_user(member)
        )
    assert refusal.value.message == errors.ORGANIZATION_ADMIN_ONLY
    with pytest.raises(errors.NotPermitted):
        organization_services.organization_member_remove(
            organization=org, user=admin, actor=Actor.for_user(member)
        )
    assert role_of(org, admin) == OrgRole.ADMINISTRATOR


@pytest.mark.django_db
def test_outsiders_cannot_change_roles(org, member, make_user):
    with pytest.raises(errors.NotPermitted):
        organization_services.organization_member_role_set(
            organization=org,
            user=member,
            role=OrgRole.ADMINISTRATOR,
            actor=Actor.for_user(make_user()),
        )


@pytest.mark.django_db
@pytest.mark.parametrize("acting", ["owner", "admin"])
def test_the_owner_can_be_neither_demoted_nor_removed(org, owner, admin, acting):
    acting_user = owner if acting == "owner" else admin
    for role in (OrgRole.ADMINISTRATOR, OrgRole.MEMBER):
        with pytest.raises(errors.PeopleError) as refusal:
            organization_services.organization_member_role_set(
                organization=org, user=owner, role=role, actor=Actor.for_user(acting_user)
            )
        assert refusal.value.message == errors.ORGANIZATION_OWNER_CANNOT_BE_REMOVED
    with pytest.raises(errors.PeopleError) as refusal:
        organization_services.organization_member_remove(
            organization=org, user=owner, actor=Actor.for_user(acting_user)
        )
    assert refusal.value.message == errors.ORGANIZATION_OWNER_CANNOT_BE_REMOVED
    assert role_of(org, owner) == OrgRole.OWNER


@pytest.mark.django_db
def test_the_owner_role_is_not_given_by_a_role_change(org, owner, member):
    with pytest.raises(errors.PeopleError) as refusal:
        organization_services.organization_member_role_set(
            organization=org, user=member, role=OrgRole.OWNER, actor=Actor.for_user(owner)
        )
    assert refusal.value.message == errors.ROLE_UNKNOWN.format(role="owner")
    assert role_of(org, owner) == OrgRole.OWNER and role_of(org, member) == OrgRole.MEMBER


@pytest.mark.django_db
def test_roles_and_removal_need_a_member(org, owner, make_user):
    stranger = make_user(email="stranger@example.com")
    for call in (
        lambda: organization_services.organization_member_role_set(
            organization=org, user=stranger, role=OrgRole.MEMBER, actor=Actor.for_user(owner)
        ),
        lambda: organization_services.organization_member_remove(
            organization=org, user=stranger, actor=Actor.for_user(owner)
        ),
    ):
        with pytest.raises(errors.PeopleError) as refusal:
            call()
        assert refusal.value.message == errors.NOT_A_MEMBER.format(email=stranger.email)


@pytest.mark.django_db
def test_a_member_who_owns_organization_accounts_cannot_be_removed(org, owner, admin):
    organization_services.organization_account_create(
        organization=org, friendly_name="Admin's", actor=Actor.for_user(admin)
    )
    with pytest.raises(errors.PeopleError) as refusal:
        organization_services.organization_member_remove(
            organization=org, user=admin, actor=Actor.for_user(owner)
        )
    assert refusal.value.message == errors.MEMBER_OWNS_ACCOUNTS.format(email=admin.email, count=1)
    assert OrganizationMembership.objects.filter(organization=org, user=admin).exists()


# --- Creating accounts in the organization ----------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("acting", ["owner", "admin"])
def test_owner_and_administrators_create_accounts_in_the_organization(org, owner, admin, acting):
    acting_user = owner if acting == "owner" else admin
    account = organization_services.organization_account_create(
        organization=org, friendly_name="  New project ", actor=Actor.for_user(acting_user)
    )
    assert account.organization == org and account.owner == acting_user
    assert account.friendly_name == "New project" and account.type == "Trial"
    assert account.memberships.get().role == roles.OWNER
    assert status_changes(account)[0].reason == "Account created"


@pytest.mark.django_db
def test_members_cannot_create_accounts_in_the_organization(org, member, make_user):
    for acting_user in (member, make_user()):
        with pytest.raises(errors.NotPermitted) as refusal:
            organization_services.organization_account_create(
                organization=org, friendly_name="Nope", actor=Actor.for_user(acting_user)
            )
        assert refusal.value.message == errors.ORGANIZATION_ADMIN_ONLY
    assert not Account.objects.exists()


@pytest.mark.django_db
def test_creating_in_the_organization_checks_the_friendly_name(org, owner):
    with pytest.raises(errors.InvalidFriendlyName) as refusal:
        organization_services.organization_account_create(
            organization=org, friendly_name=" ", actor=Actor.for_user(owner)
        )
    assert refusal.value.message == errors.FRIENDLY_NAME_REQUIRED


@pytest.mark.django_db
def test_creating_in_the_organization_stops_at_its_limit(org, owner, admin):
    org.account_limit = 3
    org.save()
    for n in range(3):
        organization_services.organization_account_create(
            organization=org, friendly_name=f"Project {n}", actor=Actor.for_user(admin)
        )
    with pytest.raises(errors.AccountLimitReached) as refusal:
        organization_services.organization_account_create(
            organization=org, friendly_name="One too many", actor=Actor.for_user(owner)
        )
    assert refusal.value.code == 25102
    assert refusal.value.message == errors.ORGANIZATION_ACCOUNT_LIMIT_REACHED.format(limit=3)
    assert refusal.value.message.startswith("The organization's account limit has been reached")
    assert org_accounts_in_use(org) == 3


@pytest.mark.django_db
def test_the_default_organization_limit_is_ten_and_a_raised_limit_lets_more_in(org, owner):
    for n in range(10):
        organization_services.organization_account_create(
            organization=org, friendly_name=f"Project {n}", actor=Actor.for_user(owner)
        )
    with pytest.raises(errors.AccountLimitReached) as refusal:
        organization_services.organization_account_create(
            organization=org, friendly_name="Eleventh", actor=Actor.for_user(owner)
        )
    assert "(10 accounts)" in refusal.value.message
    Organization.objects.filter(pk=org.pk).update(account_limit=12)
    for name in ("Eleventh", "Twelfth"):
        organization_services.organization_account_create(
            organization=org, friendly_name=name, actor=Actor.for_user(owner)
        )
    with pytest.raises(errors.AccountLimitReached):
        organization_services.organization_account_create(
            organization=org, friendly_name="Thirteenth", actor=Actor.for_user(owner)
        )
    assert org_accounts_in_use(org) == 12


@pytest.mark.django_db
def test_closed_accounts_and_subaccounts_do_not_count_against_the_organization(
    org, owner, make_subaccount
):
    org.account_limit = 2
    org.save()
    first = organization_services.organization_account_create(
        organization=org, friendly_name="First", actor=Actor.for_user(owner)
    )
    trial_services.account_upgrade(account=first, actor=Actor.system())  # more than one sub
    make_subaccount(first)
    make_subaccount(first)
    second = organization_services.organization_account_create(
        organization=org, friendly_name="Second", actor=Actor.for_user(owner)
    )
    account_services.account_close(account=second, actor=Actor.for_user(owner))
    organization_services.organization_account_create(
        organization=org, friendly_name="Third", actor=Actor.for_user(owner)
    )
    assert org_accounts_in_use(org) == 2


@pytest.mark.django_db
def test_organization_accounts_do_not_count_against_the_personal_limit(org, owner, make_account):
    owner.account_limit = 1
    owner.save()
    make_account(owner=owner, friendly_name="Personal")
    with pytest.raises(errors.AccountLimitReached) as refusal:
        account_services.account_create(
            owner=owner, friendly_name="Second personal", actor=Actor.for_user(owner)
        )
    assert refusal.value.message == errors.ACCOUNT_LIMIT_REACHED.format(limit=1)
    # The organization has room: its limit applies, not the owner's.
    organization_services.organization_account_create(
        organization=org, friendly_name="In org", actor=Actor.for_user(owner)
    )
    assert account_selectors.owned_account_count(owner=owner) == 1


# --- Importing an account ----------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("role", [OrgRole.OWNER, OrgRole.ADMINISTRATOR])
def test_an_account_owner_who_administers_the_organization_imports_it_with_its_subaccounts(
    org, owner, admin, make_account, make_subaccount, role
):
    acting_user = owner if role == OrgRole.OWNER else admin
    account = make_account(owner=acting_user, friendly_name="Personal")
    subs = [make_subaccount(account, f"Sub {n}") for n in range(2)]
    imported = organization_services.organization_account_import(
        organization=org, account=account, actor=Actor.for_user(acting_user)
    )
    assert imported.organization == org
    for sub in subs:
        sub.refresh_from_db()
        assert sub.organization == org
    # A subaccount created after the move is in the organization too.
    assert make_subaccount(account, "Later").organization_id == org.pk
    assert account.owner == acting_user  # the owner stays


@pytest.mark.django_db
def test_an_imported_account_moves_from_the_personal_to_the_organization_limit(
    org, owner, make_account
):
    owner.account_limit = 1
    owner.save()
    account = make_account(owner=owner, friendly_name="Personal")
    assert account_selectors.owned_account_count(owner=owner) == 1
    organization_services.organization_account_import(
        organization=org, account=account, actor=Actor.for_user(owner)
    )
    assert account_selectors.owned_account_count(owner=owner) == 0
    assert org_accounts_in_use(org) == 1
    # The personal limit has room again.
    account_services.account_create(
        owner=owner, friendly_name="New personal", actor=Actor.for_user(owner)
    )


@pytest.mark.django_db
def test_import_needs_an_organization_owner_or_administrator(org, member, make_account):
    account = make_account(owner=member)
    with pytest.raises(errors.NotPermitted) as refusal:
        organization_services.organization_account_import(
            organization=org, account=account, actor=Actor.for_user(member)
        )
    assert refusal.value.message == errors.ORGANIZATION_ADMIN_ONLY
    account.refresh_from_db()
    assert account.organization is None


@pytest.mark.django_db
def test_import_needs_the_accounts_owner(org, admin, make_account):
    # An organization administrator who is only Administrator of the account cannot move it.
    account = make_account(friendly_name="Someone else's")
    account.memberships.create(user=admin, role=roles.ADMINISTRATOR)
    with pytest.raises(errors.NotPermitted) as refusal:
        organization_services.organization_account_import(
            organization=org, account=account, actor=Actor.for_user(admin)
        )
    assert refusal.value.message == errors.IMPORT_NEEDS_ACCOUNT_OWNER
    account.refresh_from_db()
    assert account.organization is None


@pytest.mark.django_db
def test_a_subaccount_cannot_be_imported_on_its_own(org, owner, make_account, make_subaccount):
    sub = make_subaccount(make_account(owner=owner))
    with pytest.raises(errors.PeopleError) as refusal:
        organization_services.organization_account_import(
            organization=org, account=sub, actor=Actor.for_user(owner)
        )
    assert refusal.value.message == errors.IMPORT_MAIN_ACCOUNTS_ONLY


@pytest.mark.django_db
def test_an_account_already_in_an_organization_cannot_be_imported(org, owner, make_user):
    account = organization_services.organization_account_create(
        organization=org, friendly_name="In org", actor=Actor.for_user(owner)
    )
    other = organization_services.organization_create(
        name="Other", owner=owner, actor=Actor.for_user(owner)
    )
    for target in (org, other):
        with pytest.raises(errors.PeopleError) as refusal:
            organization_services.organization_account_import(
                organization=target, account=account, actor=Actor.for_user(owner)
            )
        assert refusal.value.message == errors.ACCOUNT_ALREADY_IN_ORGANIZATION
    account.refresh_from_db()
    assert account.organization == org


@pytest.mark.django_db
def test_a_closed_account_cannot_be_imported(org, owner, make_account):
    account = make_account(owner=owner)
    account_services.account_close(account=account, actor=Actor.for_user(owner))
    with pytest.raises(errors.AccountClosed):
        organization_services.organization_account_import(
            organization=org, account=account, actor=Actor.for_user(owner)
        )


@pytest.mark.django_db
def test_import_stops_at_the_organization_limit_and_a_raised_limit_lets_it_in(
    org, owner, make_account
):
    org.account_limit = 1
    org.save()
    organization_services.organization_account_create(
        organization=org, friendly_name="Only", actor=Actor.for_user(owner)
    )
    account = make_account(owner=owner, friendly_name="Personal")
    with pytest.raises(errors.AccountLimitReached) as refusal:
        organization_services.organization_account_import(
            organization=org, account=account, actor=Actor.for_user(owner)
        )
    assert refusal.value.code == 25102
    assert refusal.value.message == errors.ORGANIZATION_ACCOUNT_LIMIT_REACHED.format(limit=1)
    account.refresh_from_db()
    assert account.organization is None
    Organization.objects.filter(pk=org.pk).update(account_limit=2)
    organization_services.organization_account_import(
        organization=org, account=account, actor=Actor.for_user(owner)
    )
    account.refresh_from_db()
    assert account.organization_id == org.pk


# --- Races (PostgreSQL) ------------------------------------------------------------------------

THREADS = 20


@pytest.fixture
def org_three_below_its_limit(make_user):
    owner = make_user()
    organization = organization_services.organization_create(
        name="Racing", owner=owner, actor=Actor.for_user(owner)
    )
    for n in range(7):
        organization_services.organization_account_create(
            organization=organization, friendly_name=f"Existing {n}", actor=Actor.for_user(owner)
        )
    # Each thread acts as a different administrator, so that only the organization's row
    # lock (not the acting user's) keeps them apart.
    admins = [make_user() for _ in range(THREADS)]
    OrganizationMembership.objects.bulk_create(
        OrganizationMembership(organization=organization, user=a, role=OrgRole.ADMINISTRATOR)
        for a in admins
    )
    return organization, admins


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_organization_limit_holds_under_concurrent_creation(
    postgres_only, org_three_below_its_limit
):
    organization, admins = org_three_below_its_limit
    outcomes = run_at_once(
        *[
            lambda a=a, n=n: organization_services.organization_account_create(
                organization=organization, friendly_name=f"Race {n}", actor=Actor.for_user(a)
            )
            for n, a in enumerate(admins)
        ]
    )
    created, refused = split(outcomes, errors.AccountLimitReached)
    assert len(created) == 3
    assert len(refused) == THREADS - 3
    assert {r.message for r in refused} == {
        errors.ORGANIZATION_ACCOUNT_LIMIT_REACHED.format(limit=10)
    }
    assert org_accounts_in_use(organization) == 10


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_organization_limit_holds_when_creations_and_imports_race(
    postgres_only, org_three_below_its_limit
):
    organization, admins = org_three_below_its_limit
    personal = {
        a.pk: account_services.account_create(
            owner=a, friendly_name="Personal", actor=Actor.for_user(a)
        )
        for a in admins
    }
    tasks = []
    for n, a in enumerate(admins):
        if n % 2:
            tasks.append(
                lambda a=a: organization_services.organization_account_import(
                    organization=organization, account=personal[a.pk], actor=Actor.for_user(a)
                )
            )
        else:
            tasks.append(
                lambda a=a, n=n: organization_services.organization_account_create(
                    organization=organization, friendly_name=f"Race {n}", actor=Actor.for_user(a)
                )
            )
    created, refused = split(run_at_once(*tasks), errors.AccountLimitReached)
    assert len(created) == 3 and len(refused) == THREADS - 3
    assert org_accounts_in_use(organization) == 10
