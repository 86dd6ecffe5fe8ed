"""Audit: row locks in one order everywhere (the main account, then its subaccounts, then
phone numbers), so that two requests never wait on each other in opposite orders. PostgreSQL
only: SQLite has no row locks (and Django leaves FOR UPDATE out of its SQL)."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Account, AvailablePhoneNumber, IncomingPhoneNumber
from accounts.services import accounts as account_services
from accounts.services import ledger as ledger_services
from accounts.services import numbers as number_services
from accounts.services.events import Actor

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
