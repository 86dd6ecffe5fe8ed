"""What every console page shares (accounts/views/common.py): who reaches what, by role
(allowed, 403 for a member without the permission, 404 for anyone else), a CSRF token on every
state change, and text with a NUL character that never reaches the database."""

import pytest
from django.test import Client
from django.urls import reverse

from accounts import roles
from accounts.models import Account, AccountMembership, OrganizationMembership
from accounts.services import invitations as invitation_services
from accounts.services import organizations as organization_services
from accounts.services.events import Actor
from tests.factories import AvailablePhoneNumberFactory
from tests.history import status_changes
from tests.support import HTMX, NUL

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
        {},
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
    html = client.get(reverse("console:account_dashboard", args=[account.sid])).content.decode()
    assert (account.auth_token in html) is sees_token


def test_every_console_post_needs_a_csrf_token(user, account, make_subaccount, make_member, org):
    sub = make_subaccount(account)
    member = make_member(account, roles.DEVELOPER)
    AvailablePhoneNumberFactory(phone_number="+14155550100")
    invitation = invitation_services.invitation_create(
        email="x@example.com",
        actor=Actor.for_user(user),
        base_url="http://testserver/",
        account=account,
        roles_=[roles.SUPPORT],
    )
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    a, s = account.sid, sub.sid
    posts = [
        ("/console/accounts/", {"friendly_name": "New"}),
        (f"/console/{a}/rename/", {"friendly_name": "New"}),
        (f"/console/{s}/spend-cap/", {"monthly_spend_cap": "1"}),
        (f"/console/{s}/close/", {}),
        (f"/console/{a}/subaccounts/", {"friendly_name": "New"}),
        (f"/console/{a}/subaccounts/{s}/rename/", {"friendly_name": "New"}),
        (f"/console/{a}/subaccounts/{s}/status/", {"action": "suspend"}),
        (f"/console/{a}/users/", {"email": "y@example.com", "roles": ["support"]}),
        (f"/console/{a}/users/{member.pk}/roles/", {"roles": ["support"]}),
        (f"/console/{a}/users/{member.pk}/remove/", {}),
        (f"/console/{a}/users/transfer/", {"new_owner": member.pk}),
        (f"/console/{a}/invitations/{invitation.pk}/revoke/", {}),
        (f"/console/{a}/phone-numbers/buy/", {"phone_number": "+14155550100"}),
        ("/orgs/", {"name": "New org"}),
        (f"/orgs/{org.sid}/accounts/", {"friendly_name": "x"}),
        ("/signout/", {}),
    ]
    for url, data in posts:
        for headers in ({}, HTMX):
            response = client.post(url, data, headers=headers)
            assert response.status_code == 403, url
    account.refresh_from_db()
    sub.refresh_from_db()
    assert account.friendly_name == "Acme" and sub.status == Account.Status.ACTIVE
    assert Account.objects.count() == 2
    assert AccountMembership.objects.filter(user=member).exists()


# Text with a NUL character: PostgreSQL refuses it in a query or a row, so searches, SIDs
# and reasons from a request never take it there (SQLite stores it: these bite on PostgreSQL).


@pytest.mark.parametrize(
    "page", ["console:subaccount_list", "console:phone_number_list", "console:account_switcher"]
)
@pytest.mark.parametrize("headers", [{}, HTMX])
def test_searching_with_a_nul_character_finds_nothing_instead_of_failing(
    owner_client, account, make_subaccount, page, headers
):
    make_subaccount(account, friendly_name="ab")

    response = owner_client.get(reverse(page, args=[account.sid]), {"q": NUL}, headers=headers)

    assert response.status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/console/{nul}/",
        "/console/{account}/subaccounts/{nul}/close/",
        "/console/{account}/phone-numbers/{nul}/release/",
        "/orgs/{nul}/",
    ],
)
def test_a_sid_with_a_nul_character_is_not_found(owner_client, account, path):
    url = path.format(account=account.sid, nul="AC%00")

    assert owner_client.get(url).status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/console/{account}/subaccounts/{nul}/rename/",
        "/console/{account}/phone-numbers/{nul}/rename/",
    ],
)
def test_an_action_on_a_sid_with_a_nul_character_is_not_found(owner_client, account, path):
    url = path.format(account=account.sid, nul="AC%00")

    assert owner_client.post(url, {"friendly_name": "x"}).status_code == 404


def test_a_close_reason_with_a_nul_character_still_closes(owner_client, account, make_subaccount):
    sub = make_subaccount(account)

    response = owner_client.post(reverse("console:account_close", args=[sub.sid]), {"reason": NUL})

    assert response.status_code == 302
    sub.refresh_from_db()
    assert sub.status == Account.Status.CLOSED
    assert [c.reason for c in status_changes(sub) if c.new_status == "closed"] == ["ab"]


@pytest.mark.parametrize("headers", [{}, HTMX])
def test_a_row_action_reason_with_a_nul_character_still_acts(
    owner_client, account, make_subaccount, headers
):
    sub = make_subaccount(account)

    response = owner_client.post(
        reverse("console:subaccount_status", args=[account.sid, sub.sid]),
        {"action": "suspend", "reason": NUL},
        headers=headers,
    )

    assert response.status_code in (200, 302)
    sub.refresh_from_db()
    assert sub.status == Account.Status.SUSPENDED
