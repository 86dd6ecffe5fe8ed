"""Transfers in the admin: support selects a transfer in the changelist and reverses it. The
reversal shows in both ledgers, each balance still equals its ledger, the event names the
staff member; a second reversal is refused with the service's message and writes nothing;
staff without the permission to make transfers cannot reverse one."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.urls import reverse

from accounts import errors
from accounts.models import BalanceTransfer, Event, LedgerEntry
from accounts.selectors.ledger import ledger_differences
from accounts.services import transfers as transfer_services
from accounts.services.events import Actor

pytestmark = pytest.mark.django_db
CHANGELIST = "admin:accounts_balancetransfer_changelist"


@pytest.fixture
def moved(funded, make_subaccount):
    """$8 moved from `funded` ($20) to its subaccount with its own balance: (main, sub,
    transfer)."""
    sub = make_subaccount(funded, "Own", own_balance=True)
    transfer = transfer_services.balance_transfer(
        source=funded, target=sub, amount="8", actor=Actor.for_user(funded.owner)
    )
    return funded, sub, transfer


def reverse_selected(client, *transfers):
    return client.post(
        reverse(CHANGELIST),
        {"action": "reverse_transfers", "_selected_action": [t.pk for t in transfers]},
        follow=True,
    )


def said(response):
    return [(message.level_tag, str(message)) for message in get_messages(response.wsgi_request)]


def balances(*accounts):
    for account in accounts:
        account.refresh_from_db()
    return tuple(account.balance for account in accounts)


def ledger_page(client, account):
    """The admin's ledger, searched by the account's SID, as support reads it."""
    return client.get(reverse("admin:accounts_ledgerentry_changelist"), {"q": account.sid})


def test_support_reverses_a_transfer_from_the_changelist(as_user, agent, moved):
    main, sub, transfer = moved
    client = as_user(agent)
    listed = client.get(reverse(CHANGELIST)).content.decode()
    assert transfer.sid in listed and "Reverse selected transfers" in listed

    response = reverse_selected(client, transfer)

    reversal = BalanceTransfer.objects.get(reverses=transfer)
    assert ("success", f"{transfer.sid}: reversed by {reversal.sid}.") in said(response)
    assert balances(main, sub) == (Decimal("20"), Decimal("0"))
    assert ledger_differences() == []
    # Both ledgers show the reversal: a debit on the subaccount's, a credit on the parent's.
    assert reversal.debit_entry.paying_account == sub
    assert reversal.debit_entry.amount == Decimal("-8")
    assert reversal.credit_entry.paying_account == main
    assert reversal.credit_entry.amount == Decimal("8")
    for account in (main, sub):
        html = ledger_page(client, account).content.decode()
        assert f"Reversal of {transfer.sid}" in html
    # The event names the staff member, through the admin.
    event = Event.objects.get(event_type="balance-transfer.created", resource_sid=reversal.sid)
    assert (event.actor_type, event.actor_sid, event.source) == ("support", agent.sid, "admin")
    assert event.event_data["reverses"] == {"previous": None, "updated": transfer.sid}
    assert reversal.actor == agent


def test_reversing_twice_is_refused_and_writes_nothing(as_user, agent, moved):
    main, sub, transfer = moved
    client = as_user(agent)
    reverse_selected(client, transfer)
    reversal = BalanceTransfer.objects.get(reverses=transfer)
    counts = (BalanceTransfer.objects.count(), LedgerEntry.objects.count(), Event.objects.count())

    again = reverse_selected(client, transfer)

    refused = errors.TRANSFER_ALREADY_REVERSED.format(sid=reversal.sid)
    assert ("error", refused) in said(again)
    assert not any(level == "success" for level, _ in said(again))
    assert (
        BalanceTransfer.objects.count(),
        LedgerEntry.objects.count(),
        Event.objects.count(),
    ) == counts
    assert balances(main, sub) == (Decimal("20"), Decimal("0"))
    # Nor is the reversal itself reversed.
    final = reverse_selected(client, reversal)
    assert ("error", errors.TRANSFER_REVERSAL_FINAL) in said(final)
    assert BalanceTransfer.objects.count() == counts[0]


def test_staff_who_may_only_look_at_transfers_cannot_reverse_them(as_user, make_user, moved):
    main, sub, transfer = moved
    viewer = make_user(email="viewer@example.com", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_balancetransfer"))
    client = as_user(viewer)
    listed = client.get(reverse(CHANGELIST))
    assert listed.status_code == 200 and transfer.sid in listed.content.decode()
    assert "Reverse selected transfers" not in listed.content.decode()

    reverse_selected(client, transfer)

    assert not BalanceTransfer.objects.filter(reverses=transfer).exists()
    assert balances(main, sub) == (Decimal("12"), Decimal("8"))


def test_staff_outside_the_admin_cannot_reverse(as_user, make_user, moved):
    main, sub, transfer = moved
    response = as_user(make_user(email="staff@example.com", is_staff=True)).post(
        reverse(CHANGELIST),
        {"action": "reverse_transfers", "_selected_action": [transfer.pk]},
    )
    assert response.status_code in (302, 403)
    assert not BalanceTransfer.objects.filter(reverses=transfer).exists()
