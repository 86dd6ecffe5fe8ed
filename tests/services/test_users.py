"""Users: signing up creates the user and a first account, all or nothing."""

import pytest

from accounts import errors
from accounts.models import AccountMembership, User
from accounts.services import users as user_services
from accounts.services.events import Actor

pytestmark = pytest.mark.django_db


def test_user_sign_up_creates_the_user_and_first_account(db):
    user, account = user_services.user_sign_up(
        email="New@Example.com",
        password="a-long-pass-123",
        account_name="First",
        actor=Actor.system(),
    )

    assert user.email == "new@example.com"
    assert account.owner == user
    assert AccountMembership.objects.get(account=account).user == user


def test_user_sign_up_is_all_or_nothing(db):

    with pytest.raises(errors.InvalidFriendlyName):
        user_services.user_sign_up(
            email="new@example.com",
            password="a-long-pass-123",
            account_name="",
            actor=Actor.system(),
        )

    assert not User.objects.filter(email="new@example.com").exists()
