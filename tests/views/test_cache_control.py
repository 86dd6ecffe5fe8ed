"""Caches never keep what a signed-in user was shown (the dashboard carries the auth token),
nor an API answer to a request with credentials."""

import base64

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _no_store(response):
    directives = {d.strip() for d in response["Cache-Control"].split(",")}
    return {"no-store", "private"} <= directives


def test_the_dashboard_of_a_signed_in_user_is_no_store(client, account, user):
    client.force_login(user)
    response = client.get(reverse("console:account_dashboard", args=[account.sid]))
    assert response.status_code == 200
    assert _no_store(response)


@pytest.mark.parametrize("page", ["console:account_list", "console:home"])
def test_every_signed_in_page_and_redirect_is_no_store(client, user, account, page):
    client.force_login(user)
    assert _no_store(client.get(reverse(page)))


def test_signed_in_partials_denials_and_not_found_pages_are_no_store(
    client, user, account, make_account
):
    client.force_login(user)
    partial = client.get(
        reverse("console:subaccount_list", args=[account.sid]), headers={"HX-Request": "true"}
    )
    elsewhere = client.get(reverse("console:account_dashboard", args=[make_account().sid]))
    assert (partial.status_code, elsewhere.status_code) == (200, 404)
    assert _no_store(partial) and _no_store(elsewhere)


def test_api_answers_to_requests_with_credentials_are_no_store(client, account):
    token = base64.b64encode(f"{account.sid}:{account.auth_token}".encode()).decode()
    response = client.get(
        f"/2010-04-01/Accounts/{account.sid}.json", HTTP_AUTHORIZATION=f"Basic {token}"
    )
    assert response.status_code == 200
    assert _no_store(response)
