"""Races on the inventory of numbers (PostgreSQL only): loading it while numbers are bought,
and buying by area code in parallel."""

import base64
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.test import Client

from accounts import errors
from accounts.models import Account, AvailablePhoneNumber, IncomingPhoneNumber
from accounts.services import ledger as ledger_services
from accounts.services import numbers as number_services
from accounts.services.events import Actor
from tests.locks import lock_held, start, wait_until_blocked
from tests.races import run_at_once

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]

NUMBER = "+14155550150"


@pytest.fixture
def make_funded(make_account):
    """A Full main account with $100 to spend on numbers."""

    def make_funded(name="Funded"):
        account = make_account(friendly_name=name)
        ledger_services.funds_add(
            account=account, amount="100", actor=Actor.system(), reason="Top-up"
        )
        Account.objects.filter(pk=account.pk).update(type=Account.Type.FULL)
        account.refresh_from_db()
        return account

    return make_funded


def _api_buy(account, **parameters):
    credentials = base64.b64encode(f"{account.sid}:{account.auth_token}".encode()).decode()
    return Client(raise_request_exception=False).post(
        f"/2010-04-01/Accounts/{account.sid}/IncomingPhoneNumbers.json",
        parameters,
        HTTP_AUTHORIZATION=f"Basic {credentials}",
    )


def _load(area_codes="415"):
    call_command("load_numbers", "--area-codes", area_codes, stdout=io.StringIO())


def test_loading_the_inventory_while_a_number_is_bought_does_not_restock_it(
    postgres_only, make_funded
):
    _load()
    buyer, later_buyer = make_funded("Buyer"), make_funded("Later buyer")
    # The purchase has taken the number out of the inventory and waits (for the usage table)
    # to record its first month; the load starts meanwhile, and runs into the purchase.
    with lock_held("LOCK TABLE accounts_usagerecord IN EXCLUSIVE MODE"):
        purchase = start(
            lambda: number_services.number_buy(
                account=buyer, phone_number=NUMBER, actor=Actor.system()
            )
        )
        wait_until_blocked(1)
        loading = start(_load)
        wait_until_blocked(2, unless_finished=loading)
    bought, loaded = purchase.outcome(), loading.outcome()

    assert isinstance(bought, IncomingPhoneNumber), bought
    assert loaded is None, loaded
    assert not AvailablePhoneNumber.objects.filter(phone_number=NUMBER).exists()
    assert AvailablePhoneNumber.objects.filter(phone_number__startswith="+1415").count() == 99
    # The number is not for sale, and asking for it is a refusal, never a server error.
    by_number = _api_buy(later_buyer, PhoneNumber=NUMBER)
    assert by_number.status_code == 400, by_number.content
    assert by_number.json()["code"] == errors.API_NUMBER_NOT_AVAILABLE_CODE
    by_area_code = _api_buy(later_buyer, AreaCode="415")
    assert by_area_code.status_code == 201, by_area_code.content
    assert by_area_code.json()["phone_number"] != NUMBER


def test_parallel_buyers_by_area_code_get_different_numbers(postgres_only, make_funded):
    _load("415")
    buyers = [make_funded(f"Buyer {n}") for n in range(20)]

    responses = run_at_once(*[lambda b=b: _api_buy(b, AreaCode="415") for b in buyers])

    assert [r.status_code for r in responses] == [201] * 20, [r.content for r in responses]
    numbers = {r.json()["phone_number"] for r in responses}
    assert len(numbers) == 20
    assert all(number.startswith("+1415555") for number in numbers)
    assert AvailablePhoneNumber.objects.filter(phone_number__startswith="+1415").count() == 80
    for buyer in buyers:
        buyer.refresh_from_db()
        assert buyer.balance == Decimal("100") - Decimal("1.15")


def test_parallel_buyers_by_area_code_share_out_the_last_numbers(postgres_only, make_funded):
    _load("415")
    AvailablePhoneNumber.objects.exclude(phone_number__in=[NUMBER, "+14155550151"]).delete()
    buyers = [make_funded(f"Buyer {n}") for n in range(10)]

    responses = run_at_once(*[lambda b=b: _api_buy(b, AreaCode="415") for b in buyers])

    bought = [r for r in responses if r.status_code == 201]
    refused = [r for r in responses if r.status_code != 201]
    assert sorted(r.json()["phone_number"] for r in bought) == [NUMBER, "+14155550151"]
    assert {(r.status_code, r.json()["code"]) for r in refused} == {
        (400, errors.API_AREA_CODE_EMPTY_CODE)
    }
    assert not AvailablePhoneNumber.objects.exists()
