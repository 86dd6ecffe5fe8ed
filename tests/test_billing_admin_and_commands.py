"""Support's money tools (the admin's ledger entries) and the billing management commands."""

from decimal import Decimal

import pytest
from django.urls import reverse

from accounts import errors
from accounts.models import (
    LedgerEntry,
    Organization,
)
from accounts.services import ledger as ledger_services
from accounts.services.events import Actor


@pytest.fixture
def staff_client(client, make_user):
    client.force_login(make_user(is_staff=True, is_superuser=True))
    return client


def add_entry(staff_client, account, **data):
    return staff_client.post(
        reverse("admin:accounts_ledgerentry_add"),
        {"paying_account": account.pk, **data},
    )


@pytest.mark.django_db
def test_support_adds_funds_through_a_ledger_entry(staff_client, account):
    response = add_entry(
        staff_client, account, kind="funds_added", amount="25.00", description="Wire received"
    )
    assert response.status_code == 302
    account.refresh_from_db()
    assert account.balance == Decimal("25")
    entry = LedgerEntry.objects.get()
    assert entry.description == "Wire received" and entry.actor.is_staff


@pytest.mark.django_db
def test_support_entries_need_a_reason_and_a_sensible_amount(staff_client, account):
    no_reason = add_entry(staff_client, account, kind="funds_added", amount="5", description="")
    assert no_reason.status_code == 200
    assert b"This field is required" in no_reason.content
    negative = add_entry(staff_client, account, kind="funds_added", amount="-5", description="x")
    assert errors.AMOUNT_MUST_BE_POSITIVE.encode() in negative.content
    assert not LedgerEntry.objects.exists()
    account.refresh_from_db()
    assert account.balance == 0


@pytest.mark.django_db
def test_ledger_entries_cannot_be_edited_or_deleted(staff_client, account, user):
    entry = ledger_services.funds_add(
        account=account, amount="5", actor=Actor.for_user(user), reason="Top-up"
    )
    change = reverse("admin:accounts_ledgerentry_change", args=[entry.pk])
    staff_client.post(change, {"amount": "500", "description": "tampered"})
    entry.refresh_from_db()
    assert entry.amount == Decimal("5")
    delete = reverse("admin:accounts_ledgerentry_delete", args=[entry.pk])
    assert staff_client.post(delete, {"post": "yes"}).status_code == 403
    assert LedgerEntry.objects.filter(pk=entry.pk).exists()


@pytest.mark.django_db
def test_the_account_page_links_to_its_ledger_and_has_no_balance_field(staff_client, account):
    html = staff_client.get(
        reverse("admin:accounts_account_change", args=[account.pk])
    ).content.decode()
    assert "Add funds or adjust the balance" in html
    assert 'name="balance"' not in html


@pytest.mark.django_db
def test_a_staff_member_in_the_support_group_can_work_without_being_superuser(
    client, make_user, account
):
    from django.contrib.auth.models import Group

    agent = make_user(is_staff=True)
    agent.groups.add(Group.objects.get(name="Support"))
    client.force_login(agent)
    found = client.get(reverse("admin:accounts_account_changelist"), {"q": account.sid})
    assert found.status_code == 200 and account.sid in found.content.decode()
    response = add_entry(client, account, kind="funds_added", amount="3", description="x")
    assert response.status_code == 302
    account.refresh_from_db()
    assert account.balance == Decimal("3")


@pytest.mark.django_db
def test_an_organization_gets_exactly_one_owner_in_the_admin(staff_client, make_user):
    first, second = make_user(), make_user()
    prefix = "memberships"
    data = {
        "name": "Two owners",
        "account_limit": "10",
        f"{prefix}-TOTAL_FORMS": "2",
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
        f"{prefix}-0-user": first.pk,
        f"{prefix}-0-role": "owner",
        f"{prefix}-1-user": second.pk,
        f"{prefix}-1-role": "owner",
    }
    response = staff_client.post(reverse("admin:accounts_organization_add"), data)
    assert response.status_code == 200
    assert b"exactly one Organization Owner" in response.content
    assert not Organization.objects.exists()


@pytest.mark.django_db
def test_account_roles_are_read_only_in_the_admin(staff_client, account):
    html = staff_client.get(
        reverse("admin:accounts_account_change", args=[account.pk])
    ).content.decode()
    assert account.owner.email in html
    assert 'name="memberships-0-role"' not in html


@pytest.mark.django_db
def test_admin_search_survives_a_nul_character(staff_client, account):
    response = staff_client.get(
        reverse("admin:accounts_account_changelist"), {"q": account.sid + "\x00"}
    )
    assert response.status_code == 200
    assert account.sid in response.content.decode()
