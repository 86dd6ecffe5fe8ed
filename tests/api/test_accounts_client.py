"""The official `twilio` Python library, unchanged, against a live server.

ISVs script subaccounts with it, so the whole life cycle runs through it: the only change is
the base URL of its `api` domain.
"""

import datetime

import pytest
from twilio.base.exceptions import TwilioException, TwilioRestException

from accounts import errors
from accounts.models import Account, Event, LedgerEntry
from accounts.services import deletion as deletion_services
from accounts.services import ledger as ledger_services
from accounts.services.events import Actor
from tests.factories import UsageRecordFactory

pytestmark = pytest.mark.django_db(transaction=True)
SYSTEM = Actor.system()


def test_the_subaccount_life_cycle_through_the_official_client(twilio_client, main_account, owner):
    ledger_services.funds_add(
        account=main_account, amount="25.5", reason="Top-up", actor=Actor.system()
    )
    client = twilio_client(main_account.sid, main_account.auth_token)

    # Fetch itself.
    me = client.api.accounts(main_account.sid).fetch()
    assert (me.sid, me.owner_account_sid, me.friendly_name) == (
        main_account.sid,
        main_account.sid,
        "Acme",
    )
    assert me.status == "active"
    assert me.date_created is not None  # twilio-python parsed the RFC 2822 date
    assert me.subresource_uris["balance"] == f"/2010-04-01/Accounts/{main_account.sid}/Balance.json"

    # Create subaccounts.
    created = [client.api.accounts.create(friendly_name=f"Customer {n}") for n in range(1, 6)]
    default_named = client.api.accounts.create()
    assert default_named.friendly_name.startswith("SubAccount Created at ")
    assert {a.owner_account_sid for a in created} == {main_account.sid}
    assert all(a.auth_token for a in created)

    # List across several pages, and with filters.
    listed = list(client.api.accounts.stream(page_size=2))
    assert [a.sid for a in listed] == [main_account.sid] + [
        a.sid for a in reversed([*created, default_named])
    ]
    page = client.api.accounts.page(page_size=2)
    assert page.next_page_url is not None
    second = page.next_page()
    assert [a.sid for a in second] == [created[4].sid, created[3].sid]
    assert [a.sid for a in second.previous_page()] == [a.sid for a in page]
    named = client.api.accounts.list(friendly_name="Customer 3")
    assert [a.sid for a in named] == [created[2].sid]

    # Rename, suspend, reactivate, close.
    target = client.api.accounts(created[0].sid)
    assert target.update(friendly_name="Customer One").friendly_name == "Customer One"
    assert target.update(status="suspended").status == "suspended"
    suspended = client.api.accounts.list(status="suspended", page_size=50)
    assert [a.sid for a in suspended] == [created[0].sid]
    assert target.update(status="active").status == "active"
    assert target.update(status="closed").status == "closed"

    # A closed subaccount stays closed.
    with pytest.raises(TwilioRestException) as refused:
        target.update(status="active")
    assert (refused.value.code, refused.value.status) == (21479, 400)
    assert errors.ACCOUNT_CLOSED in refused.value.msg
    assert target.fetch().status == "closed"
    assert created[0].sid in [a.sid for a in client.api.accounts.list(status="closed")]

    # The main account's own status is not the API's to change.
    with pytest.raises(TwilioRestException) as refused:
        client.api.accounts(main_account.sid).update(status="suspended")
    assert refused.value.code == 21477

    # A subaccount's credentials reach only itself.
    sub = created[1]
    sub_client = twilio_client(sub.sid, sub.auth_token)
    assert sub_client.api.accounts(sub.sid).fetch().friendly_name == "Customer 2"
    assert [a.sid for a in sub_client.api.accounts.list()] == [sub.sid]
    with pytest.raises(TwilioRestException) as refused:
        sub_client.api.accounts(main_account.sid).fetch()
    assert (refused.value.code, refused.value.status) == (20404, 404)
    with pytest.raises(TwilioRestException) as refused:
        sub_client.api.accounts(created[2].sid).fetch()
    assert refused.value.code == 20404
    with pytest.raises(TwilioRestException) as refused:
        sub_client.api.accounts.create(friendly_name="Nested")
    assert refused.value.code == 21101

    # A subaccount spends, and so reports, its parent's balance.
    balance = sub_client.api.v2010.account.balance.fetch()
    assert (balance.account_sid, balance.balance, balance.currency) == (sub.sid, "25.50", "USD")
    assert client.api.v2010.account.balance.fetch().balance == "25.50"


def test_wrong_credentials_through_the_official_client(twilio_client, main_account):
    client = twilio_client(main_account.sid, "0" * 32)
    with pytest.raises(TwilioRestException) as refused:
        client.api.accounts(main_account.sid).fetch()
    assert (refused.value.code, refused.value.status) == (20003, 401)
    # Lists raise the plain TwilioException for any answer that is not a 200.
    with pytest.raises(TwilioException):
        client.api.accounts.list()


def test_invalid_parameters_through_the_official_client(twilio_client, main_account):
    client = twilio_client(main_account.sid, main_account.auth_token)
    with pytest.raises(TwilioRestException) as refused:
        client.api.accounts.create(friendly_name="x" * 65)
    assert (refused.value.code, refused.value.status) == (20002, 400)
    with pytest.raises(TwilioRestException) as refused:
        client.api.accounts(main_account.sid).update(status="1")
    assert refused.value.code == 21475


def test_a_closed_subaccount_is_deleted_30_days_on_and_its_charges_stay(
    twilio_client, main_account
):
    """Closed over the API, deleted by the periodic sweep once the clock is 30 days on: the
    client then gets 20404 for it, the list no longer has it, and the parent's balance and
    its events still carry what it spent."""
    ledger_services.funds_add(account=main_account, amount="20", reason="Top-up", actor=SYSTEM)
    client = twilio_client(main_account)
    sub = client.api.v2010.accounts.create(friendly_name="Short-lived")
    UsageRecordFactory(account=Account.objects.get(sid=sub.sid), price="2.50")
    client.api.v2010.accounts(sub.sid).update(status="closed")
    closed = Account.objects.get(sid=sub.sid).date_closed
    day = datetime.timedelta(days=1)

    assert deletion_services.closed_subaccounts_delete(actor=SYSTEM, now=closed + 29 * day) == 0
    assert client.api.v2010.accounts(sub.sid).fetch().status == "closed"
    assert deletion_services.closed_subaccounts_delete(actor=SYSTEM, now=closed + 30 * day) == 1

    with pytest.raises(TwilioRestException) as gone:
        client.api.v2010.accounts(sub.sid).fetch()
    assert (gone.value.status, gone.value.code) == (404, 20404)
    assert sub.sid not in [account.sid for account in client.api.v2010.accounts.list()]
    balance = client.api.v2010.accounts(main_account.sid).balance.fetch()
    assert balance.balance == "17.50"
    spent = LedgerEntry.objects.get(incurred_by_sid=sub.sid)
    assert (spent.account, spent.incurred_by_name) == (main_account, "Short-lived")
    assert Event.objects.filter(event_type="account.deleted", resource_sid=sub.sid).exists()
