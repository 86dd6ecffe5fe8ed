"""A subaccount's Billing page names its parent, but only users of the parent see the
parent's SID and a link to it ("a subaccount never sees its parent")."""

import pytest
from django.urls import reverse

from accounts import roles
from accounts.models import AccountMembership

pytestmark = pytest.mark.django_db


@pytest.fixture
def family(make_account, make_subaccount):
    parent = make_account(friendly_name="Parent Co")
    return parent, make_subaccount(parent, "Child Ltd")


def _billing(client, user, account):
    client.force_login(user)
    response = client.get(reverse("console:billing", args=[account.sid]))
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("role", [roles.ADMINISTRATOR, roles.BILLING_MANAGER])
def test_a_user_of_the_subaccount_only_does_not_see_the_parents_sid(
    client, family, make_user, role
):
    parent, subaccount = family
    user = make_user()
    AccountMembership.objects.create(account=subaccount, user=user, role=role)

    page = _billing(client, user, subaccount)

    assert "Parent Co" in page
    assert parent.sid not in page
    assert reverse("console:account_dashboard", args=[parent.sid]) not in page


def test_a_user_of_the_parent_sees_its_sid_and_link(client, family):
    parent, subaccount = family

    page = _billing(client, parent.owner, subaccount)

    assert f"<code>{parent.sid}</code>" in page
    assert reverse("console:account_dashboard", args=[parent.sid]) in page
