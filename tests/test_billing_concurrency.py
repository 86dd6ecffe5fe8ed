"""Money under concurrency (PostgreSQL only): parallel charges, retries and purchases."""

from datetime import date
from decimal import Decimal

import pytest

from accounts import errors
from accounts.models import Account, AvailablePhoneNumber, IncomingPhoneNumber, LedgerEntry
from accounts.selectors import ledger as ledger_selectors
from accounts.services import ledger as ledger_services
from accounts.services import numbers as number_services
from accounts.services import usage as usage_services
from accounts.services.events import Actor
from tests.history import status_changes
from tests.races import run_at_once, split

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


def charge(account, price, key=None):
    return usage_services.usage_record(
        account=account,
        category="calls",
        quantity=1,
        price=price,
        start_date=date(2026, 11, 1),
        end_date=date(2026, 11, 1),
        idempotency_key=key,
        actor=Actor.system(),
    )


def test_50_parallel_charges_are_exact_and_suspend_once(postgres_only, make_account):
    parent = make_account()
    Account.objects.bulk_create(
        Account(friendly_name=f"Sub {n}", parent=parent, owner_id=parent.owner_id, balance=None)
        for n in range(50)
    )
    subaccounts = list(parent.subaccounts.all())
    ledger_services.funds_add(account=parent, amount="25", actor=Actor.system(), reason="Top-up")

    outcomes = run_at_once(*[lambda sub=sub: charge(sub, "1.01") for sub in subaccounts])

    done, _refused = split(outcomes, errors.BillingError)
    assert len(done) == 50
    parent.refresh_from_db()
    assert parent.balance == Decimal("25") - 50 * Decimal("1.01")
    assert ledger_selectors.ledger_differences() == []
    # balance_after forms one unbroken chain: no two charges saw the same balance.
    afters = sorted(
        LedgerEntry.objects.filter(paying_account=parent, kind="usage").values_list(
            "balance_after", flat=True
        )
    )
    assert len(set(afters)) == 50
    assert parent.status == "suspended"
    assert (
        sum(c.new_status == "suspended" and c.source == "balance" for c in status_changes(parent))
        == 1
    )
    assert Account.objects.subaccounts_of(parent).filter(status="suspended").count() == 50


def test_a_retried_charge_is_applied_once_even_in_parallel(postgres_only, make_account):
    parent = make_account()
    ledger_services.funds_add(account=parent, amount="10", actor=Actor.system(), reason="Top-up")
    outcomes = run_at_once(*[lambda: charge(parent, "2", key="retry-me") for _ in range(10)])
    done, _ = split(outcomes, errors.BillingError)
    assert len({record.pk for record in done}) == 1
    parent.refresh_from_db()
    assert parent.balance == Decimal("8")


def test_one_number_bought_by_many_at_once_goes_to_exactly_one(postgres_only, make_account):
    parent = make_account()
    Account.objects.filter(pk=parent.pk).update(type="Full")
    parent.refresh_from_db()
    ledger_services.funds_add(account=parent, amount="100", actor=Actor.system(), reason="Top-up")
    AvailablePhoneNumber.objects.create(phone_number="+14155550100", friendly_name="x")
    Account.objects.bulk_create(
        Account(
            friendly_name=f"Sub {n}",
            parent=parent,
            owner_id=parent.owner_id,
            balance=None,
            type="Full",
        )
        for n in range(10)
    )
    outcomes = run_at_once(
        *[
            lambda sub=sub: number_services.number_buy(
                account=sub, phone_number="+14155550100", actor=Actor.system()
            )
            for sub in parent.subaccounts.all()
        ]
    )
    bought, refused = split(outcomes, errors.NumberError)
    assert len(bought) == 1 and len(refused) == 9
    assert IncomingPhoneNumber.objects.filter(released_at__isnull=True).count() == 1
    parent.refresh_from_db()
    assert parent.balance == Decimal("99")
