"""Audit: row locks in one order everywhere (the main account, then its subaccounts, then
phone numbers), so that two requests never wait on each other in opposite orders. PostgreSQL
only: SQLite has no row locks (and Django leaves FOR UPDATE out of its SQL)."""

import base64
import threading
import time
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import Account, AvailablePhoneNumber, IncomingPhoneNumber
from accounts.services import accounts as account_services
from accounts.services import ledger as ledger_services
from accounts.services import numbers as number_services
from accounts.services.events import Actor
from tests.races import run_at_once

pytestmark = pytest.mark.postgres

ACCOUNT_TABLE = Account._meta.db_table
NUMBER_TABLE = IncomingPhoneNumber._meta.db_table


def family_with_numbers(make_account, make_subaccount, count=2):
    main = make_account(friendly_name="Main")
    Account.objects.filter(pk=main.pk).update(type=Account.Type.FULL)
    main.refresh_from_db()
    sub = make_subaccount(main)
    ledger_services.funds_add(
        account=main, amount=Decimal("100"), actor=Actor.for_user(main.owner), reason="Top-up"
    )
    held = []
    for n in range(count):
        AvailablePhoneNumber.objects.create(phone_number=f"+1415555010{n}", friendly_name="x")
        held.append(
            number_services.number_buy(
                account=main, phone_number=f"+1415555010{n}", actor=Actor.system()
            )
        )
    return main, sub, held


def locked_tables(queries):
    """The tables locked by each SELECT … FOR UPDATE, in order."""
    order = []
    for query in queries:
        sql = query["sql"]
        if "FOR UPDATE" not in sql:
            continue
        table = sql.split(" FROM ", 1)[1].split()[0].strip('"')
        order.append(table)
    return order


@pytest.mark.django_db
def test_closing_a_main_account_locks_its_subaccounts_before_their_numbers(
    postgres_only, make_account, make_subaccount
):
    main, sub, held = family_with_numbers(make_account, make_subaccount)
    number_services.number_transfer(
        number=held[1], target=sub, acting_account=main, actor=Actor.system()
    )

    with CaptureQueriesContext(connection) as context:
        account_services.account_close(account=main, actor=Actor.for_user(main.owner))

    order = locked_tables(context.captured_queries)
    assert NUMBER_TABLE in order
    first_number = order.index(NUMBER_TABLE)
    assert ACCOUNT_TABLE not in order[first_number:], order
    assert not IncomingPhoneNumber.objects.filter(released_at__isnull=True).exists()


def basic(account):
    token = base64.b64encode(f"{account.sid}:{account.auth_token}".encode()).decode()
    return {"HTTP_AUTHORIZATION": f"Basic {token}"}


@pytest.mark.django_db(transaction=True)
def test_api_rename_and_transfer_of_a_number_never_deadlocks_with_closing_its_account(
    postgres_only, monkeypatch, make_account, make_subaccount
):
    """The API renames and moves a number in one request while the owner closes the main
    account. The request must take the accounts' locks before the number's, as closing does;
    otherwise each holds what the other waits for and PostgreSQL kills one of them."""
    main, sub, (number, _other) = family_with_numbers(make_account, make_subaccount)
    url = f"/2010-04-01/Accounts/{main.sid}/IncomingPhoneNumbers/{number.sid}.json"
    renamed = threading.Event()
    original_rename = number_services.number_rename

    def rename_then_linger(**kwargs):
        result = original_rename(**kwargs)
        renamed.set()
        time.sleep(1.5)  # longer than PostgreSQL's deadlock_timeout (1s)
        return result

    monkeypatch.setattr(number_services, "number_rename", rename_then_linger)

    def api_request():
        response = Client(raise_request_exception=False).post(
            url, {"FriendlyName": "Support line", "AccountSid": sub.sid}, **basic(main)
        )
        return response.status_code

    def close_main_account():
        assert renamed.wait(timeout=10)
        time.sleep(0.2)  # let the API request go on holding what it took
        return account_services.account_close(account=main, actor=Actor.for_user(main.owner))

    api_status, closed = run_at_once(api_request, close_main_account)

    assert api_status == 200, api_status
    assert not isinstance(closed, Exception), closed
    assert closed.status == Account.Status.CLOSED
    number.refresh_from_db()
    assert number.account_id == sub.pk and number.released_at is not None
