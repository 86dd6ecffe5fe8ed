"""Organizations in the admin: adding one with its members (exactly one owner), the SID shown
read-only."""

import pytest
from django.urls import reverse
from django.utils.html import escape
from django.utils.text import capfirst

from accounts import errors
from accounts.models import Event, Organization, OrganizationMembership
from accounts.services import organizations as organization_services
from accounts.services.events import Actor
from tests.admin.support import change_form_data
from tests.factories import AccountFactory

OrgRole = OrganizationMembership.Role

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


# Members change through the services, whatever the form: the admin's inline included.


def _members_form(admin_client, organization):
    response = admin_client.get(
        reverse("admin:accounts_organization_change", args=[organization.pk])
    )
    data = change_form_data(response)
    rows = {
        int(data[f"memberships-{n}-id"]): n for n in range(int(data["memberships-TOTAL_FORMS"]))
    }
    return data, rows


def test_support_cannot_remove_a_member_who_owns_the_organizations_accounts(
    admin_client, org, make_user, join
):
    holder = make_user(email="holder@example.com")
    join(holder, OrgRole.ADMINISTRATOR)
    account = AccountFactory(owner=holder)
    organization_services.organization_account_import(
        organization=org, account=account, actor=Actor.for_user(holder)
    )
    data, rows = _members_form(admin_client, org)
    data[f"memberships-{rows[org.memberships.get(user=holder).pk]}-DELETE"] = "on"

    response = admin_client.post(
        reverse("admin:accounts_organization_change", args=[org.pk]), data, follow=True
    )

    # Back on the page, with the service's refusal and no word of success.
    assert response.redirect_chain[-1][0] == reverse(
        "admin:accounts_organization_change", args=[org.pk]
    )
    page = response.content.decode()
    refusal = errors.MEMBER_OWNS_ACCOUNTS.format(email=holder.email, count=1)
    assert escape(capfirst(refusal)) in page
    assert "was changed successfully" not in page
    assert org.memberships.filter(user=holder).exists()


def test_support_changes_a_role_and_the_owner_through_the_services(
    admin_client, admin_user, org, owner, member
):
    data, rows = _members_form(admin_client, org)
    data[f"memberships-{rows[org.memberships.get(user=member).pk]}-role"] = "owner"
    data[f"memberships-{rows[org.memberships.get(user=owner).pk]}-role"] = "member"

    response = admin_client.post(reverse("admin:accounts_organization_change", args=[org.pk]), data)

    assert response.status_code == 302
    assert dict(org.memberships.values_list("user_id", "role")) == {
        member.pk: "owner",
        owner.pk: "member",
    }
    transfer = Event.objects.get(event_type="organization.updated", resource_sid=org.sid)
    assert (transfer.actor_type, transfer.actor_sid, transfer.source) == (
        "support",
        admin_user.sid,
        "admin",
    )
    assert transfer.event_data["owner"] == {"previous": owner.email, "updated": member.email}
    demoted = Event.objects.get(event_type="organization-membership.updated")
    assert demoted.event_data["role"] == {"previous": "administrator", "updated": "member"}
