import pytest

from .support import Api


@pytest.fixture
def api(client):
    return Api(client)


@pytest.fixture
def owner(make_user):
    return make_user(email="owner@example.com")


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
