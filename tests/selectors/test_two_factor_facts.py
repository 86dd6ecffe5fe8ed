"""The signed-in user's two-factor facts, loaded with the user on every request from SQL
written once, answer exactly what the ORM's Exists answer, in every way a user comes to be
covered: a role on an account that requires it, on a subaccount whose main account does, on
an account of an organization that does (or whose main account's organization does), or
membership of such an organization; and an authenticator app, not recovery codes alone."""

import pytest
from allauth.mfa.models import Authenticator

from accounts.models import Account, AccountMembership, Organization
from accounts.selectors.two_factor import (
    users_with_two_factor_facts,
    users_with_two_factor_facts_by_orm,
)

pytestmark = pytest.mark.django_db


def facts(queryset):
    return {
        user.email: (bool(user.has_two_factor), bool(user.two_factor_required)) for user in queryset
    }


def test_written_sql_and_orm_agree_on_every_way_to_be_covered(
    make_user, make_account, make_subaccount, org, join
):
    def member_of(account, email):
        user = make_user(email=email)
        AccountMembership.objects.create(account=account, user=user, role="developer")
        return user

    requiring = make_account(friendly_name="Requires")
    Account.objects.filter(pk=requiring.pk).update(require_two_factor=True)
    relaxed = make_account(friendly_name="Relaxed")
    sub_of_requiring = make_subaccount(requiring, "Sub of requiring")
    sub_of_relaxed = make_subaccount(relaxed, "Sub of relaxed")
    Organization.objects.filter(pk=org.pk).update(require_two_factor=True)
    in_org = make_account(friendly_name="In a requiring organization")
    Account.objects.filter(pk=in_org.pk).update(organization=org)
    sub_in_org = make_subaccount(in_org, "Sub in a requiring organization")

    member_of(requiring, "on-requiring@example.com")
    member_of(sub_of_requiring, "on-sub-of-requiring@example.com")
    member_of(relaxed, "on-relaxed@example.com")
    on_sub_relaxed = member_of(sub_of_relaxed, "on-sub-of-relaxed@example.com")
    member_of(in_org, "on-org-account@example.com")
    member_of(sub_in_org, "on-sub-of-org-account@example.com")
    join(make_user(email="org-member@example.com"))
    make_user(email="nobody@example.com")
    with_app = member_of(requiring, "with-app@example.com")
    Authenticator.objects.create(user=with_app, type=Authenticator.Type.TOTP, data={})
    Authenticator.objects.create(
        user=on_sub_relaxed, type=Authenticator.Type.RECOVERY_CODES, data={}
    )

    written = facts(users_with_two_factor_facts())
    assert written == facts(users_with_two_factor_facts_by_orm())
    assert written["on-requiring@example.com"] == (False, True)
    assert written["on-sub-of-requiring@example.com"] == (False, True)
    assert written["on-org-account@example.com"] == (False, True)
    assert written["on-sub-of-org-account@example.com"] == (False, True)
    assert written["org-member@example.com"] == (False, True)
    assert written["with-app@example.com"] == (True, True)
    assert written["on-relaxed@example.com"] == (False, False)
    assert written["on-sub-of-relaxed@example.com"] == (False, False)
    assert written["nobody@example.com"] == (False, False)
