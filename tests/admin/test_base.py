"""Who reaches the admin (staff only: superusers and the Support group), and what every admin
page shares: searches that survive a NUL character."""

import pytest
from django.urls import reverse

from accounts.models import Account
from tests.factories import DEFAULT_PASSWORD

from .support import CHANGELIST, change_url

pytestmark = pytest.mark.django_db

Status = Account.Status


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
    # The admin's own form is gone: it sends everyone to the console's sign-in.
    response = client.post("/admin/login/", {"username": user.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302 and response["Location"].startswith("/signin/")
    assert "_auth_user_id" not in client.session

    client.post("/signin/", {"login": user.email, "password": DEFAULT_PASSWORD})
    assert client.get("/admin/").status_code == 302
    assert client.get("/admin/login/").status_code == 403


def test_staff_sign_in_to_the_admin_with_the_email_in_any_case(client, make_user):
    make_user(email="support@example.com", is_staff=True, is_superuser=True)

    assert client.get("/admin/")["Location"] == "/admin/login/?next=/admin/"
    assert client.get("/admin/login/?next=/admin/")["Location"] == "/signin/?next=%2Fadmin%2F"
    response = client.post(
        "/signin/?next=/admin/",
        {"login": "Support@Example.COM", "password": DEFAULT_PASSWORD, "next": "/admin/"},
    )

    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_admin_search_survives_a_nul_character(admin_client, account):
    response = admin_client.get(
        reverse("admin:accounts_account_changelist"), {"q": account.sid + "\x00"}
    )
    assert response.status_code == 200
    assert account.sid in response.content.decode()
