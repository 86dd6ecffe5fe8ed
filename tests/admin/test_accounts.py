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
    Organization,
    OrganizationMembership,
    User,
)
from accounts.services import accounts as account_services
from accounts.services.events import Actor
from tests.history import status_changes

pytestmark = pytest.mark.django_db

Status = Account.Status
Source = Account.StatusSource

CHANGELIST = "admin:accounts_account_changelist"


def change_url(account):
    return reverse("admin:accounts_account_change", args=[account.pk])


def bulk_subaccounts(parent, count, **fields):
    Account.objects.bulk_create(
        Account(friendly_name=f"Bulk {n}", parent=parent, owner_id=parent.owner_id, **fields)
        for n in range(count)
    )


def form_data(form):
    """What a browser would post back for an unchanged (bound or unbound) form."""
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None or value is False:
            continue
        data[form.add_prefix(name)] = "on" if value is True else value
    return data


def change_form_data(response):
    """The POST data of an admin change page as rendered, inlines included."""
    data = form_data(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        data.update(form_data(formset.management_form))
        for form in formset.initial_forms:
            data.update(form_data(form))
    return data


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def run_action(client, action, accounts, reason="Support ticket 42"):
    data = {"action": action, "_selected_action": [a.pk for a in accounts]}
    if reason is not None:
        data.update(apply="1", reason=reason)
    return client.post(reverse(CHANGELIST), data, follow=True)


# Who may reach the admin.


@pytest.mark.parametrize("url", ["/admin/", "/admin/accounts/account/", "/admin/accounts/user/"])
def test_anonymous_users_are_sent_to_the_admin_login(client, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


@pytest.mark.parametrize(
    "url", ["/admin/", "/admin/accounts/account/", "/admin/accounts/organization/"]
)
def test_customers_cannot_reach_the_admin(client, account, user, url):
    client.force_login(user)

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    response = client.get(change_url(account))
    assert response.status_code == 302


def test_customers_cannot_run_admin_actions(client, account, make_subaccount, user):
    subaccount = make_subaccount(account)
    client.force_login(user)

    response = client.post(
        reverse(CHANGELIST),
        {
            "action": "suspend_accounts",
            "_selected_action": [subaccount.pk],
            "apply": "1",
            "reason": "x",
        },
    )

    assert response.status_code == 302
    subaccount.refresh_from_db()
    assert subaccount.status == Status.ACTIVE


def test_customers_cannot_sign_in_to_the_admin(client, user):
    from tests.conftest import DEFAULT_PASSWORD

    response = client.post("/admin/login/", {"username": user.email, "password": DEFAULT_PASSWORD})

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_staff_sign_in_to_the_admin_with_the_email_in_any_case(client, make_user):
    from tests.conftest import DEFAULT_PASSWORD

    make_user(email="support@example.com", is_staff=True, is_superuser=True)

    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": "Support@Example.COM", "password": DEFAULT_PASSWORD},
    )

    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


# Users.


def test_staff_change_a_users_account_limit(admin_client, user):
    url = reverse("admin:accounts_user_change", args=[user.pk])
    data = change_form_data(admin_client.get(url))
    data["account_limit"] = "25"

    response = admin_client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    user.refresh_from_db()
    assert user.account_limit == 25
    assert user.check_password("a-long-test-password-42")


def test_staff_add_a_user_and_a_duplicate_email_in_other_case_is_refused(admin_client, user):
    url = reverse("admin:accounts_user_add")
    passwords = {"password1": "another-long-pass-99", "password2": "another-long-pass-99"}

    response = admin_client.post(url, {"email": "New.Person@Example.com", **passwords})
    assert response.status_code == 302
    assert User.objects.filter(email="new.person@example.com").exists()

    response = admin_client.post(url, {"email": user.email.upper(), **passwords})
    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    assert User.objects.filter(email__iexact=user.email).count() == 1


def test_user_changelist_searches_by_email_and_shows_the_limit(admin_client, make_user):
    make_user(email="findme@example.com", account_limit=42)
    make_user(email="other@example.com")

    response = admin_client.get(reverse("admin:accounts_user_changelist"), {"q": "findme"})

    assert response.status_code == 200
    assert list(response.context["cl"].result_list.values_list("email", flat=True)) == [
        "findme@example.com"
    ]
    assert b"42" in response.content


# Organizations.


def test_staff_add_an_organization_with_members(admin_client, make_user):
    owner, member = make_user(), make_user()
    prefix = "memberships"
    data = {
        "name": "Acme Inc",
        "account_limit": "5",
        f"{prefix}-TOTAL_FORMS": "2",
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
        f"{prefix}-0-user": owner.pk,
        f"{prefix}-0-role": "owner",
        f"{prefix}-1-user": member.pk,
        f"{prefix}-1-role": "member",
    }

    response = admin_client.post(reverse("admin:accounts_organization_add"), data)

    assert response.status_code == 302
    organization = Organization.objects.get()
    assert organization.account_limit == 5
    assert organization.sid.startswith("OR")
    assert dict(organization.memberships.values_list("user_id", "role")) == {
        owner.pk: "owner",
        member.pk: "member",
    }


def test_organization_change_page_shows_the_sid_read_only(admin_client, make_user):
    organization = Organization.objects.create(name="Acme Inc")
    OrganizationMembership.objects.create(organization=organization, user=make_user())
    url = reverse("admin:accounts_organization_change", args=[organization.pk])

    response = admin_client.get(url)

    assert response.status_code == 200
    assert organization.sid in response.content.decode()
    assert "sid" not in response.context["adminform"].form.fields


# Account lists: search and filters.


@pytest.fixture
def listed(make_account, make_subaccount, make_user):
    """Three families with distinct names, owners, statuses and types."""
    alpha = make_account(owner=make_user(email="alice@example.com"), friendly_name="Alpha Corp")
    beta = make_account(owner=make_user(email="bob@example.com"), friendly_name="Beta Labs")
    Account.objects.filter(pk=beta.pk).update(type=Account.Type.FULL)
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


def test_sids_tokens_status_and_balance_are_read_only(admin_client, account):
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
        if request.method == "POST":
            Account.objects.filter(pk=account.pk).update(
                status=Status.SUSPENDED, status_source=Source.SUPPORT, balance=Decimal("12.5")
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
    bulk_subaccounts(parent, 5)
    few = count_queries(admin_client, reverse(CHANGELIST))

    bulk_subaccounts(parent, 95)
    many = count_queries(admin_client, reverse(CHANGELIST))

    assert many == few
    assert many <= 12


def test_parent_change_page_query_count_does_not_grow_with_subaccounts(admin_client, make_account):
    parent = make_account()
    bulk_subaccounts(parent, 3)
    few = count_queries(admin_client, change_url(parent))

    bulk_subaccounts(parent, 1000 - 3)
    many = count_queries(admin_client, change_url(parent))

    assert many == few
    assert many <= 20


def test_subaccount_list_of_a_parent_query_count_is_bounded(admin_client, make_account):
    parent = make_account()
    bulk_subaccounts(parent, 5)
    url = reverse(CHANGELIST)
    params = {"parent__id__exact": parent.pk}
    few = count_queries(admin_client, url, params)

    bulk_subaccounts(parent, 200)
    many = count_queries(admin_client, url, params)

    assert many == few
