"""factory_boy factories for the objects tests need.

Where the app keeps an invariant when it creates something (an account has an owner
membership and a creation event, a usage record is a ledger entry that moves the balance), the
factory creates it through the same service, with `Actor.system()` unless told otherwise. Plain
rows whose creation has no such rule (users, memberships, inventory) are plain model factories.
"""

import datetime
from decimal import Decimal

import factory
from django.db.models import F
from factory.django import DjangoModelFactory

from accounts import roles
from accounts.models import (
    Account,
    AccountMembership,
    AvailablePhoneNumber,
    Organization,
    OrganizationMembership,
    UsageRecord,
    User,
)
from accounts.services import accounts as account_services
from accounts.services import organizations as organization_services
from accounts.services import trials as trial_services
from accounts.services import usage as usage_services
from accounts.services.events import Actor

DEFAULT_PASSWORD = "a-long-test-password-42"


class UserFactory(DjangoModelFactory):
    """A person who can sign in with DEFAULT_PASSWORD (or `password`)."""

    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"user{n + 1}@example.com")
    password = DEFAULT_PASSWORD

    @classmethod
    def _create(cls, model_class, *args, email, password, **fields):
        return model_class.objects.create_user(email=email, password=password, **fields)


class AccountFactory(DjangoModelFactory):
    """A top-level account, created by `account_create`: with its owner's membership and its
    creation event. Full unless `type` says Trial (a sign-up's accounts are Trial, with the
    trial limits: tests of those rules ask for one, the others need not mind them); a Trial
    one gets the trial credit only with `trial_credit=True`, as sign-up gives it. Extra fields
    (`subaccount_limit`, …) are saved after."""

    class Meta:
        model = Account

    owner = factory.SubFactory(UserFactory)
    friendly_name = "Main account"
    organization = None
    type = Account.Type.FULL

    @classmethod
    def _create(
        cls,
        model_class,
        *args,
        owner,
        friendly_name,
        organization,
        type,  # noqa: A002
        actor=None,
        trial_credit=False,
        **fields,
    ):
        account = account_services.account_create(
            owner=owner,
            friendly_name=friendly_name,
            organization=organization,
            actor=actor or Actor.system(),
            type=type,
        )
        if trial_credit:
            trial_services.trial_credit_grant(account=account, actor=Actor.system())
            account.refresh_from_db()
        if fields:
            for name, value in fields.items():
                setattr(account, name, value)
            account.save()
        return account


class SubaccountFactory(DjangoModelFactory):
    """A subaccount, created by `subaccount_create` (within the parent's limit, with its
    event). `bulk` writes many at once without the service, for paging and query counts."""

    class Meta:
        model = Account

    parent = factory.SubFactory(AccountFactory)
    friendly_name = "Subaccount"

    @classmethod
    def _create(cls, model_class, *args, parent, friendly_name, actor=None, own_balance=False):
        return account_services.subaccount_create(
            parent=parent,
            friendly_name=friendly_name,
            actor=actor or Actor.system(),
            own_balance=own_balance,
        )

    @classmethod
    def bulk(cls, parent, count, *, name="Bulk {n:04d}", **fields):
        """`count` subaccounts of `parent` in one INSERT (no events), named from `name`, and
        the parent's count of open subaccounts moved to match (as the service keeps it)."""
        created = Account.objects.bulk_create(
            Account(
                friendly_name=name.format(n=n),
                parent=parent,
                owner_id=parent.owner_id,
                balance=None,
                **fields,
            )
            for n in range(count)
        )
        opened = sum(1 for sub in created if sub.status != Account.Status.CLOSED)
        Account.objects.filter(pk=parent.pk).update(
            open_subaccount_count=F("open_subaccount_count") + opened
        )
        parent.open_subaccount_count += opened
        return created


class AccountMembershipFactory(DjangoModelFactory):
    """One role of a user (a new one unless given) on an account."""

    class Meta:
        model = AccountMembership

    account = factory.SubFactory(AccountFactory)
    user = factory.SubFactory(UserFactory)
    role = roles.DEVELOPER


class OrganizationFactory(DjangoModelFactory):
    """An organization, created by `organization_create`: its owner holds the owner role."""

    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Organization {n + 1}")
    owner = factory.SubFactory(UserFactory)

    @classmethod
    def _create(cls, model_class, *args, name, owner, actor=None):
        return organization_services.organization_create(
            name=name, owner=owner, actor=actor or Actor.for_user(owner)
        )


class OrganizationMembershipFactory(DjangoModelFactory):
    """A member (a new user unless given) of an organization, as a plain Member by default."""

    class Meta:
        model = OrganizationMembership

    organization = factory.SubFactory(OrganizationFactory)
    user = factory.SubFactory(UserFactory)
    role = OrganizationMembership.Role.MEMBER


class AvailablePhoneNumberFactory(DjangoModelFactory):
    """A number in the inventory, at $1.15 a month."""

    class Meta:
        model = AvailablePhoneNumber

    phone_number = factory.Sequence(lambda n: f"+1415555{n % 10000:04d}")
    friendly_name = factory.LazyAttribute(
        lambda o: f"({o.phone_number[2:5]}) {o.phone_number[5:8]}-{o.phone_number[8:]}"
    )
    monthly_price = Decimal("1.15")


class UsageRecordFactory(DjangoModelFactory):
    """Usage charged through `usage_record`: a ledger entry on the paying balance. By default
    ten SMS over November 2026; give `price` (and whatever else the test is about)."""

    class Meta:
        model = UsageRecord

    account = factory.SubFactory(AccountFactory)
    category = "sms"
    quantity = 10
    price = "1"
    start_date = datetime.date(2026, 11, 1)
    end_date = datetime.date(2026, 11, 30)
    idempotency_key = None

    @classmethod
    def _create(cls, model_class, *args, actor=None, **fields):
        return usage_services.usage_record(actor=actor or Actor.system(), **fields)
