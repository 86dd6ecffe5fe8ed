"""seed_demo: the demo user, accounts and subaccounts, created once and reused after."""

import io

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

from accounts.management.commands.seed_demo import DEMO_ACCOUNTS, DEMO_EMAIL, DEMO_PASSWORD
from accounts.models import Account, User

pytestmark = pytest.mark.django_db


def seed_demo():
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_seed_demo_creates_the_demo_data_and_its_password_works(db):
    output = seed_demo()

    assert output.startswith("Created")
    assert DEMO_EMAIL in output and DEMO_PASSWORD in output
    user = authenticate(username=DEMO_EMAIL, password=DEMO_PASSWORD)
    assert user is not None
    mains = Account.objects.top_level().filter(owner=user)
    assert set(mains.values_list("friendly_name", flat=True)) == set(DEMO_ACCOUNTS)
    for main in mains:
        names = set(main.subaccounts.values_list("friendly_name", flat=True))
        assert names == set(DEMO_ACCOUNTS[main.friendly_name])
    staging = Account.objects.get(owner=user, friendly_name="Acme — Staging")
    assert staging.status == Account.Status.SUSPENDED


def test_seed_demo_twice_reuses_the_data_and_restores_the_password(db):
    seed_demo()
    counts = (User.objects.count(), Account.objects.count())
    user = User.objects.get(email=DEMO_EMAIL)
    user.set_password("someone-changed-it-1")
    user.is_active = False
    user.save()

    output = seed_demo()

    assert output.startswith("Reusing")
    assert DEMO_PASSWORD in output
    assert (User.objects.count(), Account.objects.count()) == counts
    assert authenticate(username=DEMO_EMAIL, password=DEMO_PASSWORD) == user


def test_seed_demo_password_signs_in_on_the_sign_in_page(client, db):
    seed_demo()

    response = client.post("/signin/", {"login": DEMO_EMAIL, "password": DEMO_PASSWORD})

    assert response.status_code == 302
    assert "_auth_user_id" in client.session


def test_seed_demo_ignores_other_users_accounts_with_the_same_names(make_account):
    make_account(friendly_name="Acme — Staging")

    seed_demo()

    demo_staging = Account.objects.get(owner__email=DEMO_EMAIL, friendly_name="Acme — Staging")
    assert demo_staging.status == Account.Status.SUSPENDED
    assert Account.objects.exclude(owner__email=DEMO_EMAIL).get().status == "active"
