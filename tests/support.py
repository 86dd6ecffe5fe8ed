"""Small helpers shared by the test modules (fixtures live in the conftest.py files, objects
come from tests/factories.py)."""

import re

from django.core import mail

from accounts.selectors import organizations as organization_selectors

# The header htmx sends with each of its requests.
HTMX = {"HX-Request": "true"}

# Text with a NUL character (0x00), which PostgreSQL refuses in a query or a row.
NUL = "a\x00b"

_INVITATION_LINK = re.compile(r"http://testserver(/invitations/([^/\s]+)/)")


def mailed_invitation_link(message=None):
    """The path of the invitation link in `message` (the last email sent, by default)."""
    return _INVITATION_LINK.search((message or mail.outbox[-1]).body).group(1)


def mailed_invitation_token(message=None):
    """The token of the invitation link in `message` (the last email sent, by default)."""
    return _INVITATION_LINK.search((message or mail.outbox[-1]).body).group(2)


def role_of(organization, user):
    """The user's role in the organization, or None."""
    return organization_selectors.organization_role(user=user, organization=organization)
