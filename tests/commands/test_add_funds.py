"""manage.py add_funds: funds through the ledger, an event by the system, clear refusals."""

import io
import json
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from accounts import errors
from accounts.management.commands.add_funds import NO_SUCH_ACCOUNT
from accounts.models import Event, LedgerEntry
from accounts.selectors.ledger import ledger_differences

pytestmark = pytest.mark.django_db


def add_funds(*args):
    out = io.StringIO()
    call_command("add_funds", *args, stdout=out)
    return json.loads(out.getvalue())


def test_it_adds_funds_through_the_ledger_as_the_system(account):
    result = add_funds("--sid", account.sid, "--amount", "25.50", "--reason", "Wire transfer 17")
    account.refresh_from_db()
    assert account.balance == Decimal("25.50")
    assert result["balance"] == "25.5000" and result["paying_account_sid"] == account.sid
    entry = LedgerEntry.objects.get(sid=result["ledger_entry_sid"])
    assert (entry.kind, entry.description, entry.actor) == ("funds_added", "Wire transfer 17", None)
    event = Event.objects.get(resource_sid=entry.sid)
    assert (event.event_type, event.actor_type, event.source) == (
        "ledger-entry.created",
        "system",
        "system",
    )
    assert ledger_differences() == []


def test_a_subaccounts_funds_go_to_its_parent(account, make_subaccount):
    sub = make_subaccount(account)
    result = add_funds("--sid", sub.sid, "--amount", "5", "--reason", "Top-up")
    account.refresh_from_db()
    assert account.balance == Decimal("5") and result["paying_account_sid"] == account.sid


def test_funds_reactivate_an_account_suspended_at_zero(account, make_subaccount):
    from accounts.services.events import Actor
    from accounts.services.usage import usage_record

    add_funds("--sid", account.sid, "--amount", "1", "--reason", "Start")
    usage_record(
        account=account,
        category="sms",
        quantity=1,
        price="1",
        start_date="2026-11-01",
        end_date="2026-11-01",
        actor=Actor.system(),
    )
    account.refresh_from_db()
    assert account.status == "suspended"
    add_funds("--sid", account.sid, "--amount", "10", "--reason", "Top-up")
    account.refresh_from_db()
    assert account.status == "active"


def test_the_same_key_adds_nothing_more(account):
    args = ["--sid", account.sid, "--amount", "3", "--reason", "Script", "--idempotency-key", "k1"]
    first, second = add_funds(*args), add_funds(*args)
    assert first["ledger_entry_sid"] == second["ledger_entry_sid"]
    account.refresh_from_db()
    assert account.balance == Decimal("3")


@pytest.mark.parametrize(
    ("amount", "reason", "message"),
    [
        ("-5", "x", errors.AMOUNT_MUST_BE_POSITIVE),
        ("ten", "x", errors.AMOUNT_NOT_A_NUMBER),
        ("1.00001", "x", errors.AMOUNT_TOO_PRECISE),
        ("5", "  ", errors.REASON_REQUIRED),
    ],
)
def test_refusals_say_why(account, amount, reason, message):
    with pytest.raises(
        CommandError,
        match=message.replace("$", r"\$")
        .replace(".", r"\.")
        .replace("(", r"\(")
        .replace(")", r"\)"),
    ):
        add_funds("--sid", account.sid, "--amount", amount, "--reason", reason)
    assert not LedgerEntry.objects.exists()


def test_an_unknown_account_is_refused():
    sid = "AC" + "0" * 32
    with pytest.raises(CommandError, match=NO_SUCH_ACCOUNT.format(sid=sid)):
        add_funds("--sid", sid, "--amount", "5", "--reason", "x")
    with pytest.raises(CommandError, match="No account nonsense"):
        add_funds("--sid", "nonsense", "--amount", "5", "--reason", "x")
