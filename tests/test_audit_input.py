"""Audit: bad input gets a clear answer, never a 500. PostgreSQL refuses text with a NUL
character (0x00) outright, so every place where request text reaches a query or a row must
keep it out; SQLite stores it, so these tests bite on PostgreSQL (as in CI)."""

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Account, AvailablePhoneNumber
from accounts.services import ledger as ledger_services
from accounts.services import numbers as number_services
from accounts.services.events import Actor
from tests.history import status_changes

pytestmark = pytest.mark.django_db

NUL = "a\x00b"
HTMX = {"HX-Request": "true"}


@pytest.fixture
def owner_client(user):
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


@pytest.fixture
def number(account):
    AvailablePhoneNumber.objects.create(phone_number="+14155550100", friendly_name="x")
    account.type = Account.Type.FULL
    account.save()
    ledger_services.funds_add(
        account=account, amount="10", actor=Actor.for_user(account.owner), reason="Top-up"
    )
    return number_services.number_buy(
        account=account, phone_number="+14155550100", actor=Actor.system()
    )


# --- Console ------------------------------------------------------------------------------


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
