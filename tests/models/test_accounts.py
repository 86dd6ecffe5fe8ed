import re
from decimal import Decimal

import pytest
from django.contrib.auth import authenticate
from django.db import IntegrityError, transaction

from accounts import roles
from accounts.models import (
    DEFAULT_ACCOUNT_LIMIT,
    DEFAULT_SUBACCOUNT_LIMIT,
    Account,
    AccountMembership,
    Organization,
    OrganizationMembership,
    User,
)
from accounts.services import accounts as account_services
from accounts.services.events import Actor
from tests.conftest import DEFAULT_PASSWORD

ACCOUNT_SID = re.compile(r"^AC[0-9a-f]{32}$")
ORGANIZATION_SID = re.compile(r"^OR[0-9a-f]{32}$")
AUTH_TOKEN = re.compile(r"^[0-9a-f]{32}$")

pytestmark = pytest.mark.django_db


# Users: email is the login, case-insensitively.


def test_email_is_the_login_and_stored_in_one_case(make_user):
    user = make_user(email="  Ada.Lovelace@Example.COM ", full_name="Ada Lovelace")

    assert User.USERNAME_FIELD == "email"
    assert user.email == "ada.lovelace@example.com"
    assert user.get_full_name() == "Ada Lovelace"
    assert user.get_short_name() == "Ada"


def test_user_without_full_name_is_named_by_email(make_user):
    user = make_user(email="grace@example.com")

    assert user.get_full_name() == "grace@example.com"
    assert user.get_short_name() == "grace@example.com"


def test_authenticate_ignores_the_case_of_the_email(make_user):
    user = make_user(email="mixed@example.com")

    assert authenticate(username="MIXED@Example.com", password=DEFAULT_PASSWORD) == user
    assert authenticate(email="Mixed@EXAMPLE.com", password=DEFAULT_PASSWORD) == user
    assert authenticate(username="MIXED@Example.com", password="wrong password") is None


def test_authenticate_finds_a_user_stored_in_mixed_case(db):
    # Rows written without the manager (fixtures, raw imports) still sign in.
    user = User(email="Stored@Example.com")
    user.set_password(DEFAULT_PASSWORD)
    user.save()

    assert authenticate(username="stored@example.com", password=DEFAULT_PASSWORD) == user


def test_sign_in_page_accepts_the_email_in_another_case(client, make_user):
    user = make_user(email="signin@example.com")

    response = client.post(
        "/signin/", {"username": "SignIn@Example.COM", "password": DEFAULT_PASSWORD}
    )

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_second_user_differing_only_in_case_is_refused_by_the_manager(make_user):
    make_user(email="twin@example.com")

    with pytest.raises(IntegrityError), transaction.atomic():
        make_user(email="TWIN@example.com")

    assert User.objects.filter(email__iexact="twin@example.com").count() == 1


def test_second_user_differing_only_in_case_is_refused_by_the_database(make_user):
    make_user(email="twin@example.com")

    # Bypassing the manager's normalization: the case-insensitive unique constraint holds.
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.bulk_create([User(email="Twin@Example.com", password="!")])


def test_model_validation_refuses_an_email_differing_only_in_case(make_user):
    from django.core.exceptions import ValidationError

    make_user(email="twin@example.com")
    duplicate = User(email="TWIN@EXAMPLE.COM", password="!")

    with pytest.raises(ValidationError):
        duplicate.full_clean()


def test_user_account_limit_defaults_to_ten(user):
    assert DEFAULT_ACCOUNT_LIMIT == 10
    assert user.account_limit == 10


def test_create_superuser_is_staff(db):
    admin = User.objects.create_superuser(email="Root@Example.com", password=DEFAULT_PASSWORD)

    assert admin.is_staff and admin.is_superuser
    assert admin.email == "root@example.com"


def test_create_user_requires_an_email(db):
    with pytest.raises(ValueError):
        User.objects.create_user(email="", password=DEFAULT_PASSWORD)


# Accounts.


def test_new_account_has_generated_sid_token_and_trial_type(account, user):
    assert ACCOUNT_SID.match(account.sid)
    assert AUTH_TOKEN.match(account.auth_token)
    assert account.type == Account.Type.TRIAL
    assert account.status == Account.Status.ACTIVE
    assert account.owner == user
    assert account.organization is None
    assert account.parent is None
    assert not account.is_subaccount


def test_sids_and_tokens_are_unique(make_account, user):
    user.account_limit = 50
    user.save()
    accounts = [make_account(owner=user) for _ in range(30)]

    assert len({a.sid for a in accounts}) == 30
    assert len({a.auth_token for a in accounts}) == 30


def test_database_refuses_a_duplicate_sid(account, make_user):
    duplicate = Account(friendly_name="Copy", owner=make_user(), sid=account.sid)

    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()


def test_sid_is_not_editable():
    assert not Account._meta.get_field("sid").editable
    assert not Account._meta.get_field("auth_token").editable
    assert not Organization._meta.get_field("sid").editable


def test_friendly_name_is_at_most_64_characters():
    field = Account._meta.get_field("friendly_name")

    assert field.max_length == 64
    assert not field.blank


def test_account_status_choices():
    assert set(Account.Status.values) == {"active", "suspended", "closed"}
    assert set(Account.Type.values) == {"Trial", "Full"}


def test_database_refuses_an_unknown_status(account):
    with pytest.raises(IntegrityError), transaction.atomic():
        Account.objects.filter(pk=account.pk).update(status="deleted")


def test_top_level_account_holds_a_decimal_balance(account):
    account.refresh_from_db()

    assert account.balance == Decimal("0")
    assert isinstance(account.balance, Decimal)
    assert account.shared_balance == Decimal("0")


def test_subaccount_reports_its_parents_balance(account, make_subaccount):
    subaccount = make_subaccount(account)
    Account.objects.filter(pk=account.pk).update(balance=Decimal("12.3456"))

    subaccount = Account.objects.get(pk=subaccount.pk)

    assert subaccount.balance is None
    assert subaccount.shared_balance == Decimal("12.3456")
    assert subaccount.main_account == account
    assert subaccount.owner_account_sid == account.sid
    assert account.owner_account_sid == account.sid


def test_database_refuses_a_balance_on_a_subaccount(account, make_subaccount):
    subaccount = make_subaccount(account)

    with pytest.raises(IntegrityError), transaction.atomic():
        Account.objects.filter(pk=subaccount.pk).update(balance=Decimal("1"))


def test_database_refuses_a_top_level_account_without_balance(account):
    with pytest.raises(IntegrityError), transaction.atomic():
        Account.objects.filter(pk=account.pk).update(balance=None)


def test_subaccount_limit_defaults_to_one_thousand(account):
    assert DEFAULT_SUBACCOUNT_LIMIT == 1000
    assert account.subaccount_limit == 1000


def test_subaccount_belongs_to_its_parent(account, make_subaccount):
    subaccount = make_subaccount(account)

    assert subaccount.is_subaccount
    assert subaccount.parent == account
    assert subaccount.owner == account.owner
    assert list(account.subaccounts.all()) == [subaccount]


def test_querysets_split_levels_and_count_open_subaccounts(account, make_subaccount):
    first = make_subaccount(account, "One")
    second = make_subaccount(account, "Two")
    Account.objects.filter(pk=second.pk).update(status=Account.Status.CLOSED)

    assert list(Account.objects.top_level()) == [account]
    assert set(Account.objects.subaccounts()) == {first, second}
    assert list(Account.objects.subaccounts_of(account).open()) == [first]
    annotated = Account.objects.with_open_subaccount_count().get(pk=account.pk)
    assert annotated.open_subaccount_count == 1


# Organizations and memberships.


def test_organization_sid_and_membership_roles(make_user):
    organization = Organization.objects.create(name="Acme Inc")
    owner, admin, member = make_user(), make_user(), make_user()
    Role = OrganizationMembership.Role
    OrganizationMembership.objects.create(organization=organization, user=owner, role=Role.OWNER)
    OrganizationMembership.objects.create(
        organization=organization, user=admin, role=Role.ADMINISTRATOR
    )
    OrganizationMembership.objects.create(organization=organization, user=member)

    assert ORGANIZATION_SID.match(organization.sid)
    assert set(Role.values) == {"owner", "administrator", "member"}
    assert set(organization.members.all()) == {owner, admin, member}
    assert organization.memberships.get(user=member).role == Role.MEMBER


def test_organization_has_a_single_owner(make_user):
    organization = Organization.objects.create(name="Acme Inc")
    Role = OrganizationMembership.Role
    OrganizationMembership.objects.create(
        organization=organization, user=make_user(), role=Role.OWNER
    )

    with pytest.raises(IntegrityError), transaction.atomic():
        OrganizationMembership.objects.create(
            organization=organization, user=make_user(), role=Role.OWNER
        )


def test_account_can_belong_to_an_organization(make_user):

    organization = Organization.objects.create(name="Acme Inc")
    account = account_services.account_create(
        owner=(owner := make_user()),
        friendly_name="Org account",
        organization=organization,
        actor=Actor.for_user(owner),
    )

    assert account.organization == organization
    assert list(organization.accounts.all()) == [account]


def test_owner_of_a_new_account_gets_the_owner_role(account, user):
    membership = AccountMembership.objects.get(account=account)

    assert membership.user == user
    assert membership.role == roles.OWNER
    assert roles.ACCOUNT_CLOSE in roles.scopes_for([membership.role])


def test_account_has_a_single_owner_membership(account, make_user):
    with pytest.raises(IntegrityError), transaction.atomic():
        AccountMembership.objects.create(account=account, user=make_user(), role=roles.OWNER)


def test_roles_combine_scopes():
    scopes = roles.scopes_for([roles.DEVELOPER, roles.BILLING_MANAGER])

    assert roles.CREDENTIALS_READ in scopes
    assert roles.BILLING_WRITE in scopes
    assert roles.ACCOUNT_CLOSE not in scopes
    assert roles.SUBACCOUNTS_WRITE in roles.scopes_for([roles.ADMINISTRATOR])
    assert roles.ACCOUNT_CLOSE not in roles.scopes_for([roles.ADMINISTRATOR])
