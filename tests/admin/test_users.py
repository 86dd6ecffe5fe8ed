"""Users in the admin: account limits, adding users, search; support staff cannot raise their
own privileges or touch a superuser."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from accounts.models import User

from .support import change_form_data

pytestmark = pytest.mark.django_db


def test_staff_change_a_users_account_limit(admin_client, user):
    url = reverse("admin:accounts_user_change", args=[user.pk])
    data = change_form_data(admin_client.get(url))
    data["account_limit"] = "25"

    response = admin_client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    user.refresh_from_db()
    assert user.account_limit == 25
    assert user.check_password("a-long-test-password-42")


def test_staff_add_a_user_and_a_duplicate_email_in_other_case_is_refused(admin_client, user):
    url = reverse("admin:accounts_user_add")
    passwords = {"password1": "another-long-pass-99", "password2": "another-long-pass-99"}

    response = admin_client.post(url, {"email": "New.Person@Example.com", **passwords})
    assert response.status_code == 302
    assert User.objects.filter(email="new.person@example.com").exists()

    response = admin_client.post(url, {"email": user.email.upper(), **passwords})
    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    assert User.objects.filter(email__iexact=user.email).count() == 1


def test_user_changelist_searches_by_email_and_shows_the_limit(admin_client, make_user):
    make_user(email="findme@example.com", account_limit=42)
    make_user(email="other@example.com")

    response = admin_client.get(reverse("admin:accounts_user_changelist"), {"q": "findme"})

    assert response.status_code == 200
    assert list(response.context["cl"].result_list.values_list("email", flat=True)) == [
        "findme@example.com"
    ]
    assert b"42" in response.content


def user_change_url(person):
    return reverse("admin:accounts_user_change", args=[person.pk])


def test_support_staff_cannot_make_themselves_superuser(as_user, agent):
    client = as_user(agent)
    data = change_form_data(client.get(user_change_url(agent)))
    data.update(is_superuser="on", account_limit="50")

    response = client.post(user_change_url(agent), data)

    assert response.status_code == 302
    agent.refresh_from_db()
    assert not agent.is_superuser
    assert agent.account_limit == 50  # what support may edit still saves


def test_support_staff_cannot_grant_permissions_or_groups(as_user, agent, make_user):
    customer = make_user()
    client = as_user(agent)
    data = change_form_data(client.get(user_change_url(customer)))
    data.update(
        is_staff="on",
        groups=[Group.objects.get(name="Support").pk],
        user_permissions=[1],
    )

    client.post(user_change_url(customer), data)

    customer.refresh_from_db()
    assert not customer.is_staff
    assert not customer.groups.exists() and not customer.user_permissions.exists()


def test_support_staff_cannot_change_a_superuser_or_their_password(as_user, agent):
    root = User.objects.create_superuser(email="root@example.com", password="x-long-pass-42")
    client = as_user(agent)

    password = client.post(
        reverse("admin:auth_user_password_change", args=[root.pk]),
        {"password1": "new-long-pass-42", "password2": "new-long-pass-42"},
    )
    deactivated = client.post(
        user_change_url(root), {"email": root.email, "account_limit": "10", "is_active": ""}
    )

    assert password.status_code == 403
    assert deactivated.status_code == 403
    root.refresh_from_db()
    assert root.check_password("x-long-pass-42") and root.is_active


def test_superusers_still_manage_permissions(admin_client, make_user):
    person = make_user(is_staff=True)
    data = change_form_data(admin_client.get(user_change_url(person)))
    data.update(groups=[Group.objects.get(name="Support").pk])

    admin_client.post(user_change_url(person), data)

    assert person.groups.filter(name="Support").exists()
