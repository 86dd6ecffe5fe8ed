"""Fixtures for organization tests: an organization, its owner, an administrator, a member.
Loaded for every test module through `pytest_plugins` in tests/conftest.py."""

import pytest

from accounts.models import OrganizationMembership
from accounts.services import organizations as organization_services
from accounts.services.events import Actor

OrgRole = OrganizationMembership.Role


@pytest.fixture
def owner(make_user):
    return make_user(email="owner@example.com", full_name="Olive Owner")


@pytest.fixture
def org(owner):
    return organization_services.organization_create(
        name="Acme Group", owner=owner, actor=Actor.for_user(owner)
    )


@pytest.fixture
def join(org):
    def join(user, role=OrgRole.MEMBER, organization=None):
        return OrganizationMembership.objects.create(
            organization=organization or org, user=user, role=role
        )

    return join


@pytest.fixture
def admin(make_user, join):
    user = make_user(email="admin@example.com")
    join(user, OrgRole.ADMINISTRATOR)
    return user


@pytest.fixture
def member(make_user, join):
    user = make_user(email="member@example.com")
    join(user, OrgRole.MEMBER)
    return user
