"""What every console page shares (accounts/views/common.py): a CSRF token on every state
change, and text with a NUL character that never reaches the database."""

import pytest
from django.test import Client
from django.urls import reverse

from accounts import roles
from accounts.models import Account, AccountMembership
from accounts.services import invitations as invitation_services
from accounts.services.events import Actor
from tests.factories import AvailablePhoneNumberFactory
from tests.history import status_changes
from tests.support import HTMX, NUL


def test_every_console_post_needs_a_csrf_token(user, account, make_subaccount, make_member, org):
    sub = make_subaccount(account)
    member = make_member(account, roles.DEVELOPER)
    AvailablePhoneNumberFactory(phone_number="+14155550100")
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


# Text with a NUL character: PostgreSQL refuses it in a query or a row, so searches, SIDs
# and reasons from a request never take it there (SQLite stores it: these bite on PostgreSQL).


@pytest.mark.parametrize(
    "page", ["console:subaccount_list", "console:phone_number_list", "console:account_switcher"]
)
@pytest.mark.parametrize("headers", [{}, HTMX])
def test_searching_with_a_nul_character_finds_nothing_instead_of_failing(
    owner_client, account, make_subaccount, page, headers
):
    make_subaccount(account, friendly_name="ab")

    response = owner_client.get(reverse(page, args=[account.sid]), {"q": NUL}, headers=headers)

    assert response.status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/console/{nul}/",
        "/console/{account}/subaccounts/{nul}/close/",
        "/console/{account}/phone-numbers/{nul}/release/",
        "/orgs/{nul}/",
    ],
)
def test_a_sid_with_a_nul_character_is_not_found(owner_client, account, path):
    url = path.format(account=account.sid, nul="AC%00")

    assert owner_client.get(url).status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/console/{account}/subaccounts/{nul}/rename/",
        "/console/{account}/phone-numbers/{nul}/rename/",
    ],
)
def test_an_action_on_a_sid_with_a_nul_character_is_not_found(owner_client, account, path):
    url = path.format(account=account.sid, nul="AC%00")

    assert owner_client.post(url, {"friendly_name": "x"}).status_code == 404


def test_a_close_reason_with_a_nul_character_still_closes(owner_client, account, make_subaccount):
    sub = make_subaccount(account)

    response = owner_client.post(reverse("console:account_close", args=[sub.sid]), {"reason": NUL})

    assert response.status_code == 302
    sub.refresh_from_db()
    assert sub.status == Account.Status.CLOSED
    assert [c.reason for c in status_changes(sub) if c.new_status == "closed"] == ["ab"]


@pytest.mark.parametrize("headers", [{}, HTMX])
def test_a_row_action_reason_with_a_nul_character_still_acts(
    owner_client, account, make_subaccount, headers
):
    sub = make_subaccount(account)

    response = owner_client.post(
        reverse("console:subaccount_status", args=[account.sid, sub.sid]),
        {"action": "suspend", "reason": NUL},
        headers=headers,
    )

    assert response.status_code in (200, 302)
    sub.refresh_from_db()
    assert sub.status == Account.Status.SUSPENDED
