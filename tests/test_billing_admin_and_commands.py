"""Support's money tools (the admin's ledger entries) and the billing management commands."""

import csv
import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from accounts import errors
from accounts.models import (
    Account,
    AvailablePhoneNumber,
    LedgerEntry,
    Organization,
    UsageRecord,
)
from accounts.selectors import ledger as ledger_selectors
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
def test_check_ledger_reports_differences(account, user):
    ledger_services.funds_add(
        account=account, amount="5", actor=Actor.for_user(user), reason="Top-up"
    )
    out = io.StringIO()
    call_command("check_ledger", stdout=out)
    assert "Every balance matches" in out.getvalue()
    Account.objects.filter(pk=account.pk).update(balance=Decimal("7"))
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("check_ledger", stdout=out)
    assert f"{account.sid}: balance 7" in out.getvalue()


@pytest.mark.django_db
def test_load_numbers_is_idempotent():
    call_command("load_numbers", "--area-codes", "415", stdout=io.StringIO())
    call_command("load_numbers", "--area-codes", "415", stdout=io.StringIO())
    assert AvailablePhoneNumber.objects.count() == 100
    assert AvailablePhoneNumber.objects.filter(phone_number="+14155550100").exists()


@pytest.mark.django_db
def test_import_usage_charges_once_per_row_even_when_imported_twice(
    tmp_path, account, make_subaccount, user
):
    sub = make_subaccount(account)
    ledger_services.funds_add(
        account=account, amount="100", actor=Actor.for_user(user), reason="Top-up"
    )
    path = tmp_path / "usage.csv"
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["account_sid", "category", "quantity", "price", "start_date", "end_date"])
        writer.writerow([sub.sid, "sms", "120", "0.9480", "2026-11-01", "2026-11-30"])
        writer.writerow([account.sid, "calls", "35", "4.20", "2026-11-01", "2026-11-30"])
    call_command("import_usage", str(path), stdout=io.StringIO())
    again = io.StringIO()
    call_command("import_usage", str(path), stdout=again)
    assert "Imported 0 usage record(s); 2 already imported (skipped)" in again.getvalue()
    assert UsageRecord.objects.count() == 2
    account.refresh_from_db()
    assert account.balance == Decimal("100") - Decimal("0.948") - Decimal("4.2")
    assert ledger_selectors.ledger_differences() == []


@pytest.mark.django_db
def test_import_usage_reports_bad_rows_and_keeps_good_ones(tmp_path, account, user):
    ledger_services.funds_add(
        account=account, amount="10", actor=Actor.for_user(user), reason="Top-up"
    )
    path = tmp_path / "usage.csv"
    path.write_text(
        "account_sid,category,quantity,price,start_date,end_date\n"
        f"{account.sid},sms,1,0.01,2026-11-01,2026-11-01\n"
        "AC00000000000000000000000000000000,sms,1,0.01,2026-11-01,2026-11-01\n"
        f"{account.sid},teleport,1,0.01,2026-11-01,2026-11-01\n"
        f"{account.sid},sms,1,abc,2026-11-01,2026-11-01\n"
    )
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_usage", str(path), stdout=io.StringIO(), stderr=err)
    assert "line 3" in err.getvalue() and "line 4" in err.getvalue() and "line 5" in err.getvalue()
    assert UsageRecord.objects.count() == 1


@pytest.mark.django_db
def test_import_usage_needs_the_columns(tmp_path):
    path = tmp_path / "usage.csv"
    path.write_text("sid,price\n")
    with pytest.raises(CommandError, match="Missing column"):
        call_command("import_usage", str(path), stdout=io.StringIO())


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
