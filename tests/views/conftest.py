import pytest


@pytest.fixture
def owner_client(as_user, user):
    """The test client, signed in as `user`, the owner of `account`."""
    return as_user(user)
