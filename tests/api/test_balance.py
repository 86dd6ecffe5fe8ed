"""GET /Accounts/{Sid}/Balance.json."""

from decimal import Decimal

import pytest

from accounts.api.serializers import balance_text
from accounts.services import ledger as ledger_services
from accounts.services.events import Actor

from .support import assert_twilio_error, balance_path


def set_balance(account, amount):
    ledger_services.funds_add(account=account, amount=amount, reason="Top-up", actor=Actor.system())


def test_main_account_balance(api, main_account):
    set_balance(main_account, "12.5")
    response = api.get(balance_path(main_account.sid), as_=main_account)
    assert response.status_code == 200
    assert response.json() == {
        "account_sid": main_account.sid,
        "balance": "12.50",
        "currency": "USD",
    }


def test_a_subaccount_reports_its_parents_balance(api, main_account, subaccount):
    set_balance(main_account, "40.1234")
    expected = {"account_sid": subaccount.sid, "balance": "40.1234", "currency": "USD"}
    assert api.get(balance_path(subaccount.sid), as_=subaccount).json() == expected
    assert api.get(balance_path(subaccount.sid), as_=main_account).json() == expected


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        ("0", "0.00"),
        ("12.5", "12.50"),
        ("12.50", "12.50"),
        ("1200", "1200.00"),
        ("0.051", "0.051"),
        ("0.0512", "0.0512"),
        ("-3.2", "-3.20"),
        ("9999999999.9999", "9999999999.9999"),
    ],
)
def test_balance_has_two_decimals_or_more_when_the_amount_has_them(amount, text):
    assert balance_text(Decimal(amount)) == text
    assert balance_text(Decimal(amount).quantize(Decimal("0.0001"))) == text


@pytest.mark.parametrize("target", ["main_account", "sibling", "other_account"])
def test_a_subaccount_cannot_read_another_accounts_balance(api, subaccount, request, target):
    path = balance_path(request.getfixturevalue(target).sid)
    assert_twilio_error(
        api.get(path, as_=subaccount),
        code=20404,
        status=404,
        message=f"The requested resource {path} was not found",
    )


def test_a_main_account_cannot_read_another_main_accounts_balance(api, main_account, other_account):
    response = api.get(balance_path(other_account.sid), as_=main_account)
    assert_twilio_error(response, code=20404, status=404)
