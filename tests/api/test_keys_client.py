"""API keys through the official `twilio` Python library, unchanged, against a live server:
`Client(key_sid, secret, account_sid)`, as Twilio tells its customers to authenticate."""

import pytest
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.rest import Client

from accounts.models import ApiKey
from accounts.services import credentials as credential_services
from accounts.services.events import Actor

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def key_client(twilio_client, live_server):
    """key_client(key_sid, secret, account_sid): the official client with an API key (the
    `twilio_client` fixture clears the environment that would redirect it)."""
    clients = []

    def make(key_sid, secret, account_sid):
        client = Client(key_sid, secret, account_sid)
        client.api.base_url = live_server.url
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.http_client.session.close()


def make_key(account, key_type=ApiKey.KeyType.STANDARD):
    key, secret = credential_services.key_create(
        account=account, friendly_name="CI", key_type=key_type, actor=Actor.system()
    )
    return key, secret


def refused(call):
    with pytest.raises(TwilioRestException) as error:
        call()
    return error.value.status, error.value.code


def test_a_standard_key(key_client, main_account, subaccount):
    key, secret = make_key(main_account)
    client = key_client(key.sid, secret, main_account.sid)
    assert client.api.v2010.account.balance.fetch().account_sid == main_account.sid
    assert client.api.v2010.account.incoming_phone_numbers.list() == []
    # Not the Accounts or Keys resources, and not the subaccounts.
    assert refused(lambda: client.api.accounts(main_account.sid).fetch()) == (401, 20003)
    assert refused(lambda: client.api.v2010.account.new_keys.create(friendly_name="x")) == (
        401,
        20003,
    )
    with pytest.raises(TwilioException):
        client.api.accounts.list()
    assert refused(lambda: client.api.v2010.accounts(subaccount.sid).balance.fetch()) == (
        401,
        20003,
    )


def test_a_main_key(key_client, main_account, subaccount):
    key, secret = make_key(main_account, ApiKey.KeyType.MAIN)
    client = key_client(key.sid, secret, main_account.sid)
    assert [a.sid for a in client.api.accounts.list()] == [main_account.sid, subaccount.sid]
    created = client.api.accounts.create(friendly_name="Customer 7")
    assert created.owner_account_sid == main_account.sid
    sub_balance = client.api.v2010.accounts(subaccount.sid).balance.fetch()
    assert sub_balance.account_sid == subaccount.sid

    # It manages keys: a new (Standard) key, renamed, listed, deleted.
    new = client.api.v2010.account.new_keys.create(friendly_name="Deploys")
    assert new.sid.startswith("SK") and len(new.secret) == 32
    assert ApiKey.objects.get(sid=new.sid).key_type == "standard"
    assert client.api.v2010.account.keys(new.sid).update(friendly_name="Builds").friendly_name == (
        "Builds"
    )
    assert {k.sid for k in client.api.v2010.account.keys.list()} == {key.sid, new.sid}
    signing = client.api.v2010.account.new_signing_keys.create(friendly_name="Video")
    assert [k.sid for k in client.api.v2010.account.signing_keys.list()] == [signing.sid]
    assert client.api.v2010.account.keys(new.sid).delete() is True
    assert {k.sid for k in client.api.v2010.account.keys.list()} == {key.sid}

    # The new key works, as a Standard key, until it is deleted.
    standard = key_client(signing.sid, signing.secret, main_account.sid)
    assert standard.api.v2010.account.balance.fetch().balance is not None


def test_a_subaccounts_key(key_client, main_account, subaccount, sibling):
    key, secret = make_key(subaccount)
    client = key_client(key.sid, secret, subaccount.sid)
    assert client.api.v2010.account.balance.fetch().account_sid == subaccount.sid
    as_parent = key_client(key.sid, secret, main_account.sid)
    assert refused(lambda: as_parent.api.v2010.account.balance.fetch()) == (401, 20003)
    as_sibling = key_client(key.sid, secret, sibling.sid)
    assert refused(lambda: as_sibling.api.v2010.account.balance.fetch()) == (401, 20003)


def test_a_revoked_key(key_client, main_account):
    key, secret = make_key(main_account)
    client = key_client(key.sid, secret, main_account.sid)
    assert client.api.v2010.account.balance.fetch().account_sid == main_account.sid
    credential_services.key_delete(key=key, actor=Actor.system())
    assert refused(lambda: client.api.v2010.account.balance.fetch()) == (401, 20003)


def test_a_wrong_secret(key_client, main_account):
    key, secret = make_key(main_account)
    client = key_client(key.sid, secret.swapcase(), main_account.sid)
    assert refused(lambda: client.api.v2010.account.balance.fetch()) == (401, 20003)
