import pytest
from django.contrib.auth.models import Group


@pytest.fixture
def agent(make_user):
    """A support agent: staff, in the Support group, not a superuser."""
    person = make_user(email="agent@example.com", is_staff=True)
    person.groups.add(Group.objects.get(name="Support"))
    return person
