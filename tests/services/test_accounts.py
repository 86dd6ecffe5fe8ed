"""Accounts and subaccounts: creation within limits, renaming, the status life cycle and its
cascade, suspension by support, every change with its event, and the row locks that keep
concurrent requests apart."""

from datetime import UTC, datetime
from unittest import mock

import pytest
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext

from accounts import errors, roles
from accounts.models import Account, AccountMembership, Event, IncomingPhoneNumber, Organization
from accounts.services import accounts as account_services
from accounts.services import ledger as ledger_services
from accounts.services import numbers as number_services
from accounts.services.events import Actor
from tests.factories import SubaccountFactory, UsageRecordFactory
from tests.history import status_change_count, status_changes
from tests.races import run_at_once, split

pytestmark = pytest.mark.django_db

Status = Account.Status
Source = Account.StatusSource


def refresh(*accounts):
    for account in accounts:
        account.refresh_from_db()


def events_of(account):
    return [(c.old_status, c.new_status, c.source) for c in status_changes(account)[::-1]]


@pytest.fixture
def staff(make_user):
    return make_user(email="support@example.com", is_staff=True)


def suspend_by_support(account, staff, reason="Fraud review"):
    return account_services.account_suspend(
        account=account, actor=Actor.for_user(staff), source=Source.SUPPORT, reason=reason
    )


# Creating accounts.


def test_account_create_makes_an_active_trial_account_with_an_owner_and_an_event(user):
    account = account_services.account_create(
        owner=user, friendly_name="  Acme  ", actor=Actor.for_user(user)
    )

    assert account.friendly_name == "Acme"
    assert account.status == Status.ACTIVE
    assert account.type == Account.Type.TRIAL
    assert account.owner == user
    assert AccountMembership.objects.filter(account=account, user=user, role="owner").exists()
    (event,) = status_changes(account)
    assert (event.old_status, event.new_status, event.source) == ("", "active", "owner")
    assert event.actor == user


def test_owner_of_a_new_account_gets_the_owner_role(account, user):
    membership = AccountMembership.objects.get(account=account)

    assert membership.user == user
    assert membership.role == roles.OWNER
    assert roles.ACCOUNT_CLOSE in roles.scopes_for([membership.role])


@pytest.mark.parametrize("name", ["", "   ", None])
def test_account_create_requires_a_friendly_name(user, name):
    with pytest.raises(errors.InvalidFriendlyName) as excinfo:
        account_services.account_create(owner=user, friendly_name=name, actor=Actor.for_user(user))

    assert excinfo.value.message == errors.FRIENDLY_NAME_REQUIRED
    assert not Account.objects.exists()


def test_account_create_refuses_a_friendly_name_over_64_characters(user):
    assert (
        account_services.account_create(
            owner=user, friendly_name="x" * 64, actor=Actor.for_user(user)
        ).friendly_name
        == "x" * 64
    )

    with pytest.raises(errors.InvalidFriendlyName) as excinfo:
        account_services.account_create(
            owner=user, friendly_name="x" * 65, actor=Actor.for_user(user)
        )

    assert excinfo.value.message == errors.FRIENDLY_NAME_TOO_LONG.format(limit=64, length=65)


def test_account_create_refuses_past_the_owners_limit(make_account, user):
    for n in range(10):
        make_account(owner=user, friendly_name=f"Account {n}")

    with pytest.raises(errors.AccountLimitReached) as excinfo:
        account_services.account_create(
            owner=user, friendly_name="Eleventh", actor=Actor.for_user(user)
        )

    assert excinfo.value.code == 25102
    assert excinfo.value.message == errors.ACCOUNT_LIMIT_REACHED.format(limit=10)
    assert excinfo.value.message == (
        "You have reached your limit of 10 accounts. Contact support to raise it."
    )
    assert Account.objects.filter(owner=user).count() == 10


def test_account_create_limit_counts_only_this_owners_top_level_open_accounts(
    make_account, make_subaccount, make_user
):
    owner = make_user(account_limit=2)
    first = make_account(owner=owner)
    make_subaccount(first)
    make_subaccount(first)
    make_account(owner=make_user())

    assert account_services.account_create(
        owner=owner, friendly_name="Second", actor=Actor.for_user(owner)
    )


def test_raised_account_limit_lets_more_accounts_through(make_user):
    owner = make_user(account_limit=1)
    account_services.account_create(owner=owner, friendly_name="One", actor=Actor.for_user(owner))
    with pytest.raises(errors.AccountLimitReached):
        account_services.account_create(
            owner=owner, friendly_name="Two", actor=Actor.for_user(owner)
        )

    owner.account_limit = 2
    owner.save()

    assert account_services.account_create(
        owner=owner, friendly_name="Two", actor=Actor.for_user(owner)
    )
    with pytest.raises(errors.AccountLimitReached) as excinfo:
        account_services.account_create(
            owner=owner, friendly_name="Three", actor=Actor.for_user(owner)
        )
    assert excinfo.value.message == errors.ACCOUNT_LIMIT_REACHED.format(limit=2)


def test_closed_accounts_do_not_count_toward_the_account_limit(make_user):
    owner = make_user(account_limit=1)
    first = account_services.account_create(
        owner=owner, friendly_name="One", actor=Actor.for_user(owner)
    )
    account_services.account_close(account=first, actor=Actor.for_user(owner))

    assert account_services.account_create(
        owner=owner, friendly_name="Two", actor=Actor.for_user(owner)
    )


def test_suspended_accounts_count_toward_the_account_limit(make_user, staff):
    owner = make_user(account_limit=1)
    first = account_services.account_create(
        owner=owner, friendly_name="One", actor=Actor.for_user(owner)
    )
    suspend_by_support(first, staff)

    with pytest.raises(errors.AccountLimitReached):
        account_services.account_create(
            owner=owner, friendly_name="Two", actor=Actor.for_user(owner)
        )


def test_account_create_in_an_organization_uses_the_organizations_limit(make_user):
    organization = Organization.objects.create(name="Acme Inc", account_limit=1)
    owner = make_user(account_limit=1)
    account_services.account_create(
        owner=owner, friendly_name="Org 1", organization=organization, actor=Actor.for_user(owner)
    )
    # The organization's accounts do not use up the owner's own limit.
    account_services.account_create(
        owner=owner, friendly_name="Personal", actor=Actor.for_user(owner)
    )

    with pytest.raises(errors.AccountLimitReached) as excinfo:
        account_services.account_create(
            owner=owner,
            friendly_name="Org 2",
            organization=organization,
            actor=Actor.for_user(owner),
        )

    assert excinfo.value.message == errors.ORGANIZATION_ACCOUNT_LIMIT_REACHED.format(limit=1)


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


# Creating subaccounts.


def test_subaccount_create_shares_owner_type_and_has_no_balance(account, user):
    subaccount = account_services.subaccount_create(
        parent=account, friendly_name="Customer A", actor=Actor.for_user(user)
    )

    assert subaccount.parent == account
    assert subaccount.owner == user
    assert subaccount.type == account.type
    assert subaccount.status == Status.ACTIVE
    assert subaccount.balance is None
    assert subaccount.sid != account.sid
    assert events_of(subaccount) == [("", "active", "owner")]


def test_subaccount_create_defaults_to_twilios_name(account):
    moment = datetime(2026, 11, 27, 14, 42, tzinfo=UTC)

    with mock.patch("accounts.services.accounts.timezone.now", return_value=moment):
        subaccount = account_services.subaccount_create(parent=account, actor=Actor.system())

    assert subaccount.friendly_name == "SubAccount Created at 2026-11-27 02:42 pm"


def test_subaccount_create_validates_the_friendly_name(account):
    with pytest.raises(errors.InvalidFriendlyName) as excinfo:
        account_services.subaccount_create(parent=account, friendly_name=" ", actor=Actor.system())

    assert excinfo.value.message == errors.FRIENDLY_NAME_REQUIRED


def test_subaccount_create_refuses_past_the_default_limit_of_1000(account):
    SubaccountFactory.bulk(account, 1000, name="Sub {n}")

    with pytest.raises(errors.SubaccountLimitReached) as excinfo:
        account_services.subaccount_create(
            parent=account, friendly_name="One too many", actor=Actor.system()
        )

    assert excinfo.value.code == 21480
    assert excinfo.value.message == errors.SUBACCOUNT_LIMIT_REACHED.format(limit="1,000")
    assert excinfo.value.message == (
        "This account has reached its limit of 1,000 subaccounts. Contact support to raise it."
    )
    assert Account.objects.subaccounts_of(account).count() == 1000


def test_raised_subaccount_limit_lets_more_subaccounts_through(account, make_subaccount):
    account.subaccount_limit = 2
    account.save()
    make_subaccount(account)
    make_subaccount(account)
    with pytest.raises(errors.SubaccountLimitReached) as excinfo:
        account_services.subaccount_create(
            parent=account, friendly_name="Third", actor=Actor.system()
        )
    assert excinfo.value.message == errors.SUBACCOUNT_LIMIT_REACHED.format(limit=2)

    account.subaccount_limit = 3
    account.save()

    assert account_services.subaccount_create(
        parent=account, friendly_name="Third", actor=Actor.system()
    )


def test_closed_subaccounts_do_not_count_toward_the_subaccount_limit(
    account, make_subaccount, user
):
    account.subaccount_limit = 1
    account.save()
    first = make_subaccount(account)
    account_services.account_close(account=first, actor=Actor.for_user(user))

    assert account_services.subaccount_create(
        parent=account, friendly_name="Second", actor=Actor.system()
    )


def test_suspended_subaccounts_count_toward_the_subaccount_limit(account, make_subaccount, user):
    account.subaccount_limit = 1
    account.save()
    account_services.account_suspend(account=make_subaccount(account), actor=Actor.for_user(user))

    with pytest.raises(errors.SubaccountLimitReached):
        account_services.subaccount_create(
            parent=account, friendly_name="Second", actor=Actor.system()
        )


def test_subaccounts_cannot_have_subaccounts(account, make_subaccount):
    subaccount = make_subaccount(account)

    with pytest.raises(errors.NestedSubaccountNotAllowed) as excinfo:
        account_services.subaccount_create(
            parent=subaccount, friendly_name="Nested", actor=Actor.system()
        )

    assert excinfo.value.code == 21101
    assert excinfo.value.message == errors.NESTED_SUBACCOUNT
    assert not Account.objects.filter(parent=subaccount).exists()


@pytest.mark.parametrize("status", [Status.SUSPENDED, Status.CLOSED])
def test_subaccount_create_refuses_a_parent_that_is_not_active(account, staff, status):
    account_services.account_status_set(
        account=account, status=status, actor=Actor.for_user(staff), source=Source.SUPPORT
    )

    with pytest.raises(errors.ParentNotActive) as excinfo:
        account_services.subaccount_create(
            parent=account, friendly_name="Sub", actor=Actor.system()
        )

    assert excinfo.value.message == errors.PARENT_NOT_ACTIVE.format(status=status)
    assert not Account.objects.subaccounts_of(account).exists()


def test_subaccount_create_sees_the_parents_current_status(account, staff):
    stale = Account.objects.get(pk=account.pk)
    suspend_by_support(account, staff)

    with pytest.raises(errors.ParentNotActive):
        account_services.subaccount_create(parent=stale, friendly_name="Sub", actor=Actor.system())


# Renaming.


def test_account_rename(account, make_subaccount, user):
    subaccount = make_subaccount(account)

    account_services.account_rename(
        account=account, friendly_name=" Renamed ", actor=Actor.for_user(user)
    )
    account_services.account_rename(
        account=subaccount, friendly_name="Sub renamed", actor=Actor.for_user(user)
    )

    refresh(account, subaccount)
    assert account.friendly_name == "Renamed"
    assert subaccount.friendly_name == "Sub renamed"


def test_account_rename_validates_the_friendly_name(account, user):
    with pytest.raises(errors.InvalidFriendlyName) as excinfo:
        account_services.account_rename(
            account=account, friendly_name="y" * 65, actor=Actor.for_user(user)
        )

    assert excinfo.value.message == errors.FRIENDLY_NAME_TOO_LONG.format(limit=64, length=65)
    with pytest.raises(errors.InvalidFriendlyName):
        account_services.account_rename(
            account=account, friendly_name="", actor=Actor.for_user(user)
        )
    account.refresh_from_db()
    assert account.friendly_name == "Acme"


# Subaccount status changes by the owner.


def test_owner_suspends_and_reactivates_a_subaccount_with_events(account, make_subaccount, user):
    subaccount = make_subaccount(account)

    account_services.account_suspend(
        account=subaccount, actor=Actor.for_user(user), reason="Paused"
    )
    subaccount.refresh_from_db()
    assert subaccount.status == Status.SUSPENDED
    assert subaccount.status_source == Source.OWNER

    account_services.account_reactivate(account=subaccount, actor=Actor.for_user(user))
    subaccount.refresh_from_db()
    assert subaccount.status == Status.ACTIVE
    assert subaccount.status_source == ""

    assert events_of(subaccount) == [
        ("", "active", "owner"),
        ("active", "suspended", "owner"),
        ("suspended", "active", "owner"),
    ]
    (event,) = [c for c in status_changes(subaccount) if c.new_status == "suspended"]
    assert event.actor == user
    assert event.reason == "Paused"


def test_event_without_an_authenticated_actor_records_none(account, make_subaccount):
    subaccount = make_subaccount(account)

    account_services.account_suspend(account=subaccount, actor=Actor.system())

    event = status_changes(subaccount)[0]
    assert event.new_status == "suspended"
    assert event.actor is None


def test_setting_the_current_status_is_a_no_op(account, make_subaccount, user):
    subaccount = make_subaccount(account)

    account_services.account_reactivate(account=subaccount, actor=Actor.for_user(user))

    assert events_of(subaccount) == [("", "active", "owner")]


def test_account_status_set_refuses_an_unknown_status(account, make_subaccount, user):
    subaccount = make_subaccount(account)

    with pytest.raises(errors.InvalidStatusTransition) as excinfo:
        account_services.account_status_set(
            account=subaccount, status="deleted", actor=Actor.for_user(user)
        )

    assert excinfo.value.message == errors.INVALID_STATUS


# The main account's status.


def test_owner_cannot_suspend_a_main_account(account, user):
    with pytest.raises(errors.MainAccountStatusRestricted) as excinfo:
        account_services.account_suspend(account=account, actor=Actor.for_user(user))

    assert excinfo.value.code == 21477
    assert excinfo.value.message == errors.MAIN_ACCOUNT_STATUS
    account.refresh_from_db()
    assert account.status == Status.ACTIVE


def test_owner_cannot_reactivate_a_main_account(account, user):
    # Suspended without a source, so that only the main-account rule applies.
    Account.objects.filter(pk=account.pk).update(status=Status.SUSPENDED, status_source="")

    with pytest.raises(errors.MainAccountStatusRestricted):
        account_services.account_reactivate(account=account, actor=Actor.for_user(user))

    account.refresh_from_db()
    assert account.status == Status.SUSPENDED


def test_only_the_owner_can_close_a_main_account(account, make_user):
    administrator = make_user()

    with pytest.raises(errors.NotPermitted) as excinfo:
        account_services.account_close(account=account, actor=Actor.for_user(administrator))
    assert excinfo.value.message == errors.ONLY_OWNER_CAN_CLOSE
    with pytest.raises(errors.NotPermitted):
        account_services.account_close(account=account, actor=Actor.system())

    account.refresh_from_db()
    assert account.status == Status.ACTIVE


def test_owner_closes_a_main_account(account, user):
    account_services.account_close(
        account=account, actor=Actor.for_user(user), reason="No longer needed"
    )

    account.refresh_from_db()
    assert account.status == Status.CLOSED
    assert events_of(account)[-1] == ("active", "closed", "owner")


# Closed is final.


@pytest.mark.parametrize("level", ["main", "sub"])
def test_closed_account_can_never_change_again(account, make_subaccount, user, staff, level):
    target = account if level == "main" else make_subaccount(account)
    account_services.account_close(account=target, actor=Actor.for_user(user))
    events_before = status_change_count()

    attempts = [
        lambda: account_services.account_reactivate(account=target, actor=Actor.for_user(user)),
        lambda: account_services.account_suspend(account=target, actor=Actor.for_user(user)),
        lambda: account_services.account_close(account=target, actor=Actor.for_user(user)),
        lambda: account_services.account_reactivate(
            account=target, actor=Actor.for_user(staff), source=Source.SUPPORT
        ),
        lambda: account_services.account_suspend(
            account=target, actor=Actor.for_user(staff), source=Source.SUPPORT
        ),
        lambda: account_services.account_rename(
            account=target, friendly_name="New", actor=Actor.for_user(user)
        ),
    ]
    for attempt in attempts:
        with pytest.raises(errors.AccountClosed) as excinfo:
            attempt()
        assert excinfo.value.code == 21479
        assert excinfo.value.message == errors.ACCOUNT_CLOSED

    target.refresh_from_db()
    assert target.status == Status.CLOSED
    assert target.friendly_name != "New"
    assert status_change_count() == events_before


def test_closed_account_keeps_its_sid(account, user):
    sid = account.sid

    account_services.account_close(account=account, actor=Actor.for_user(user))

    assert Account.objects.get(sid=sid).status == Status.CLOSED


# The cascade from a parent to its subaccounts.


def test_suspending_a_parent_suspends_its_subaccounts(family, staff):
    parent, subaccounts = family
    closed = subaccounts[2]
    account_services.account_close(account=closed, actor=Actor.for_user(parent.owner))

    suspend_by_support(parent, staff, reason="Unpaid invoice")

    refresh(parent, *subaccounts)
    assert parent.status == Status.SUSPENDED
    assert parent.status_source == Source.SUPPORT
    for subaccount in subaccounts[:2]:
        assert subaccount.status == Status.SUSPENDED
        assert subaccount.status_source == Source.PARENT
        event = status_changes(subaccount)[0]
        assert (event.old_status, event.new_status, event.source) == (
            "active",
            "suspended",
            "parent",
        )
        assert event.actor == staff
        assert parent.sid in event.reason and "Unpaid invoice" in event.reason
    assert closed.status == Status.CLOSED
    assert events_of(parent)[-1] == ("active", "suspended", "support")


def test_closing_a_parent_closes_all_its_subaccounts(family, staff):
    parent, subaccounts = family
    account_services.account_suspend(account=subaccounts[0], actor=Actor.for_user(parent.owner))
    suspend_by_support(subaccounts[1], staff)

    account_services.account_close(account=parent, actor=Actor.for_user(parent.owner))

    refresh(parent, *subaccounts)
    assert parent.status == Status.CLOSED
    assert [s.status for s in subaccounts] == [Status.CLOSED] * 3
    assert [events_of(s)[-1] for s in subaccounts] == [
        ("suspended", "closed", "parent"),
        ("suspended", "closed", "parent"),
        ("active", "closed", "parent"),
    ]


def test_subaccount_status_cannot_change_while_the_parent_is_suspended(family, staff):
    parent, subaccounts = family
    owner = parent.owner
    suspend_by_support(parent, staff)
    events_before = status_change_count()

    attempts = [
        lambda: account_services.account_reactivate(
            account=subaccounts[0], actor=Actor.for_user(owner)
        ),
        lambda: account_services.account_close(account=subaccounts[0], actor=Actor.for_user(owner)),
        lambda: account_services.account_reactivate(
            account=subaccounts[0], actor=Actor.for_user(staff), source=Source.SUPPORT
        ),
        # Already suspended by the cascade: the owner cannot take the suspension over (it
        # would look done, yet the subaccount would come back with its parent).
        lambda: account_services.account_suspend(
            account=subaccounts[0], actor=Actor.for_user(owner)
        ),
    ]
    for attempt in attempts:
        with pytest.raises(errors.ParentSuspended) as excinfo:
            attempt()
        assert excinfo.value.code == 21476
        assert excinfo.value.message == errors.PARENT_SUSPENDED

    subaccounts[0].refresh_from_db()
    assert subaccounts[0].status == Status.SUSPENDED
    assert subaccounts[0].status_source == Source.PARENT
    assert status_change_count() == events_before


def test_reactivating_a_parent_brings_back_only_what_its_suspension_suspended(family, staff):
    parent, (by_parent, by_owner, by_support) = family
    account_services.account_suspend(account=by_owner, actor=Actor.for_user(parent.owner))
    suspend_by_support(by_support, staff)
    suspend_by_support(parent, staff)

    account_services.account_reactivate(
        account=parent, actor=Actor.for_user(staff), source=Source.SUPPORT
    )

    refresh(parent, by_parent, by_owner, by_support)
    assert parent.status == Status.ACTIVE
    assert parent.status_source == ""
    assert (by_parent.status, by_parent.status_source) == (Status.ACTIVE, "")
    assert (by_owner.status, by_owner.status_source) == (Status.SUSPENDED, Source.OWNER)
    assert (by_support.status, by_support.status_source) == (Status.SUSPENDED, Source.SUPPORT)
    assert events_of(by_parent)[-2:] == [
        ("active", "suspended", "parent"),
        ("suspended", "active", "parent"),
    ]
    assert len(events_of(by_owner)) == 2
    assert len(events_of(by_support)) == 2


def test_cascade_does_not_touch_other_families(family, make_account, make_subaccount, staff):
    parent, _subaccounts = family
    other_subaccount = make_subaccount(make_account())

    suspend_by_support(parent, staff)

    other_subaccount.refresh_from_db()
    assert other_subaccount.status == Status.ACTIVE


# Suspension by support.


def test_only_support_can_reactivate_what_support_suspended(account, make_subaccount, staff):
    owner = account.owner
    subaccount = make_subaccount(account)
    suspend_by_support(subaccount, staff)

    for attempt in [
        lambda: account_services.account_reactivate(
            account=subaccount, actor=Actor.for_user(owner)
        ),
        lambda: account_services.account_suspend(account=subaccount, actor=Actor.for_user(owner)),
        lambda: account_services.account_close(account=subaccount, actor=Actor.for_user(owner)),
    ]:
        with pytest.raises(errors.SuspendedBySupport) as excinfo:
            attempt()
        assert excinfo.value.code == 21478
        assert excinfo.value.message == errors.SUSPENDED_BY_SUPPORT
    subaccount.refresh_from_db()
    assert (subaccount.status, subaccount.status_source) == (Status.SUSPENDED, Source.SUPPORT)

    account_services.account_reactivate(
        account=subaccount, actor=Actor.for_user(staff), source=Source.SUPPORT
    )

    subaccount.refresh_from_db()
    assert subaccount.status == Status.ACTIVE
    assert events_of(subaccount)[-1] == ("suspended", "active", "support")


def test_main_account_suspended_by_support_stays_with_support(account, staff):
    suspend_by_support(account, staff)

    with pytest.raises(errors.SuspendedBySupport):
        account_services.account_reactivate(account=account, actor=Actor.for_user(account.owner))

    account.refresh_from_db()
    assert account.status == Status.SUSPENDED


def test_support_can_reactivate_what_the_owner_suspended(account, make_subaccount, staff):
    subaccount = make_subaccount(account)
    account_services.account_suspend(account=subaccount, actor=Actor.for_user(account.owner))

    account_services.account_reactivate(
        account=subaccount, actor=Actor.for_user(staff), source=Source.SUPPORT
    )

    subaccount.refresh_from_db()
    assert subaccount.status == Status.ACTIVE


def test_support_can_close_a_main_account(account, staff):
    account_services.account_close(
        account=account, actor=Actor.for_user(staff), source=Source.SUPPORT
    )

    account.refresh_from_db()
    assert account.status == Status.CLOSED
    assert events_of(account)[-1] == ("active", "closed", "support")


def run_out_of_funds(account, user):
    ledger_services.funds_add(
        account=account, amount="5", actor=Actor.for_user(user), reason="Top-up"
    )
    UsageRecordFactory(account=account, price="5")
    account.refresh_from_db()
    assert account.status == "suspended" and account.status_source == Source.BALANCE


def test_support_suspends_an_account_already_suspended_for_its_balance_and_funds_do_not_lift_it(
    account, user
):
    run_out_of_funds(account, user)

    account_services.account_suspend(
        account=account, source=Source.SUPPORT, reason="Fraud review", actor=Actor.system()
    )
    ledger_services.funds_add(
        account=account, amount="10", actor=Actor.for_user(user), reason="Top-up"
    )

    account.refresh_from_db()
    assert account.status == "suspended" and account.status_source == Source.SUPPORT
    event = status_changes(account)[0]
    assert (event.source, event.reason) == (Source.SUPPORT, "Fraud review")


def test_support_suspends_a_subaccount_its_owner_had_suspended_and_the_owner_cannot_lift_it(
    account, make_subaccount, user
):
    sub = make_subaccount(account)
    account_services.account_suspend(account=sub, actor=Actor.for_user(user))

    account_services.account_suspend(
        account=sub, source=Source.SUPPORT, reason="Abuse report", actor=Actor.system()
    )

    with pytest.raises(errors.SuspendedBySupport):
        account_services.account_reactivate(account=sub, actor=Actor.for_user(user))
    sub.refresh_from_db()
    assert sub.status == "suspended" and sub.status_source == Source.SUPPORT


def test_support_lifts_its_own_suspension_and_the_cascade_comes_back(
    account, make_subaccount, user
):
    sub = make_subaccount(account)
    run_out_of_funds(account, user)
    account_services.account_suspend(
        account=account, source=Source.SUPPORT, reason="Review", actor=Actor.system()
    )
    ledger_services.funds_add(
        account=account, amount="10", actor=Actor.for_user(user), reason="Top-up"
    )

    account_services.account_reactivate(
        account=account, source=Source.SUPPORT, reason="Cleared", actor=Actor.system()
    )

    account.refresh_from_db()
    sub.refresh_from_db()
    assert account.status == sub.status == Account.Status.ACTIVE


def test_suspending_again_from_the_same_side_records_nothing(account, make_subaccount, user):
    sub = make_subaccount(account)
    account_services.account_suspend(account=sub, actor=Actor.for_user(user))
    before = len(status_changes(sub))

    account_services.account_suspend(account=sub, actor=Actor.for_user(user))

    assert len(status_changes(sub)) == before


def test_support_reactivating_an_active_account_changes_nothing(account):
    before = len(status_changes(account))

    account_services.account_reactivate(
        account=account, source=Source.SUPPORT, reason="Check", actor=Actor.system()
    )

    account.refresh_from_db()
    assert account.status == "active" and account.status_source == ""
    assert len(status_changes(account)) == before


# Every change and its event in one transaction.


def test_status_change_rolls_back_when_its_event_cannot_be_written(account, make_subaccount):
    subaccount = make_subaccount(account)

    with (
        mock.patch.object(Event, "save", side_effect=IntegrityError("boom")),
        pytest.raises(IntegrityError),
    ):
        account_services.account_suspend(account=subaccount, actor=Actor.for_user(account.owner))

    subaccount.refresh_from_db()
    assert subaccount.status == Status.ACTIVE


def test_cascade_rolls_back_with_its_events(family, staff):
    parent, subaccounts = family

    with (
        mock.patch.object(Event.objects, "bulk_create", side_effect=IntegrityError("boom")),
        pytest.raises(IntegrityError),
    ):
        suspend_by_support(parent, staff)

    refresh(parent, *subaccounts)
    assert parent.status == Status.ACTIVE
    assert {s.status for s in subaccounts} == {Status.ACTIVE}
    assert not any(c.new_status == "suspended" for s in subaccounts for c in status_changes(s))


def test_account_create_rolls_back_with_its_event(user):
    with (
        mock.patch.object(Event, "save", side_effect=IntegrityError("boom")),
        pytest.raises(IntegrityError),
    ):
        account_services.account_create(
            owner=user, friendly_name="Acme", actor=Actor.for_user(user)
        )

    assert not Account.objects.exists()
    assert not AccountMembership.objects.exists()


# Races and row locks (PostgreSQL: SQLite has no row locks).

THREADS = 20


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_subaccount_limit_holds_under_concurrent_creation(
    postgres_only, make_account, make_subaccount
):
    parent = make_account()
    for n in range(3):
        make_subaccount(parent, f"Existing {n}")
    Account.objects.filter(pk=parent.pk).update(subaccount_limit=3 + 5)

    outcomes = run_at_once(
        *[
            lambda n=n: account_services.subaccount_create(
                parent=parent, friendly_name=f"Race {n}", actor=Actor.system()
            )
            for n in range(THREADS)
        ]
    )

    created, refused = split(outcomes, errors.SubaccountLimitReached)
    assert len(created) == 5
    assert len(refused) == THREADS - 5
    assert {r.message for r in refused} == {errors.SUBACCOUNT_LIMIT_REACHED.format(limit=8)}
    assert Account.objects.subaccounts_of(parent).open().count() == 8
    parent.refresh_from_db()
    assert parent.open_subaccount_count == 8


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_account_limit_holds_under_concurrent_creation(postgres_only, make_account, make_user):
    owner = make_user()
    for n in range(7):
        make_account(owner=owner, friendly_name=f"Existing {n}")

    outcomes = run_at_once(
        *[
            lambda n=n: account_services.account_create(
                owner=owner, friendly_name=f"Race {n}", actor=Actor.for_user(owner)
            )
            for n in range(THREADS)
        ]
    )

    created, refused = split(outcomes, errors.AccountLimitReached)
    assert len(created) == 3
    assert len(refused) == THREADS - 3
    assert {r.message for r in refused} == {errors.ACCOUNT_LIMIT_REACHED.format(limit=10)}
    assert Account.objects.top_level().filter(owner=owner).count() == 10


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parent_suspension_racing_subaccount_suspensions(
    postgres_only, make_account, make_subaccount, make_user
):
    # Support suspends the parent while the owner suspends each subaccount. Each owner request
    # either lands first (the subaccount stays suspended when the parent comes back) or after
    # (refused: it would otherwise look done and be undone by the parent's reactivation).
    parent = make_account()
    owner = parent.owner
    staff = make_user(is_staff=True)
    subaccounts = [make_subaccount(parent, f"Sub {n}") for n in range(THREADS - 1)]

    outcomes = run_at_once(
        lambda: account_services.account_suspend(
            account=parent, actor=Actor.for_user(staff), source=Source.SUPPORT
        ),
        *[
            lambda s=s: account_services.account_suspend(account=s, actor=Actor.for_user(owner))
            for s in subaccounts
        ],
    )

    assert not isinstance(outcomes[0], Exception), outcomes[0]
    split(outcomes[1:], errors.ParentSuspended)
    suspended_by_owner = set()
    for subaccount, outcome in zip(subaccounts, outcomes[1:], strict=True):
        subaccount.refresh_from_db()
        assert subaccount.status == Status.SUSPENDED
        events = [(c.new_status, c.source) for c in status_changes(subaccount)[::-1]]
        if isinstance(outcome, Exception):
            assert subaccount.status_source == Source.PARENT
            assert events == [("active", "owner"), ("suspended", "parent")]
        else:
            suspended_by_owner.add(subaccount.pk)
            assert subaccount.status_source == Source.OWNER
            assert events == [("active", "owner"), ("suspended", "owner")]

    account_services.account_reactivate(
        account=parent, actor=Actor.for_user(staff), source=Source.SUPPORT
    )

    still_suspended = set(
        Account.objects.subaccounts_of(parent)
        .filter(status=Status.SUSPENDED)
        .values_list("pk", flat=True)
    )
    assert still_suspended == suspended_by_owner


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parent_close_racing_subaccount_creation(postgres_only, make_account):
    # However the requests interleave, no open subaccount is left under a closed parent.
    parent = make_account()
    owner = parent.owner

    outcomes = run_at_once(
        lambda: account_services.account_close(account=parent, actor=Actor.for_user(owner)),
        *[
            lambda n=n: account_services.subaccount_create(
                parent=parent, friendly_name=f"Race {n}", actor=Actor.for_user(owner)
            )
            for n in range(THREADS - 1)
        ],
    )

    assert not isinstance(outcomes[0], Exception), outcomes[0]
    created, refused = split(outcomes[1:], errors.ParentNotActive)
    assert len(created) + len(refused) == THREADS - 1
    assert set(Account.objects.subaccounts_of(parent).values_list("pk", flat=True)) == {
        s.pk for s in created
    }
    assert not Account.objects.subaccounts_of(parent).open().exists()
    for subaccount in created:
        events = [(c.new_status, c.source) for c in status_changes(subaccount)[::-1]]
        assert events == [("active", "owner"), ("closed", "parent")]


ACCOUNT_TABLE = Account._meta.db_table
NUMBER_TABLE = IncomingPhoneNumber._meta.db_table


def locked_tables(queries):
    """The tables locked by each SELECT … FOR UPDATE, in order."""
    order = []
    for query in queries:
        sql = query["sql"]
        if "FOR UPDATE" not in sql:
            continue
        table = sql.split(" FROM ", 1)[1].split()[0].strip('"')
        order.append(table)
    return order


@pytest.mark.postgres
def test_closing_a_main_account_locks_its_subaccounts_before_their_numbers(
    postgres_only, stock, funded, make_subaccount
):
    # Rows are locked top-down everywhere (the main account, its subaccounts, then phone
    # numbers), so that two requests never wait on each other in opposite orders.
    sub = make_subaccount(funded)
    held = [
        number_services.number_buy(account=funded, phone_number=number, actor=Actor.system())
        for number in ("+14155550100", "+14155550101")
    ]
    number_services.number_transfer(
        number=held[1], target=sub, acting_account=funded, actor=Actor.system()
    )

    with CaptureQueriesContext(connection) as context:
        account_services.account_close(account=funded, actor=Actor.for_user(funded.owner))

    order = locked_tables(context.captured_queries)
    assert NUMBER_TABLE in order
    first_number = order.index(NUMBER_TABLE)
    assert ACCOUNT_TABLE not in order[first_number:], order
    assert not IncomingPhoneNumber.objects.filter(released_at__isnull=True).exists()
