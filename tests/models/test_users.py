"""Users: the email is the login, in one case, unique whatever its case."""

import pytest
from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from accounts.models import User
from tests.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.django_db


def test_email_is_the_login_and_stored_in_one_case(make_user):
    user = make_user(email="  Ada.Lovelace@Example.COM ", full_name="Ada Lovelace")

    assert User.USERNAME_FIELD == "email"
    assert user.email == "ada.lovelace@example.com"
    assert user.get_full_name() == "Ada Lovelace"
    assert user.get_short_name() == "Ada"


def test_user_without_full_name_is_named_by_email(make_user):
    user = make_user(email="grace@example.com")

    assert user.get_full_name() == "grace@example.com"
    assert user.get_short_name() == "grace@example.com"


def test_authenticate_ignores_the_case_of_the_email(make_user):
    user = make_user(email="mixed@example.com")

    assert authenticate(username="MIXED@Example.com", password=DEFAULT_PASSWORD) == user
    assert authenticate(email="Mixed@EXAMPLE.com", password=DEFAULT_PASSWORD) == user
    assert authenticate(username="MIXED@Example.com", password="wrong password") is None


def test_authenticate_finds_a_user_stored_in_mixed_case(db):
    # Rows written without the manager (fixtures, raw imports) still sign in.
    user = User(email="Stored@Example.com")
    user.set_password(DEFAULT_PASSWORD)
    user.save()

    assert authenticate(username="stored@example.com", password=DEFAULT_PASSWORD) == user


def test_second_user_differing_only_in_case_is_refused_by_the_manager(make_user):
    make_user(email="twin@example.com")

    with pytest.raises(IntegrityError), transaction.atomic():
        make_user(email="TWIN@example.com")

    assert User.objects.filter(email__iexact="twin@example.com").count() == 1


def test_second_user_differing_only_in_case_is_refused_by_the_database(make_user):
    make_user(email="twin@example.com")

    # Bypassing the manager's normalization: the case-insensitive unique constraint holds.
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.bulk_create([User(email="Twin@Example.com", password="!")])


def test_model_validation_refuses_an_email_differing_only_in_case(make_user):
    make_user(email="twin@example.com")
    duplicate = User(email="TWIN@EXAMPLE.COM", password="!")

    with pytest.raises(ValidationError):
        duplicate.full_clean()


def test_create_superuser_is_staff(db):
    admin = User.objects.create_superuser(email="Root@Example.com", password=DEFAULT_PASSWORD)

    assert admin.is_staff and admin.is_superuser
    assert admin.email == "root@example.com"


def test_create_user_requires_an_email(db):
    with pytest.raises(ValueError):
        User.objects.create_user(email="", password=DEFAULT_PASSWORD)
