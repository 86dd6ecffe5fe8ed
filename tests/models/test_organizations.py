"""Organizations: SIDs, members, and a single owner kept by the database."""

import re

import pytest
from django.db import IntegrityError, transaction

from accounts.models import Organization, OrganizationMembership

OrgRole = OrganizationMembership.Role
ORGANIZATION_SID = re.compile(r"^OR[0-9a-f]{32}$")

pytestmark = pytest.mark.django_db


def test_organization_sid_and_membership_roles(make_user):
    organization = Organization.objects.create(name="Acme Inc")
    owner, admin, member = make_user(), make_user(), make_user()
    Role = OrganizationMembership.Role
    OrganizationMembership.objects.create(organization=organization, user=owner, role=Role.OWNER)
    OrganizationMembership.objects.create(
        organization=organization, user=admin, role=Role.ADMINISTRATOR
    )
    OrganizationMembership.objects.create(organization=organization, user=member)

    assert ORGANIZATION_SID.match(organization.sid)
    assert set(Role.values) == {"owner", "administrator", "member"}
    assert set(organization.members.all()) == {owner, admin, member}
    assert organization.memberships.get(user=member).role == Role.MEMBER


def test_organization_has_a_single_owner(make_user):
    organization = Organization.objects.create(name="Acme Inc")
    Role = OrganizationMembership.Role
    OrganizationMembership.objects.create(
        organization=organization, user=make_user(), role=Role.OWNER
    )

    with pytest.raises(IntegrityError), transaction.atomic():
        OrganizationMembership.objects.create(
            organization=organization, user=make_user(), role=Role.OWNER
        )


@pytest.mark.django_db
def test_the_database_refuses_a_second_owner(org, make_user, join):
    with pytest.raises(IntegrityError), transaction.atomic():
        join(make_user(), OrgRole.OWNER)
