"""Organization reads: a user's role in an organization."""

import pytest

from accounts.models import OrganizationMembership
from tests.support import role_of

OrgRole = OrganizationMembership.Role


@pytest.mark.django_db
def test_organization_role_is_none_for_outsiders(org, owner, admin, member, make_user):
    assert role_of(org, owner) == OrgRole.OWNER
    assert role_of(org, admin) == OrgRole.ADMINISTRATOR
    assert role_of(org, member) == OrgRole.MEMBER
    assert role_of(org, make_user()) is None
