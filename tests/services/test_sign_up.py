"""Signing up with an email that is taken is a typed refusal, whoever calls the service."""

import pytest

from accounts import errors
from accounts.models import User
from accounts.services import users as user_services
from accounts.services.events import Actor
from tests.conftest import DEFAULT_PASSWORD


@pytest.mark.django_db
@pytest.mark.parametrize("email", ["taken@example.com", " Taken@Example.COM "])
def test_signing_up_with_a_taken_email_is_refused(make_user, email):
    make_user(email="taken@example.com")

    with pytest.raises(errors.EmailTaken) as refusal:
        user_services.user_sign_up(
            email=email,
            password=DEFAULT_PASSWORD,
            account_name="Second",
            actor=Actor.system(),
        )

    assert refusal.value.message == errors.EMAIL_TAKEN
    assert User.objects.count() == 1
