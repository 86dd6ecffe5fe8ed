"""Automatic deletion of closed subaccounts, 30 days after closing (the clock moved by the
sweep's `now`): what goes (the row, its keys, memberships, invitations, triggers and released
numbers' rows) and what stays with the parent (ledger entries, usage, transfers, events)."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts import errors, roles
from accounts.management.commands.schedule_periodic import sweeps_queue
from accounts.models import (
    Account,
    AccountMembership,
    ApiKey,
    BalanceTransfer,
    IncomingPhoneNumber,
    Invitation,
    LedgerEntry,
    UsageDay,
    UsageRecord,
    UsageTrigger,
)
from accounts.selectors import accounts as account_selectors
from accounts.selectors import events as event_selectors
from accounts.selectors import ledger as ledger_selectors
from accounts.selectors import usage as usage_selectors
from accounts.services import accounts as account_services
from accounts.services import credentials as credential_services
from accounts.services import deletion as deletion_services
from accounts.services import invitations as invitation_services
from accounts.services import numbers as number_services
from accounts.services import transfers as transfer_services
from accounts.services import triggers as trigger_services
from accounts.services.events import Actor
from tests.factories import UsageRecordFactory
from tests.tasks_support import run_queued_tasks

pytestmark = pytest.mark.django_db
SYSTEM = Actor.system()
DAY = datetime.timedelta(days=1)


def sweep(now):
    return deletion_services.closed_subaccounts_delete(actor=SYSTEM, now=now)


def close(sub):
    transfer_services.account_close(account=sub, actor=SYSTEM)
    sub.refresh_from_db()
    return sub


@pytest.fixture
def busy(stock, funded, make_subaccount, make_member):
    """A subaccount with a bit of everything: usage, a number, a key, a member, an invitation
    and a usage trigger; then closed."""
    sub = make_subaccount(funded, "Customer A")
    UsageRecordFactory(account=sub, price="2.50")
    number_services.number_buy(account=sub, phone_number="+14155550100", actor=SYSTEM)
    credential_services.key_create(account=sub, friendly_name="CI", actor=SYSTEM)
    make_member(sub, roles.DEVELOPER)
    invitation_services.invitation_create(
        email="invitee@example.com",
        account=sub,
        roles_=[roles.DEVELOPER],
        base_url="http://testserver",
        actor=SYSTEM,
    )
    trigger_services.usage_trigger_create(
        account=sub,
        callback_url="https://hooks.example.com/usage",
        trigger_value="100",
        usage_category="sms",
        actor=SYSTEM,
    )
    return funded, close(sub)


def test_closing_records_when(busy):
    _main, sub = busy
    assert timezone.now() - sub.date_closed < datetime.timedelta(minutes=1)


def test_a_closed_subaccount_goes_30_days_after_closing(busy):
    main, sub = busy
    closed = sub.date_closed

    assert sweep(closed + 29 * DAY) == 0
    assert Account.objects.filter(pk=sub.pk).exists()

    assert sweep(closed + 30 * DAY) == 1
    assert not Account.objects.filter(pk=sub.pk).exists()
    assert sweep(closed + 31 * DAY) == 0


def test_its_data_goes(busy):
    main, sub = busy
    sweep(sub.date_closed + 30 * DAY)

    assert not ApiKey.objects.filter(account_id=sub.pk).exists()
    assert not AccountMembership.objects.filter(account_id=sub.pk).exists()
    assert not Invitation.objects.filter(account_id=sub.pk).exists()
    assert not UsageTrigger.objects.filter(account_id=sub.pk).exists()
    assert not IncomingPhoneNumber.objects.filter(account_id=sub.pk).exists()


def test_its_history_stays_with_the_parent(busy):
    main, sub = busy
    spent = LedgerEntry.objects.filter(account=sub).count()
    before = usage_selectors.usage_report(
        main=main, start=datetime.date(2026, 1, 1), end=timezone.now().date()
    )

    sweep(sub.date_closed + 30 * DAY)

    entries = LedgerEntry.objects.filter(incurred_by_sid=sub.sid)
    assert entries.count() == spent == 2  # its usage and its number's first month
    assert {(e.account_id, e.paying_account_id, e.incurred_by_name) for e in entries} == {
        (main.pk, main.pk, "Customer A")
    }
    record = UsageRecord.objects.get(incurred_by_sid=sub.sid, category="sms")
    assert record.account == main and record.price == Decimal("2.5")
    assert UsageDay.objects.filter(account=None, incurred_by_sid=sub.sid).exists()
    after = usage_selectors.usage_report(
        main=main, start=datetime.date(2026, 1, 1), end=timezone.now().date()
    )
    assert after.total == before.total
    assert any(group.sid == sub.sid for group in after.groups)
    # Its events are in the parent's log, with its SID.
    log = event_selectors.event_list(account=main)
    assert log.filter(account_sid=sub.sid, account=None).count() > 3
    assert log.filter(event_type="account.deleted", resource_sid=sub.sid).exists()
    assert ledger_selectors.ledger_differences() == []
    # The parent's ledger lists them, under the deleted subaccount's name.
    listed = ledger_selectors.ledger_entry_list(account=main)
    assert listed.filter(incurred_by_sid=sub.sid).count() == 2


def test_an_own_balance_subaccounts_ledger_stays_too(funded, make_subaccount):
    sub = make_subaccount(funded, "Own", own_balance=True)
    transfer_services.balance_transfer(source=funded, target=sub, amount="5", actor=SYSTEM)
    UsageRecordFactory(account=sub, price="1")
    sub = close(sub)  # its $4 go back to the parent

    sweep(sub.date_closed + 30 * DAY)

    mine = LedgerEntry.objects.filter(paid_from_sid=sub.sid)
    assert mine.count() == 3  # transfer in, usage, transfer back
    assert sum(entry.amount for entry in mine) == 0
    assert set(mine.values_list("paying_account", flat=True)) == {funded.pk}
    assert BalanceTransfer.objects.filter(subaccount_sid=sub.sid, subaccount=None).count() == 2
    funded.refresh_from_db()
    assert funded.balance == Decimal("19")
    assert ledger_selectors.ledger_differences() == []


def test_nothing_is_deleted_when_the_main_account_keeps_them(busy):
    main, sub = busy
    deletion_services.account_auto_deletion_set(account=main, enabled=False, actor=SYSTEM)

    assert sweep(sub.date_closed + 365 * DAY) == 0
    assert Account.objects.filter(pk=sub.pk).exists()


def test_a_subaccount_still_holding_money_is_kept(funded, make_subaccount):
    sub = make_subaccount(funded, "Own", own_balance=True)
    transfer_services.balance_transfer(source=funded, target=sub, amount="5", actor=SYSTEM)
    account_services.account_close(account=funded, actor=Actor.for_user(funded.owner))
    sub.refresh_from_db()

    assert sweep(sub.date_closed + 60 * DAY) == 0
    with pytest.raises(errors.DeletionError) as refusal:
        deletion_services.subaccount_delete(subaccount=sub, actor=SYSTEM)
    assert refusal.value.message == errors.DELETE_BALANCE_LEFT.format(name="Own", balance="5.00")


def test_only_closed_subaccounts_are_deleted(funded, make_subaccount):
    sub = make_subaccount(funded)
    with pytest.raises(errors.DeletionError) as refusal:
        deletion_services.subaccount_delete(subaccount=sub, actor=SYSTEM)
    assert refusal.value.message == errors.DELETE_NOT_CLOSED
    with pytest.raises(errors.DeletionError):
        deletion_services.subaccount_delete(subaccount=funded, actor=SYSTEM)


def test_new_accounts_delete_closed_subaccounts_and_choose_on_the_main_account(account):
    assert account.delete_closed_subaccounts
    deletion_services.account_auto_deletion_set(account=account, enabled=False, actor=SYSTEM)
    account.refresh_from_db()
    assert not account.delete_closed_subaccounts


def test_the_choice_is_the_main_accounts(account, make_subaccount):
    sub = make_subaccount(account)
    with pytest.raises(errors.DeletionError) as refusal:
        deletion_services.account_auto_deletion_set(account=sub, enabled=False, actor=SYSTEM)
    assert refusal.value.message == errors.AUTO_DELETION_MAIN_ACCOUNTS_ONLY


def test_settings_say_when_each_closed_subaccount_goes(funded, make_subaccount):
    first = close(make_subaccount(funded, "First"))
    make_subaccount(funded, "Open")

    closed, total = account_selectors.closed_subaccount_list(main=funded)

    assert total == 1 and [sub.sid for sub in closed] == [first.sid]
    assert closed[0].deletes_on == first.date_closed + 30 * DAY
    assert account_selectors.deletion_date(subaccount=first) == first.date_closed + 30 * DAY


def test_the_days_are_a_setting(settings, busy):
    settings.CLOSED_SUBACCOUNT_DELETION_DAYS = 7
    main, sub = busy
    assert sweep(sub.date_closed + 7 * DAY) == 1


def test_the_periodic_task_deletes_them(busy, database_tasks):
    main, sub = busy
    Account.objects.filter(pk=sub.pk).update(date_closed=timezone.now() - 31 * DAY)

    assert sweeps_queue() == {
        "usage-trigger sweep": True,
        "deletion of closed subaccounts": True,
    }
    assert sweeps_queue()["deletion of closed subaccounts"] is False  # one waits already
    run_queued_tasks()

    assert not Account.objects.filter(pk=sub.pk).exists()
