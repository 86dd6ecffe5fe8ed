"""Account memberships: one owner per account, kept by the database."""

import pytest
from django.db import IntegrityError, transaction

from accounts import roles
from accounts.models import AccountMembership

pytestmark = pytest.mark.django_db


def test_account_has_a_single_owner_membership(account, make_user):
    with pytest.raises(IntegrityError), transaction.atomic():
        AccountMembership.objects.create(account=account, user=make_user(), role=roles.OWNER)
