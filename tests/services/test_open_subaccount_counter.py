"""Each main account's count of open subaccounts (`Account.open_subaccount_count`): kept by the
services under the parent's lock, it is what the subaccount limit checks and what the pages
show, so it must equal the real count after every path that opens or closes a subaccount."""

import importlib

import pytest
from django.apps import apps

from accounts import errors
from accounts.models import Account
from accounts.services import accounts as account_services
from accounts.services.events import Actor
from tests.factories import OrganizationFactory, SubaccountFactory
from tests.races import run_at_once, split

fill_migration = importlib.import_module("accounts.migrations.0010_open_subaccount_counter")


@pytest.fixture
def staff(make_user):
    return make_user(email="support@example.com", is_staff=True)


def real_count(parent):
    return Account.objects.subaccounts_of(parent).open().count()


def counter(parent):
    return Account.objects.values_list("open_subaccount_count", flat=True).get(pk=parent.pk)


def assert_counted(parent, expected):
    assert real_count(parent) == expected
    assert counter(parent) == expected


@pytest.mark.django_db
def test_the_counter_follows_every_service_path(account, user, make_subaccount, staff):
    owner, support = Actor.for_user(user), Actor.for_support(staff)
    subs = [make_subaccount(account, f"Sub {n}") for n in range(6)]
    assert_counted(account, 6)
    # Suspending and reactivating (the owner, support) keeps a subaccount open.
    account_services.account_suspend(account=subs[0], actor=owner)
    account_services.account_suspend(
        account=subs[1], actor=support, source=Account.StatusSource.SUPPORT
    )
    assert_counted(account, 6)
    account_services.account_reactivate(account=subs[0], actor=owner)
    assert_counted(account, 6)
    # Closing one, from the console and from the API; closing it again changes nothing.
    account_services.account_close(account=subs[0], actor=owner)
    assert_counted(account, 5)
    with pytest.raises(errors.AccountClosed):
        account_services.account_close(account=subs[0], actor=owner)
    account_services.account_update(
        account=subs[2], actor=owner, by_account=account, status=Account.Status.CLOSED
    )
    assert_counted(account, 4)
    # The bulk action, a refusal among them (already closed).
    result = account_services.subaccounts_status_set_each(
        parent=account, subaccounts=[subs[0], subs[3]], action="close", actor=owner
    )
    assert [sub.pk for sub in result.done] == [subs[3].pk]
    assert_counted(account, 3)
    # The parent's suspension cascades and comes back: still open.
    account_services.account_suspend(
        account=account, actor=support, source=Account.StatusSource.SUPPORT
    )
    account_services.account_reactivate(
        account=account, actor=support, source=Account.StatusSource.SUPPORT
    )
    assert_counted(account, 3)
    # A new one counts; closing the parent closes them all.
    make_subaccount(account, "Late")
    assert_counted(account, 4)
    account_services.account_close(account=account, actor=owner)
    assert_counted(account, 0)


@pytest.mark.django_db
def test_the_limit_is_the_counter_closed_ones_free_their_place(account, user, make_subaccount):
    Account.objects.filter(pk=account.pk).update(subaccount_limit=2)
    first, _second = make_subaccount(account), make_subaccount(account)
    with pytest.raises(errors.SubaccountLimitReached):
        account_services.subaccount_create(parent=account, actor=Actor.system())
    account_services.account_close(account=first, actor=Actor.for_user(user))
    account_services.subaccount_create(parent=account, actor=Actor.system())
    assert_counted(account, 2)


@pytest.mark.django_db
def test_saving_a_stale_copy_does_not_write_its_count_back(account, make_subaccount):
    stale = Account.objects.get(pk=account.pk)
    make_subaccount(account)
    stale.friendly_name = "Renamed elsewhere"
    stale.save()
    assert_counted(account, 1)
    assert Account.objects.get(pk=account.pk).friendly_name == "Renamed elsewhere"


@pytest.mark.django_db
def test_the_migration_counts_the_open_subaccounts_of_every_main_account(
    account, make_account, make_subaccount, user
):
    other = make_account()
    SubaccountFactory.bulk(account, 5)
    SubaccountFactory.bulk(account, 2, status=Account.Status.CLOSED)
    SubaccountFactory.bulk(other, 3, status=Account.Status.SUSPENDED)
    Account.objects.update(open_subaccount_count=0)
    fill_migration.fill_open_subaccount_count(apps, None)
    assert counter(account) == 5 and counter(other) == 3
    assert Account.objects.subaccounts().filter(open_subaccount_count__gt=0).count() == 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_creating_and_closing_at_once_never_passes_the_limit(
    postgres_only, make_account, make_subaccount, make_user
):
    owner = make_user()
    parent = make_account(owner=owner)
    closing = [make_subaccount(parent, f"Old {n}") for n in range(4)]
    Account.objects.filter(pk=parent.pk).update(subaccount_limit=6)
    creates = [
        lambda n=n: account_services.subaccount_create(
            parent=parent, friendly_name=f"Race {n}", actor=Actor.system()
        )
        for n in range(12)
    ]
    closes = [
        lambda sub=sub: account_services.account_close(account=sub, actor=Actor.for_user(owner))
        for sub in closing
    ]
    outcomes = run_at_once(*creates, *closes)
    done, refused = split(outcomes, errors.SubaccountLimitReached)
    created = [o for o in done if o.friendly_name.startswith("Race")]
    # Every close lands; each create either finds a free place or is refused, never more.
    assert len(done) - len(created) == 4
    assert len(created) + len(refused) == 12
    assert 2 <= len(created) <= 6
    assert real_count(parent) == len(created) <= 6
    assert counter(parent) == real_count(parent)


@pytest.mark.django_db
def test_a_refused_subaccount_leaves_the_count_where_it_was(make_account, make_subaccount):
    # The count moves first, under the parent's lock; each refusal takes it back.
    full = make_account(friendly_name="Full")
    make_subaccount(full)
    Account.objects.filter(pk=full.pk).update(subaccount_limit=1)
    with pytest.raises(errors.SubaccountLimitReached):
        account_services.subaccount_create(parent=full, actor=Actor.system())
    assert_counted(full, 1)
    trial = make_account(friendly_name="Trial", type=Account.Type.TRIAL)
    with pytest.raises(errors.TrialRestriction):
        account_services.subaccount_create(parent=trial, actor=Actor.system(), own_balance=True)
    assert_counted(trial, 0)
    make_subaccount(trial)
    with pytest.raises(errors.SubaccountLimitReached):
        account_services.subaccount_create(parent=trial, actor=Actor.system())
    assert_counted(trial, 1)
    Account.objects.filter(pk=full.pk).update(status=Account.Status.SUSPENDED, subaccount_limit=5)
    with pytest.raises(errors.ParentNotActive):
        account_services.subaccount_create(parent=full, actor=Actor.system())
    assert_counted(full, 1)


@pytest.mark.django_db
def test_a_new_subaccount_takes_its_parent_as_it_is_now_not_a_stale_copy(make_account, make_user):
    stale = make_account(type=Account.Type.TRIAL)
    new_owner = make_user(email="new-owner@example.com")
    organization = OrganizationFactory(owner=new_owner)
    Account.objects.filter(pk=stale.pk).update(
        type=Account.Type.FULL, owner=new_owner, organization=organization, subaccount_limit=3
    )
    subaccount = account_services.subaccount_create(parent=stale, actor=Actor.system())
    subaccount.refresh_from_db()
    assert subaccount.type == Account.Type.FULL
    assert (subaccount.owner, subaccount.organization) == (new_owner, organization)
    # A trial account could have had only one; the Full one it has become has room for more.
    account_services.subaccount_create(parent=stale, actor=Actor.system())
    assert_counted(stale, 2)
