"""Accounts in the admin: search and filters, the parent's and the subaccount's pages, fields
only services change, status actions through the services (with their cascade), spend caps,
events read-only, and query counts that do not grow with the rows."""

from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts import errors
from accounts.admin.accounts import AccountAdmin
from accounts.models import (
    Account,
)
from accounts.services import accounts as account_services
from accounts.services import ledger as ledger_services
from accounts.services.events import Actor
from tests.factories import SubaccountFactory, UsageRecordFactory
from tests.history import status_changes

from .support import CHANGELIST, change_form_data, change_url

pytestmark = pytest.mark.django_db

Status = Account.Status
Source = Account.StatusSource


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def run_action(client, action, accounts, reason="Support ticket 42"):
    data = {"action": action, "_selected_action": [a.pk for a in accounts]}
    if reason is not None:
        data.update(apply="1", reason=reason)
    return client.post(reverse(CHANGELIST), data, follow=True)


# Account lists: search and filters.


@pytest.fixture
def listed(make_account, make_subaccount, make_user):
    """Three families with distinct names, owners, statuses and types."""
    alpha = make_account(
        owner=make_user(email="alice@example.com"),
        friendly_name="Alpha Corp",
        type=Account.Type.TRIAL,
    )
    beta = make_account(owner=make_user(email="bob@example.com"), friendly_name="Beta Labs")
    alpha_sub = make_subaccount(alpha, "Alpha Customer")
    account_services.account_suspend(account=alpha_sub, actor=Actor.for_user(alpha.owner))
    return {"alpha": alpha, "beta": beta, "alpha_sub": alpha_sub}


def listed_sids(response):
    assert response.status_code == 200
    return {account.sid for account in response.context["cl"].result_list}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Beta", {"beta"}),
        ("alpha", {"alpha", "alpha_sub"}),
        ("bob@example.com", {"beta"}),
        ("alice@", {"alpha", "alpha_sub"}),
    ],
)
def test_account_search_by_friendly_name_and_owner_email(admin_client, listed, query, expected):
    response = admin_client.get(reverse(CHANGELIST), {"q": query})

    assert listed_sids(response) == {listed[name].sid for name in expected}


def test_account_search_by_sid(admin_client, listed):
    response = admin_client.get(reverse(CHANGELIST), {"q": listed["alpha_sub"].sid})

    assert listed_sids(response) == {listed["alpha_sub"].sid}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"status__exact": "suspended"}, {"alpha_sub"}),
        ({"status__exact": "active"}, {"alpha", "beta"}),
        ({"type__exact": "Full"}, {"beta"}),
        ({"type__exact": "Trial"}, {"alpha", "alpha_sub"}),
        ({"level": "top"}, {"alpha", "beta"}),
        ({"level": "sub"}, {"alpha_sub"}),
    ],
)
def test_account_filters_by_status_type_and_level(admin_client, listed, params, expected):
    response = admin_client.get(reverse(CHANGELIST), params)

    assert listed_sids(response) == {listed[name].sid for name in expected}


def test_account_changelist_shows_parent_links(admin_client, listed):
    response = admin_client.get(reverse(CHANGELIST))

    assert change_url(listed["alpha"]) in response.content.decode()


def test_accounts_cannot_be_added_or_deleted_in_the_admin(admin_client, account):
    assert admin_client.get(reverse("admin:accounts_account_add")).status_code == 403
    response = admin_client.get(reverse("admin:accounts_account_delete", args=[account.pk]))
    assert response.status_code == 403
    response = admin_client.post(
        reverse(CHANGELIST), {"action": "delete_selected", "_selected_action": [account.pk]}
    )
    assert Account.objects.filter(pk=account.pk).exists()


# The parent's page.


def test_parent_page_shows_its_subaccount_count_with_a_link_not_an_inline(
    admin_client, account, make_subaccount
):
    subaccounts = [make_subaccount(account, f"Sub {n}") for n in range(3)]
    account_services.account_close(account=subaccounts[0], actor=Actor.for_user(account.owner))

    response = admin_client.get(change_url(account))

    page = response.content.decode()
    link = reverse(CHANGELIST) + f"?parent__id__exact={account.pk}"
    assert f'<a href="{link}">3 subaccounts</a> (2 open of a limit of 1000)' in page
    assert not any(s.sid in page for s in subaccounts)

    listed = admin_client.get(link)
    assert listed_sids(listed) == {s.sid for s in subaccounts}


def test_subaccount_page_links_to_its_parent(admin_client, account, make_subaccount):
    subaccount = make_subaccount(account)

    response = admin_client.get(change_url(subaccount))

    page = response.content.decode()
    assert response.status_code == 200
    assert account.sid in page
    assert "a subaccount has no subaccounts" in page
    assert "subaccount_limit" not in response.context["adminform"].form.fields


def test_sids_tokens_status_and_balance_are_read_only(admin_client, trial):
    account = trial
    response = admin_client.get(change_url(account))
    form = response.context["adminform"].form
    assert "subaccount_limit" in form.fields
    assert not {"sid", "auth_token", "status", "status_source", "balance", "type"} & set(
        form.fields
    )
    original = Account.objects.get(pk=account.pk)
    data = change_form_data(response)
    data.update(
        sid="AC" + "0" * 32,
        auth_token="f" * 32,
        status="closed",
        balance="1000",
        type="Full",
        subaccount_limit="2500",
    )

    response = admin_client.post(change_url(account), data)

    assert response.status_code == 302
    account.refresh_from_db()
    assert account.subaccount_limit == 2500
    assert (account.sid, account.auth_token, account.status, account.balance, account.type) == (
        original.sid,
        original.auth_token,
        Status.ACTIVE,
        original.balance,
        Account.Type.TRIAL,
    )


def test_the_account_page_links_to_its_ledger_and_has_no_balance_field(admin_client, account):
    html = admin_client.get(
        reverse("admin:accounts_account_change", args=[account.pk])
    ).content.decode()
    assert "Add funds or adjust the balance" in html
    assert 'name="balance"' not in html


def test_account_roles_are_read_only_in_the_admin(admin_client, account):
    html = admin_client.get(
        reverse("admin:accounts_account_change", args=[account.pk])
    ).content.decode()
    assert account.owner.email in html
    assert 'name="memberships-0-role"' not in html


def test_saving_the_change_page_keeps_concurrent_status_and_balance_changes(
    admin_client, account, monkeypatch
):
    # The admin edits names and limits; status and balance change only through services,
    # possibly while the page is being saved. The save must not write them back.
    data = change_form_data(admin_client.get(change_url(account)))
    data["friendly_name"] = "Renamed by support"
    get_object = AccountAdmin.get_object

    def get_object_then_concurrent_change(self, request, object_id, from_field=None):
        obj = get_object(self, request, object_id, from_field)
        if request.method == "POST":  # meanwhile, elsewhere: funds arrive, support suspends
            ledger_services.funds_add(
                account=account, amount="12.5", reason="Wire received", actor=Actor.system()
            )
            account_services.account_suspend(
                account=account, source=Source.SUPPORT, reason="Review", actor=Actor.system()
            )
        return obj

    monkeypatch.setattr(AccountAdmin, "get_object", get_object_then_concurrent_change)

    response = admin_client.post(change_url(account), data)

    assert response.status_code == 302
    account.refresh_from_db()
    assert account.friendly_name == "Renamed by support"
    assert (account.status, account.balance) == (Status.SUSPENDED, Decimal("12.5"))


def test_closed_account_cannot_be_renamed_in_the_admin(admin_client, account):
    account_services.account_close(account=account, actor=Actor.for_user(account.owner))
    response = admin_client.get(change_url(account))
    assert "friendly_name" not in response.context["adminform"].form.fields
    data = change_form_data(response)
    data["friendly_name"] = "Back from the dead"

    admin_client.post(change_url(account), data)

    account.refresh_from_db()
    assert account.friendly_name == "Acme"


def test_subaccount_limit_edit_in_the_admin_is_validated(admin_client, account):
    data = change_form_data(admin_client.get(change_url(account)))
    data["subaccount_limit"] = "-1"

    response = admin_client.post(change_url(account), data)

    assert response.status_code == 200
    account.refresh_from_db()
    assert account.subaccount_limit == 1000


def test_support_cannot_give_a_subaccount_a_negative_spend_cap(
    admin_client, account, make_subaccount
):
    sub = make_subaccount(account)
    data = change_form_data(admin_client.get(change_url(sub)))
    data["monthly_spend_cap"] = "-5"

    response = admin_client.post(change_url(sub), data)

    assert response.status_code == 200  # the form again, with the service's message
    assert errors.SPEND_CAP_NEGATIVE in response.content.decode()
    sub.refresh_from_db()
    assert sub.monthly_spend_cap is None


def test_support_cannot_change_a_closed_subaccounts_spend_cap(
    admin_client, account, make_subaccount
):
    sub = make_subaccount(account)
    ledger_services.spend_cap_set(subaccount=sub, cap=Decimal("4"), actor=Actor.system())
    account_services.account_close(account=sub, actor=Actor.for_user(account.owner))
    data = change_form_data(admin_client.get(change_url(sub)))
    data["monthly_spend_cap"] = "400"

    admin_client.post(change_url(sub), data)

    sub.refresh_from_db()
    assert sub.monthly_spend_cap == Decimal("4")


def test_support_sets_a_spend_cap_through_the_admin(admin_client, account, make_subaccount):
    sub = make_subaccount(account)
    data = change_form_data(admin_client.get(change_url(sub)))
    data["monthly_spend_cap"] = "7.5"

    response = admin_client.post(change_url(sub), data)

    assert response.status_code == 302
    sub.refresh_from_db()
    assert sub.monthly_spend_cap == Decimal("7.5")


# Status actions go through the services.


def test_status_action_first_asks_for_a_reason(admin_client, account):
    response = run_action(admin_client, "suspend_accounts", [account], reason=None)

    assert response.status_code == 200
    assert response.templates[0].name == "admin/accounts/account/status_action.html"
    assert account.sid in response.content.decode()
    account.refresh_from_db()
    assert account.status == Status.ACTIVE


def test_status_action_requires_a_reason(admin_client, account):
    response = run_action(admin_client, "suspend_accounts", [account], reason="")

    assert response.status_code == 200
    assert response.context["form"].errors["reason"]
    account.refresh_from_db()
    assert account.status == Status.ACTIVE


def test_suspend_action_cascades_and_records_support_events(
    admin_client, admin_user, account, make_subaccount
):
    subaccounts = [make_subaccount(account, f"Sub {n}") for n in range(2)]

    response = run_action(admin_client, "suspend_accounts", [account], reason="Chargeback")

    assert "Suspended 1 account(s)." in messages_of(response)
    account.refresh_from_db()
    assert (account.status, account.status_source) == (Status.SUSPENDED, Source.SUPPORT)
    event = status_changes(account)[0]
    assert (event.new_status, event.source, event.actor, event.reason) == (
        "suspended",
        "support",
        admin_user,
        "Chargeback",
    )
    for subaccount in subaccounts:
        subaccount.refresh_from_db()
        assert (subaccount.status, subaccount.status_source) == (Status.SUSPENDED, Source.PARENT)
        assert status_changes(subaccount)[0].source == Source.PARENT

    # The owner cannot lift a support suspension.
    with pytest.raises(errors.SuspendedBySupport):
        account_services.account_reactivate(
            account=subaccounts[0].parent, actor=Actor.for_user(account.owner)
        )

    run_action(admin_client, "reactivate_accounts", [account], reason="Resolved")

    for subaccount in [account, *subaccounts]:
        subaccount.refresh_from_db()
        assert subaccount.status == Status.ACTIVE


def test_reactivate_action_keeps_subaccounts_suspended_on_their_own(
    admin_client, account, make_subaccount
):
    own, cascaded = make_subaccount(account, "Own"), make_subaccount(account, "Cascaded")
    account_services.account_suspend(account=own, actor=Actor.for_user(account.owner))
    run_action(admin_client, "suspend_accounts", [account])

    run_action(admin_client, "reactivate_accounts", [account])

    own.refresh_from_db()
    cascaded.refresh_from_db()
    assert own.status == Status.SUSPENDED
    assert cascaded.status == Status.ACTIVE


def test_the_admin_action_on_a_balance_suspended_account_holds(admin_client, account, user):
    ledger_services.funds_add(account=account, amount="5", actor=Actor.system(), reason="Top-up")
    UsageRecordFactory(account=account, price="5")  # the balance runs out: suspended
    account.refresh_from_db()
    assert account.status == "suspended" and account.status_source == Source.BALANCE

    admin_client.post(
        reverse("admin:accounts_account_changelist"),
        {
            "action": "suspend_accounts",
            "_selected_action": [account.pk],
            "apply": "1",
            "reason": "Chargeback",
        },
    )
    ledger_services.funds_add(
        account=account, amount="10", actor=Actor.for_user(user), reason="Top-up"
    )

    account.refresh_from_db()
    assert account.status == "suspended" and account.status_source == Source.SUPPORT


def test_close_action_is_final_and_refusals_are_reported(admin_client, account, make_subaccount):
    subaccount = make_subaccount(account)

    response = run_action(admin_client, "close_accounts", [account], reason="Customer request")
    assert "Closed 1 account(s)." in messages_of(response)
    subaccount.refresh_from_db()
    assert subaccount.status == Status.CLOSED

    response = run_action(admin_client, "reactivate_accounts", [account, subaccount])

    assert set(messages_of(response)) == {
        f"{account.sid}: {errors.ACCOUNT_CLOSED}",
        f"{subaccount.sid}: {errors.ACCOUNT_CLOSED}",
    }
    account.refresh_from_db()
    assert account.status == Status.CLOSED
    assert status_changes(account)[0].source == Source.SUPPORT


def test_action_on_a_subaccount_of_a_suspended_parent_is_refused(
    admin_client, account, make_subaccount
):
    subaccount = make_subaccount(account)
    run_action(admin_client, "suspend_accounts", [account])

    response = run_action(admin_client, "reactivate_accounts", [subaccount])

    assert messages_of(response) == [f"{subaccount.sid}: {errors.PARENT_SUSPENDED}"]
    subaccount.refresh_from_db()
    assert subaccount.status == Status.SUSPENDED


def test_upgrade_action(admin_client, account, make_subaccount):
    subaccount = make_subaccount(account)

    response = admin_client.post(
        reverse(CHANGELIST),
        {"action": "upgrade_accounts", "_selected_action": [subaccount.pk]},
        follow=True,
    )

    assert "Upgraded 1 account(s) to Full." in messages_of(response)
    account.refresh_from_db()
    assert account.type == Account.Type.FULL


def test_event_admin_is_read_only_and_finds_events_by_sid(admin_client, account):
    event = status_changes(account)[0].event

    changelist = reverse("admin:accounts_event_changelist")
    listing = admin_client.get(changelist, {"q": event.sid})
    assert listing.status_code == 200 and event.sid in listing.content.decode()
    assert event.sid not in admin_client.get(changelist, {"q": "AE" + "0" * 32}).content.decode()
    url = reverse("admin:accounts_event_change", args=[event.pk])
    assert admin_client.get(url).status_code == 200
    admin_client.post(url, {"event_type": "account.deleted"})
    event.refresh_from_db()
    assert event.event_type == "account.created"
    assert admin_client.get(reverse("admin:accounts_event_add")).status_code == 403


# Query counts stay bounded however many subaccounts there are.


def count_queries(client, url, params=None):
    # The first admin page a process serves also fills Django's content-type cache (one
    # query, once): count from the second request, so the count does not depend on which
    # tests ran before in the same process.
    client.get(url, params or {})
    with CaptureQueriesContext(connection) as context:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(context.captured_queries)


def test_changelist_query_count_does_not_grow_with_the_rows(admin_client, make_account):
    parent = make_account()
    SubaccountFactory.bulk(parent, 5)
    few = count_queries(admin_client, reverse(CHANGELIST))

    SubaccountFactory.bulk(parent, 95)
    many = count_queries(admin_client, reverse(CHANGELIST))

    assert many == few
    assert many <= 12


def test_parent_change_page_query_count_does_not_grow_with_subaccounts(admin_client, make_account):
    parent = make_account()
    SubaccountFactory.bulk(parent, 3)
    few = count_queries(admin_client, change_url(parent))

    SubaccountFactory.bulk(parent, 1000 - 3)
    many = count_queries(admin_client, change_url(parent))

    assert many == few
    assert many <= 20


def test_subaccount_list_of_a_parent_query_count_is_bounded(admin_client, make_account):
    parent = make_account()
    SubaccountFactory.bulk(parent, 5)
    url = reverse(CHANGELIST)
    params = {"parent__id__exact": parent.pk}
    few = count_queries(admin_client, url, params)

    SubaccountFactory.bulk(parent, 200)
    many = count_queries(admin_client, url, params)

    assert many == few
