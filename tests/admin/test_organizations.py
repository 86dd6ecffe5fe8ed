"""Organizations in the admin: adding one with its members (exactly one owner), the SID shown
read-only."""

import pytest
from django.urls import reverse

from accounts.models import Organization, OrganizationMembership

pytestmark = pytest.mark.django_db


def test_staff_add_an_organization_with_members(admin_client, make_user):
    owner, member = make_user(), make_user()
    prefix = "memberships"
    data = {
        "name": "Acme Inc",
        "account_limit": "5",
        f"{prefix}-TOTAL_FORMS": "2",
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
        f"{prefix}-0-user": owner.pk,
        f"{prefix}-0-role": "owner",
        f"{prefix}-1-user": member.pk,
        f"{prefix}-1-role": "member",
    }

    response = admin_client.post(reverse("admin:accounts_organization_add"), data)

    assert response.status_code == 302
    organization = Organization.objects.get()
    assert organization.account_limit == 5
    assert organization.sid.startswith("OR")
    assert dict(organization.memberships.values_list("user_id", "role")) == {
        owner.pk: "owner",
        member.pk: "member",
    }


def test_organization_change_page_shows_the_sid_read_only(admin_client, make_user):
    organization = Organization.objects.create(name="Acme Inc")
    OrganizationMembership.objects.create(organization=organization, user=make_user())
    url = reverse("admin:accounts_organization_change", args=[organization.pk])

    response = admin_client.get(url)

    assert response.status_code == 200
    assert organization.sid in response.content.decode()
    assert "sid" not in response.context["adminform"].form.fields


def test_an_organization_gets_exactly_one_owner_in_the_admin(admin_client, make_user):
    first, second = make_user(), make_user()
    prefix = "memberships"
    data = {
        "name": "Two owners",
        "account_limit": "10",
        f"{prefix}-TOTAL_FORMS": "2",
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
        f"{prefix}-0-user": first.pk,
        f"{prefix}-0-role": "owner",
        f"{prefix}-1-user": second.pk,
        f"{prefix}-1-role": "owner",
    }
    response = admin_client.post(reverse("admin:accounts_organization_add"), data)
    assert response.status_code == 200
    assert b"exactly one Organization Owner" in response.content
    assert not Organization.objects.exists()
