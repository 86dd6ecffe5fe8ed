"""Audit: who may do what. Redirects stay on the site, a role on one subaccount does not carry
the parent's powers over it, support staff cannot raise their own privileges, and every
state-changing console request needs a CSRF token."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from accounts import errors, roles
from accounts.models import Account, AccountMembership, AvailablePhoneNumber, User
from accounts.services import accounts as account_services
from accounts.services import invitations as invitation_services
from accounts.services import ledger as ledger_services
from accounts.services import organizations as organization_services
from accounts.services.events import Actor
from tests.test_admin import change_form_data

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


@pytest.fixture
def owner_client(client, user):
    client.force_login(user)
    return client


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


# --- Redirects after a form: only to this site ---------------------------------------------


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:x"]
)
def test_rename_never_redirects_off_the_site(owner_client, account, target):
    response = owner_client.post(
        reverse("console:account_rename", args=[account.sid]),
        {"friendly_name": "Renamed", "next_page": target},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("console:account_dashboard", args=[account.sid])
    account.refresh_from_db()
    assert account.friendly_name == "Renamed"


def test_rename_still_returns_to_the_page_it_came_from(owner_client, account):
    settings_url = reverse("console:account_settings", args=[account.sid])
    response = owner_client.post(
        reverse("console:account_rename", args=[account.sid]),
        {"friendly_name": "Renamed", "next_page": settings_url},
    )

    assert response["Location"] == settings_url


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example", "-1", "logout"])
def test_subaccount_row_actions_never_redirect_off_the_site_nor_fail(
    owner_client, account, make_subaccount, target
):
    sub = make_subaccount(account)
    listing = reverse("console:subaccount_list", args=[account.sid])

    renamed = owner_client.post(
        reverse("console:subaccount_rename", args=[account.sid, sub.sid]),
        {"friendly_name": "Renamed", "next": target},
    )
    suspended = owner_client.post(
        reverse("console:subaccount_status", args=[account.sid, sub.sid]),
        {"action": "suspend", "next": target},
    )
    refused = owner_client.post(
        reverse("console:subaccount_rename", args=[account.sid, sub.sid]),
        {"friendly_name": "", "next": target},
    )

    for response in (renamed, suspended):
        assert response.status_code == 302
        assert response["Location"] == listing
    # A refusal shows the page again, with the error and what was typed: no redirect at all.
    assert refused.status_code == 422 and "Location" not in refused
    sub.refresh_from_db()
    assert sub.friendly_name == "Renamed" and sub.status == Account.Status.SUSPENDED


def test_subaccount_row_actions_keep_a_local_next_page(owner_client, account, make_subaccount):
    sub = make_subaccount(account)
    back = reverse("console:subaccount_list", args=[account.sid]) + "?q=Sub&page=2"

    response = owner_client.post(
        reverse("console:subaccount_rename", args=[account.sid, sub.sid]),
        {"friendly_name": "Renamed", "next": back},
    )

    assert response["Location"] == back


# --- A role on one subaccount only is not a role on its parent -----------------------------


@pytest.fixture
def family(account, make_subaccount):
    return account, make_subaccount(account, friendly_name="Customer 42")


def subaccount_user(sub, make_user, role):
    person = make_user()
    AccountMembership.objects.create(account=sub, user=person, role=role)
    return person


def test_a_billing_manager_of_the_subaccount_alone_cannot_lift_its_spend_cap(family, make_user):
    main, sub = family
    ledger_services.spend_cap_set(subaccount=sub, cap=Decimal("10"), actor=Actor.system())
    person = subaccount_user(sub, make_user, roles.BILLING_MANAGER)
    client = signed_in(person)

    response = client.post(
        reverse("console:account_spend_cap", args=[sub.sid]), {"monthly_spend_cap": ""}
    )

    assert response.status_code == 403
    sub.refresh_from_db()
    assert sub.monthly_spend_cap == Decimal("10")
    # The settings page does not offer the form either.
    page = client.get(reverse("console:account_settings", args=[sub.sid])).content.decode()
    assert reverse("console:account_spend_cap", args=[sub.sid]) not in page


def test_a_billing_manager_of_the_main_account_sets_its_subaccounts_spend_cap(family, make_user):
    main, sub = family
    person = make_user()
    AccountMembership.objects.create(account=main, user=person, role=roles.BILLING_MANAGER)

    response = signed_in(person).post(
        reverse("console:account_spend_cap", args=[sub.sid]), {"monthly_spend_cap": "12"}
    )

    assert response.status_code == 302
    sub.refresh_from_db()
    assert sub.monthly_spend_cap == Decimal("12")


def test_an_administrator_of_the_subaccount_alone_cannot_close_it(family, make_user):
    main, sub = family
    person = subaccount_user(sub, make_user, roles.ADMINISTRATOR)
    client = signed_in(person)

    response = client.post(reverse("console:account_close", args=[sub.sid]), {"reason": "bye"})

    assert response.status_code == 403
    sub.refresh_from_db()
    assert sub.status == Account.Status.ACTIVE
    page = client.get(reverse("console:account_settings", args=[sub.sid])).content.decode()
    assert reverse("console:account_close", args=[sub.sid]) not in page


def test_an_administrator_of_the_subaccount_alone_still_manages_it(family, make_user):
    """What the role on the subaccount itself does give: rename it, manage its users."""
    main, sub = family
    person = subaccount_user(sub, make_user, roles.ADMINISTRATOR)
    client = signed_in(person)

    renamed = client.post(
        reverse("console:account_rename", args=[sub.sid]), {"friendly_name": "EU"}
    )
    users = client.get(reverse("console:user_list", args=[sub.sid]))

    assert renamed.status_code == 302 and users.status_code == 200
    assert client.get(reverse("console:account_dashboard", args=[main.sid])).status_code == 404


def test_an_administrator_of_the_main_account_closes_a_subaccount_from_its_settings(
    family, make_user
):
    main, sub = family
    person = make_user()
    AccountMembership.objects.create(account=main, user=person, role=roles.ADMINISTRATOR)

    response = signed_in(person).post(
        reverse("console:account_close", args=[sub.sid]), {"reason": "x"}
    )

    assert response.status_code == 302
    sub.refresh_from_db()
    assert sub.status == Account.Status.CLOSED


def test_an_organization_administrator_keeps_the_parents_powers_on_subaccounts(
    org, admin, owner, make_account, make_subaccount
):
    main = organization_services.organization_account_create(
        organization=org, friendly_name="Org main", actor=Actor.for_user(owner)
    )
    sub = make_subaccount(main)

    response = signed_in(admin).post(
        reverse("console:account_spend_cap", args=[sub.sid]), {"monthly_spend_cap": "3"}
    )

    assert response.status_code == 302
    sub.refresh_from_db()
    assert sub.monthly_spend_cap == Decimal("3")


# --- Support staff in the admin -----------------------------------------------------------


@pytest.fixture
def agent(make_user):
    """A support agent: staff, in the Support group, not a superuser."""
    person = make_user(email="agent@example.com", is_staff=True)
    person.groups.add(Group.objects.get(name="Support"))
    return person


def user_change_url(person):
    return reverse("admin:accounts_user_change", args=[person.pk])


def test_support_staff_cannot_make_themselves_superuser(agent):
    client = signed_in(agent)
    data = change_form_data(client.get(user_change_url(agent)))
    data.update(is_superuser="on", account_limit="50")

    response = client.post(user_change_url(agent), data)

    assert response.status_code == 302
    agent.refresh_from_db()
    assert not agent.is_superuser
    assert agent.account_limit == 50  # what support may edit still saves


def test_support_staff_cannot_grant_permissions_or_groups(agent, make_user):
    customer = make_user()
    client = signed_in(agent)
    data = change_form_data(client.get(user_change_url(customer)))
    data.update(
        is_staff="on",
        groups=[Group.objects.get(name="Support").pk],
        user_permissions=[1],
    )

    client.post(user_change_url(customer), data)

    customer.refresh_from_db()
    assert not customer.is_staff
    assert not customer.groups.exists() and not customer.user_permissions.exists()


def test_support_staff_cannot_change_a_superuser_or_their_password(agent):
    root = User.objects.create_superuser(email="root@example.com", password="x-long-pass-42")
    client = signed_in(agent)

    password = client.post(
        reverse("admin:auth_user_password_change", args=[root.pk]),
        {"password1": "new-long-pass-42", "password2": "new-long-pass-42"},
    )
    deactivated = client.post(
        user_change_url(root), {"email": root.email, "account_limit": "10", "is_active": ""}
    )

    assert password.status_code == 403
    assert deactivated.status_code == 403
    root.refresh_from_db()
    assert root.check_password("x-long-pass-42") and root.is_active


def test_superusers_still_manage_permissions(admin_client, make_user):
    person = make_user(is_staff=True)
    data = change_form_data(admin_client.get(user_change_url(person)))
    data.update(groups=[Group.objects.get(name="Support").pk])

    admin_client.post(user_change_url(person), data)

    assert person.groups.filter(name="Support").exists()


def account_change_url(account):
    return reverse("admin:accounts_account_change", args=[account.pk])


def test_support_cannot_give_a_subaccount_a_negative_spend_cap(
    admin_client, account, make_subaccount
):
    sub = make_subaccount(account)
    data = change_form_data(admin_client.get(account_change_url(sub)))
    data["monthly_spend_cap"] = "-5"

    response = admin_client.post(account_change_url(sub), data)

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
    data = change_form_data(admin_client.get(account_change_url(sub)))
    data["monthly_spend_cap"] = "400"

    admin_client.post(account_change_url(sub), data)

    sub.refresh_from_db()
    assert sub.monthly_spend_cap == Decimal("4")


def test_support_sets_a_spend_cap_through_the_admin(admin_client, account, make_subaccount):
    sub = make_subaccount(account)
    data = change_form_data(admin_client.get(account_change_url(sub)))
    data["monthly_spend_cap"] = "7.5"

    response = admin_client.post(account_change_url(sub), data)

    assert response.status_code == 302
    sub.refresh_from_db()
    assert sub.monthly_spend_cap == Decimal("7.5")


# --- CSRF: every state change in the console needs the token -------------------------------


def test_every_console_post_needs_a_csrf_token(user, account, make_subaccount, make_user, org):
    sub = make_subaccount(account)
    member = make_user()
    AccountMembership.objects.create(account=account, user=member, role=roles.DEVELOPER)
    AvailablePhoneNumber.objects.create(phone_number="+14155550100", friendly_name="x")
    invitation = invitation_services.invitation_create(
        email="x@example.com",
        actor=Actor.for_user(user),
        base_url="http://testserver/",
        account=account,
        roles_=[roles.SUPPORT],
    )
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    a, s = account.sid, sub.sid
    posts = [
        ("/console/accounts/", {"friendly_name": "New"}),
        (f"/console/{a}/rename/", {"friendly_name": "New"}),
        (f"/console/{s}/spend-cap/", {"monthly_spend_cap": "1"}),
        (f"/console/{s}/close/", {}),
        (f"/console/{a}/subaccounts/", {"friendly_name": "New"}),
        (f"/console/{a}/subaccounts/{s}/rename/", {"friendly_name": "New"}),
        (f"/console/{a}/subaccounts/{s}/status/", {"action": "suspend"}),
        (f"/console/{a}/users/", {"email": "y@example.com", "roles": ["support"]}),
        (f"/console/{a}/users/{member.pk}/roles/", {"roles": ["support"]}),
        (f"/console/{a}/users/{member.pk}/remove/", {}),
        (f"/console/{a}/users/transfer/", {"new_owner": member.pk}),
        (f"/console/{a}/invitations/{invitation.pk}/revoke/", {}),
        (f"/console/{a}/phone-numbers/buy/", {"phone_number": "+14155550100"}),
        ("/orgs/", {"name": "New org"}),
        (f"/orgs/{org.sid}/accounts/", {"friendly_name": "x"}),
        ("/signout/", {}),
    ]
    for url, data in posts:
        for headers in ({}, HTMX):
            response = client.post(url, data, headers=headers)
            assert response.status_code == 403, url
    account.refresh_from_db()
    sub.refresh_from_db()
    assert account.friendly_name == "Acme" and sub.status == Account.Status.ACTIVE
    assert Account.objects.count() == 2
    assert AccountMembership.objects.filter(user=member).exists()


# --- An Administrator cannot become or unseat the Owner (checked sound) --------------------


def test_an_administrator_cannot_take_or_touch_the_owner_role(account, make_user):
    admin = make_user()
    AccountMembership.objects.create(account=account, user=admin, role=roles.ADMINISTRATOR)
    client = signed_in(admin)
    owner = account.owner

    client.post(reverse("console:user_roles", args=[account.sid, admin.pk]), {"roles": ["owner"]})
    client.post(reverse("console:user_roles", args=[account.sid, owner.pk]), {"roles": ["support"]})
    client.post(reverse("console:user_remove", args=[account.sid, owner.pk]))
    transfer = client.post(
        reverse("console:ownership_transfer", args=[account.sid]), {"new_owner": admin.pk}
    )
    close = client.post(reverse("console:account_close", args=[account.sid]))

    assert transfer.status_code == 403 and close.status_code == 403
    account.refresh_from_db()
    assert account.owner == owner and account.status == Account.Status.ACTIVE
    assert set(AccountMembership.objects.filter(account=account).values_list("user", "role")) == {
        (owner.pk, roles.OWNER),
        (admin.pk, roles.ADMINISTRATOR),
    }
