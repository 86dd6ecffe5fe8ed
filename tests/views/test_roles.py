"""Every role (and a non-member, and an organization administrator) against every protected
console action: allowed, 403 (member without the permission) or 404 (not a member)."""

import pytest
from django.urls import reverse

from accounts import roles
from accounts.models import AccountMembership, OrganizationMembership
from accounts.services import organizations as organization_services
from accounts.services.events import Actor

OK, FORBIDDEN, NOT_FOUND = "ok", 403, 404

WHO = [
    "owner",
    "administrator",
    "developer",
    "billing_manager",
    "support",
    "organization_administrator",
    "non_member",
]

# action: (method, url builder, data, expected per WHO in the order above)
A, F, N = OK, FORBIDDEN, NOT_FOUND  # allowed, forbidden, not found
MATRIX = {
    "view dashboard": (
        "get",
        lambda a, s: reverse("console:account_dashboard", args=[a.sid]),
        None,
        [A, A, A, A, A, A, N],
    ),
    "view subaccounts": (
        "get",
        lambda a, s: reverse("console:subaccount_list", args=[a.sid]),
        None,
        [A, A, A, A, A, A, N],
    ),
    "view a subaccount": (
        "get",
        lambda a, s: reverse("console:account_dashboard", args=[s.sid]),
        None,
        [A, A, A, A, A, A, N],
    ),
    "view settings": (
        "get",
        lambda a, s: reverse("console:account_settings", args=[a.sid]),
        None,
        [A, A, A, A, A, A, N],
    ),
    "rename account": (
        "post",
        lambda a, s: reverse("console:account_rename", args=[a.sid]),
        {"friendly_name": "Renamed"},
        [A, A, F, F, F, A, N],
    ),
    "create subaccount": (
        "post",
        lambda a, s: reverse("console:subaccount_list", args=[a.sid]),
        {"friendly_name": "New sub"},
        [A, A, F, F, F, A, N],
    ),
    "open a subaccount's rename form": (
        "get",
        lambda a, s: reverse("console:subaccount_rename", args=[a.sid, s.sid]),
        None,
        [A, A, F, F, F, A, N],
    ),
    "rename subaccount": (
        "post",
        lambda a, s: reverse("console:subaccount_rename", args=[a.sid, s.sid]),
        {"friendly_name": "Renamed sub"},
        [A, A, F, F, F, A, N],
    ),
    "suspend subaccount": (
        "post",
        lambda a, s: reverse("console:subaccount_status", args=[a.sid, s.sid]),
        {"action": "suspend"},
        [A, A, F, F, F, A, N],
    ),
    "close subaccount": (
        "post",
        lambda a, s: reverse("console:subaccount_status", args=[a.sid, s.sid]),
        {"action": "close"},
        [A, A, F, F, F, A, N],
    ),
    "close main account": (
        "post",
        lambda a, s: reverse("console:account_close", args=[a.sid]),
        {"confirm_name": "Main account"},  # a main account closes once its name is typed
        [A, F, F, F, F, F, N],
    ),
    "view users": (
        "get",
        lambda a, s: reverse("console:user_list", args=[a.sid]),
        None,
        [A, A, F, F, F, A, N],
    ),
    "invite a user": (
        "post",
        lambda a, s: reverse("console:user_list", args=[a.sid]),
        {"email": "invitee@example.com", "roles": ["developer"]},
        [A, A, F, F, F, A, N],
    ),
    "transfer ownership": (
        "post",
        lambda a, s: reverse("console:ownership_transfer", args=[a.sid]),
        "transfer",
        [A, F, F, F, F, F, N],
    ),
}


def _cases():
    for action, (_method, _url, _data, expected) in MATRIX.items():
        for who, outcome in zip(WHO, expected, strict=True):
            yield pytest.param(action, who, outcome, id=f"{action}-{who}")


@pytest.mark.django_db
@pytest.mark.parametrize(("action", "who", "expected"), list(_cases()))
def test_permission_matrix(
    client, make_user, make_account, make_subaccount, action, who, expected, make_member
):
    organization_owner = make_user()
    organization = organization_services.organization_create(
        name="Org", owner=organization_owner, actor=Actor.for_user(organization_owner)
    )
    owner = make_user()
    account = make_account(owner=owner)
    account.organization = organization
    account.save()
    sub = make_subaccount(account)
    other_member = make_member(account, roles.SUPPORT)

    if who == "owner":
        actor = owner
    else:
        actor = make_user()
        if who == "organization_administrator":
            OrganizationMembership.objects.create(
                organization=organization, user=actor, role="administrator"
            )
        elif who != "non_member":
            AccountMembership.objects.create(account=account, user=actor, role=who)
    client.force_login(actor)

    method, url, data, _expected = MATRIX[action]
    if data == "transfer":
        data = {"new_owner": other_member.pk}
    response = getattr(client, method)(url(account, sub), data or {})

    if expected == OK:
        assert response.status_code in (200, 302), response.status_code
    else:
        assert response.status_code == expected
        account.refresh_from_db()
        sub.refresh_from_db()
        # A refused request changed nothing.
        assert account.friendly_name == "Main account" and account.status == "active"
        assert account.owner == owner
        assert sub.friendly_name == "Subaccount" and sub.status == "active"
        assert account.subaccounts.count() == 1
        assert not account.invitations.exists()


CREDENTIALS = {
    "owner": True,
    "administrator": True,
    "developer": True,
    "billing_manager": False,
    "support": False,
}


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "sees_token"), list(CREDENTIALS.items()))
def test_only_roles_with_credentials_see_the_auth_token(
    client, make_member, account, role, sees_token
):
    actor = account.owner
    if role != "owner":
        actor = make_member(account, role)
    client.force_login(actor)
    response = client.get(reverse("console:auth_token_reveal", args=[account.sid]))
    assert response.status_code == (200 if sees_token else 403)
    assert (account.auth_token in response.content.decode()) is sees_token
