"""One set of accounts: what the API creates, the console and the admin see, and back."""

import pytest

from accounts.selectors import accounts as account_selectors
from accounts.services import accounts as account_services
from accounts.services.events import Actor

from .support import ACCOUNTS


@pytest.fixture
def api_subaccount_sid(api, main_account):
    response = api.post(ACCOUNTS, {"FriendlyName": "Made by a script"}, as_=main_account)
    assert response.status_code == 201
    return response.json()["sid"]


def test_an_api_subaccount_appears_in_the_admin(client, make_user, api_subaccount_sid):
    staff = make_user(is_staff=True, is_superuser=True)
    client.force_login(staff)
    response = client.get("/admin/accounts/account/", {"q": api_subaccount_sid})
    assert response.status_code == 200
    assert api_subaccount_sid in response.content.decode()


def test_an_api_subaccount_is_reachable_by_its_owner(owner, api_subaccount_sid):
    reachable = account_selectors.account_list_for_user(user=owner)
    assert reachable.filter(sid=api_subaccount_sid).exists()
    account = account_selectors.account_get_for_user(user=owner, sid=api_subaccount_sid)
    assert account.friendly_name == "Made by a script"


def test_an_api_subaccount_appears_on_the_console_subaccounts_page(
    client, owner, main_account, api_subaccount_sid
):
    client.force_login(owner)
    response = client.get(f"/console/{main_account.sid}/subaccounts/")
    assert response.status_code == 200
    assert api_subaccount_sid in response.content.decode()


def test_a_console_subaccount_appears_in_the_api_list(api, main_account, owner):
    # The console creates subaccounts with the same service.
    subaccount = account_services.subaccount_create(
        parent=main_account, friendly_name="Made in the console", actor=Actor.for_user(owner)
    )
    response = api.get(ACCOUNTS, {"FriendlyName": "Made in the console"}, as_=main_account)
    assert [record["sid"] for record in response.json()["accounts"]] == [subaccount.sid]
