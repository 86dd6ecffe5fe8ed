"""The API's world: a main account (Acme, of `owner`) with a subaccount and its sibling,
someone else's account, the API client helpers, and numbers in stock for the API to buy."""

from decimal import Decimal

import pytest
from twilio.rest import Client

from accounts.models import Account, AvailablePhoneNumber
from accounts.services import ledger as ledger_services
from accounts.services.events import Actor

from .support import Api


@pytest.fixture
def api(client):
    return Api(client)


@pytest.fixture
def main_account(make_account, owner):
    return make_account(owner=owner, friendly_name="Acme")


@pytest.fixture
def subaccount(make_subaccount, main_account):
    return make_subaccount(main_account, friendly_name="Acme EU")


@pytest.fixture
def sibling(make_subaccount, main_account):
    return make_subaccount(main_account, friendly_name="Acme US")


@pytest.fixture
def other_account(make_account):
    """Someone else's main account."""
    return make_account(friendly_name="Globex")


@pytest.fixture
def stock(db):
    """Ten numbers in area code 415 and three in 212, at $1.15 a month."""
    AvailablePhoneNumber.objects.bulk_create(
        AvailablePhoneNumber(
            phone_number=f"+1{area}555{line:04d}",
            friendly_name=f"({area}) 555-{line:04d}",
            region=region,
            mms=area == "212",
            monthly_price=Decimal("1.15"),
        )
        for area, region, lines in [("415", "CA", range(100, 110)), ("212", "NY", range(100, 103))]
        for line in lines
    )


@pytest.fixture
def funded(main_account, subaccount, sibling):
    """The family, upgraded to Full (more than one number each) with $20 on the balance."""
    ledger_services.funds_add(
        account=main_account, amount="20", actor=Actor.system(), reason="test"
    )
    Account.objects.filter(pk__in=[main_account.pk, subaccount.pk, sibling.pk]).update(type="Full")
    for account in (main_account, subaccount, sibling):
        account.refresh_from_db()
    return main_account


@pytest.fixture
def twilio_client(live_server, monkeypatch):
    """`twilio_client(account)` or `twilio_client(sid, token)`: the official client, pointed
    at the live server."""
    # twilio-python rewrites the host from these (127.0.0.1 -> 127.us1.0.1), and requests
    # honours proxies from the environment; neither may touch a loopback test.
    for name in ["TWILIO_REGION", "TWILIO_EDGE", "TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN"]:
        monkeypatch.delenv(name, raising=False)
    for name in [
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
        "http_proxy",
        "https_proxy",
        "all_proxy",
    ]:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "*")
    monkeypatch.setenv("no_proxy", "*")

    clients = []

    def make(sid, token=None):
        if token is None:  # an Account: its own credentials
            sid, token = sid.sid, sid.auth_token
        client = Client(sid, token)
        client.api.base_url = live_server.url
        clients.append(client)
        return client

    yield make
    # Close the kept-alive HTTP connections, so that the server threads serving them end and
    # close their database connections (PostgreSQL cannot drop a test database in use).
    for client in clients:
        client.http_client.session.close()
