"""Support's money tools: a balance changes only by a ledger entry with a reason, and entries
are never edited or deleted."""

from decimal import Decimal

import pytest
from django.urls import reverse

from accounts import errors
from accounts.models import LedgerEntry
from accounts.services import ledger as ledger_services
from accounts.services.events import Actor

pytestmark = pytest.mark.django_db


def add_entry(admin_client, account, **data):
    return admin_client.post(
        reverse("admin:accounts_ledgerentry_add"),
        {"paying_account": account.pk, **data},
    )


def test_support_adds_funds_through_a_ledger_entry(admin_client, account):
    response = add_entry(
        admin_client, account, kind="funds_added", amount="25.00", description="Wire received"
    )
    assert response.status_code == 302
    account.refresh_from_db()
    assert account.balance == Decimal("25")
    entry = LedgerEntry.objects.get()
    assert entry.description == "Wire received" and entry.actor.is_staff


def test_support_entries_need_a_reason_and_a_sensible_amount(admin_client, account):
    no_reason = add_entry(admin_client, account, kind="funds_added", amount="5", description="")
    assert no_reason.status_code == 200
    assert b"This field is required" in no_reason.content
    negative = add_entry(admin_client, account, kind="funds_added", amount="-5", description="x")
    assert errors.AMOUNT_MUST_BE_POSITIVE.encode() in negative.content
    assert not LedgerEntry.objects.exists()
    account.refresh_from_db()
    assert account.balance == 0


def test_ledger_entries_cannot_be_edited_or_deleted(admin_client, account, user):
    entry = ledger_services.funds_add(
        account=account, amount="5", actor=Actor.for_user(user), reason="Top-up"
    )
    change = reverse("admin:accounts_ledgerentry_change", args=[entry.pk])
    admin_client.post(change, {"amount": "500", "description": "tampered"})
    entry.refresh_from_db()
    assert entry.amount == Decimal("5")
    delete = reverse("admin:accounts_ledgerentry_delete", args=[entry.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert LedgerEntry.objects.filter(pk=entry.pk).exists()


def test_a_staff_member_in_the_support_group_can_work_without_being_superuser(
    as_user, agent, account
):
    client = as_user(agent)
    found = client.get(reverse("admin:accounts_account_changelist"), {"q": account.sid})
    assert found.status_code == 200 and account.sid in found.content.decode()
    response = add_entry(client, account, kind="funds_added", amount="3", description="x")
    assert response.status_code == 302
    account.refresh_from_db()
    assert account.balance == Decimal("3")
