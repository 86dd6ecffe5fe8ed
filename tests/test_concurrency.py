"""Races between requests, each thread on its own database connection (PostgreSQL only)."""

import pytest

from accounts import errors
from accounts.models import Account
from accounts.services import accounts as account_services
from accounts.services.events import Actor
from tests.history import status_changes
from tests.races import run_at_once, split

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]

Status = Account.Status
Source = Account.StatusSource
THREADS = 20


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
