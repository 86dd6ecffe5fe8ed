"""The Organizations pages of the console: list, overview (change of owner), accounts (create,
import) and members (invite, roles, removal, invitations), through the test client."""

import pytest
from django.core import mail
from django.urls import reverse
from django.utils.html import escape

from accounts import errors, roles
from accounts.models import Account, AccountMembership, Invitation, OrganizationMembership
from accounts.services import accounts as account_services
from accounts.services import invitations as invitation_services
from accounts.services import organizations as organization_services
from accounts.services.events import Actor
from tests.support import HTMX, mailed_invitation_token, role_of

OrgRole = OrganizationMembership.Role


# --- Fixtures and helpers -------------------------------------------------------------------


@pytest.fixture
def outsider(make_user):
    return make_user(email="outsider@example.com")


@pytest.fixture
def org_owner_client(as_user, owner):
    """The test client, signed in as the organization's owner."""
    return as_user(owner)


def url(name, org, *args):
    return reverse(name, args=[org.sid, *args])


def shown(message):
    """A message as it appears in the HTML (apostrophes escaped)."""
    return str(escape(message))


def triggered(response):
    return response.headers.get("HX-Trigger", "")


def create_in_org(org, acting_user, name="Org account"):
    return organization_services.organization_account_create(
        organization=org, friendly_name=name, actor=Actor.for_user(acting_user)
    )


# --- Access: anonymous, outsiders (404) and members without the role (403) ------------------


def every_org_url(org, user_id, invitation_id):
    """(method, url) for each organization page and write."""
    return [
        ("get", url("organizations:organization_overview", org)),
        ("get", url("organizations:organization_owner_transfer", org)),
        ("post", url("organizations:organization_owner_transfer", org)),
        ("get", url("organizations:organization_accounts", org)),
        ("post", url("organizations:organization_accounts", org)),
        ("post", url("organizations:organization_account_import", org)),
        ("get", url("organizations:organization_members", org)),
        ("get", url("organizations:organization_members", org) + "?tab=invited"),
        ("post", url("organizations:organization_members", org)),
        ("post", url("organizations:organization_member_role", org, user_id)),
        ("get", url("organizations:organization_member_remove", org, user_id)),
        ("post", url("organizations:organization_member_remove", org, user_id)),
        ("post", url("organizations:organization_invitation_resend", org, invitation_id)),
        ("post", url("organizations:organization_invitation_revoke", org, invitation_id)),
    ]


@pytest.fixture
def pending_invitation(org, owner):
    return invitation_services.invitation_create(
        organization=org,
        email="invitee@example.com",
        actor=Actor.for_user(owner),
        base_url="http://testserver/",
        roles_=[OrgRole.MEMBER],
    )


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_sign_in(client, org, member, pending_invitation):
    for method, target in [("get", reverse("organizations:organization_list"))] + every_org_url(
        org, member.pk, pending_invitation.pk
    ):
        response = getattr(client, method)(target)
        assert response.status_code == 302, target
        assert response["Location"].startswith("/signin/")


@pytest.mark.django_db
def test_outsiders_get_404_on_every_organization_url(
    as_user, org, outsider, member, pending_invitation
):
    client = as_user(outsider)
    for method, target in every_org_url(org, member.pk, pending_invitation.pk):
        for headers in ({}, HTMX):
            response = getattr(client, method)(target, headers=headers)
            assert response.status_code == 404, (method, target)
    assert role_of(org, member) == OrgRole.MEMBER
    assert Invitation.objects.get().state == "pending"


@pytest.mark.django_db
def test_an_unknown_organization_sid_is_404(org_owner_client):
    assert org_owner_client.get("/orgs/OR" + "0" * 32 + "/").status_code == 404


@pytest.mark.django_db
def test_plain_members_get_403_on_every_write(as_user, org, owner, member, pending_invitation):
    client = as_user(member)
    writes = [
        (m, u)
        for m, u in every_org_url(org, owner.pk, pending_invitation.pk)
        if m == "post" or "owner" in u or "remove" in u
    ]
    assert len(writes) == 10
    for method, target in writes:
        for headers in ({}, HTMX):
            response = getattr(client, method)(
                target,
                {"friendly_name": "x", "email": "a@example.com", "role": "member"},
                headers=headers,
            )
            assert response.status_code == 403, (method, target)
    assert not Account.objects.exists()
    assert Invitation.objects.get().state == "pending"
    assert role_of(org, owner) == OrgRole.OWNER


@pytest.mark.django_db
def test_administrators_get_403_on_the_change_of_owner(as_user, org, admin, member):
    client = as_user(admin)
    target = url("organizations:organization_owner_transfer", org)
    assert client.get(target).status_code == 403
    assert client.get(target, {"new_owner": member.pk}, headers=HTMX).status_code == 403
    assert client.post(target, {"new_owner": admin.pk}).status_code == 403
    assert role_of(org, admin) == OrgRole.ADMINISTRATOR


@pytest.mark.django_db
def test_rows_of_another_organization_are_404(org_owner_client, org, owner, make_user, join):
    other_owner = make_user()
    other = organization_services.organization_create(
        name="Other", owner=other_owner, actor=Actor.for_user(other_owner)
    )
    stranger = make_user()
    join(stranger, organization=other)
    invitation = invitation_services.invitation_create(
        organization=other,
        email="x@example.com",
        actor=Actor.for_user(other_owner),
        base_url="http://testserver/",
    )
    assert (
        org_owner_client.post(
            url("organizations:organization_member_role", org, stranger.pk),
            {"role": "administrator"},
        ).status_code
        == 404
    )
    assert (
        org_owner_client.get(
            url("organizations:organization_member_remove", org, stranger.pk)
        ).status_code
        == 404
    )
    assert (
        org_owner_client.post(
            url("organizations:organization_invitation_revoke", org, invitation.pk)
        ).status_code
        == 404
    )
    assert (
        org_owner_client.post(
            url("organizations:organization_owner_transfer", org), {"new_owner": stranger.pk}
        ).status_code
        == 422
    )
    assert role_of(other, stranger) == OrgRole.MEMBER


@pytest.mark.django_db
def test_a_service_refusal_for_a_missing_role_is_a_403(org_owner_client, org, monkeypatch):
    # The view let the request through, but the role changed in between: the service's
    # NotPermitted becomes a 403, not an error shown in the form.
    def refuse(**kwargs):
        raise errors.NotPermitted(errors.ORGANIZATION_ADMIN_ONLY)

    monkeypatch.setattr(organization_services, "organization_account_create", refuse)
    response = org_owner_client.post(
        url("organizations:organization_accounts", org), {"friendly_name": "Raced"}, headers=HTMX
    )
    assert response.status_code == 403


# --- Organizations list -------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_list_shows_my_organizations_with_role_and_counts(
    as_user, org, owner, member, admin, make_user, make_subaccount
):
    first = create_in_org(org, owner, "One")
    make_subaccount(first)  # subaccounts do not count
    closed = create_in_org(org, owner, "Closed")
    account_services.account_close(account=closed, actor=Actor.for_user(owner))
    create_in_org(org, admin, "Two")
    elsewhere = organization_services.organization_create(
        name="Not mine", owner=(founder := make_user()), actor=Actor.for_user(founder)
    )

    response = as_user(member).get(reverse("organizations:organization_list"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Acme Group" in html and org.sid in html
    assert "Member" in html and "owner@example.com" in html
    assert f'{url("organizations:organization_accounts", org)}">2</a>' in html
    assert f'{url("organizations:organization_members", org)}">3</a>' in html
    assert elsewhere.sid not in html
    assert 'href="/orgs/">Organizations</a>' in html  # the top bar links here


@pytest.mark.django_db
def test_the_list_is_empty_for_someone_in_no_organization(as_user, outsider, org):
    html = as_user(outsider).get(reverse("organizations:organization_list")).content.decode()
    assert "not in any organization yet" in html
    assert org.sid not in html


@pytest.mark.django_db
def test_an_htmx_get_of_the_list_returns_its_rows(org_owner_client, org):
    response = org_owner_client.get(reverse("organizations:organization_list"), headers=HTMX)
    html = response.content.decode()
    assert '<div id="organization-rows"' in html and "<html" not in html
    assert org.sid in html
    assert response["Vary"].count("HX-Request") == 1


@pytest.mark.django_db
def test_create_organization_plain_post_makes_me_its_owner(as_user, outsider):
    response = as_user(outsider).post(
        reverse("organizations:organization_list"), {"name": " Globex "}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("organizations:organization_list")
    created = outsider.organizations.get()
    assert created.name == "Globex"
    assert role_of(created, outsider) == OrgRole.OWNER
    html = as_user(outsider).get(response["Location"]).content.decode()
    assert "Created organization “Globex”." in html and created.sid in html


@pytest.mark.django_db
def test_create_organization_over_htmx_returns_the_form_and_signals(as_user, outsider):
    response = as_user(outsider).post(
        reverse("organizations:organization_list"), {"name": "Initech"}, headers=HTMX
    )
    html = response.content.decode()
    created = outsider.organizations.get()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="create-organization">') and "<html" not in html
    assert "Created organization" in html and created.sid in html
    assert 'value="Initech"' not in html  # a fresh form
    assert "organizationChanged" in triggered(response)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("typed", "message"),
    [("   ", errors.ORGANIZATION_NAME_REQUIRED), ("x" * 101, "at most 100 characters")],
)
def test_create_organization_errors_show_in_place_and_keep_input(as_user, outsider, typed, message):
    response = as_user(outsider).post(
        reverse("organizations:organization_list"), {"name": typed}, headers=HTMX
    )
    html = response.content.decode()
    assert response.status_code == 422
    assert message in html
    assert '<div id="create-organization">' in html and "<html" not in html
    if typed.strip():
        assert f'value="{typed}"' in html
    assert not outsider.organizations.exists()
    assert "HX-Trigger" not in response


@pytest.mark.django_db
def test_create_organization_error_without_htmx_renders_the_page(as_user, outsider):
    response = as_user(outsider).post(reverse("organizations:organization_list"), {"name": ""})
    assert response.status_code == 422
    assert b"<html" in response.content and errors.ORGANIZATION_NAME_REQUIRED.encode() in (
        response.content
    )


# --- Overview and change of owner ---------------------------------------------------------------


@pytest.mark.django_db
def test_overview_shows_name_sid_owner_and_counts(org_owner_client, org, owner, member):
    org.account_limit = 5
    org.save()
    create_in_org(org, owner)
    html = org_owner_client.get(url("organizations:organization_overview", org)).content.decode()
    assert "Acme Group" in html and org.sid in html
    assert "owner@example.com" in html
    assert '<p class="big-number" id="organization-account-usage">1 <span class="muted">of 5' in (
        html
    )
    assert '<p class="big-number" id="organization-member-count">2</p>' in html
    assert 'Your role: <span id="org-my-role">Organization Owner</span>' in html
    assert 'aria-current="page">Overview</a>' in html
    assert "Change organization owner…" in html
    assert 'id="switcher"' not in html  # no account switcher on organization pages


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["admin", "member"])
def test_only_the_owner_sees_the_change_of_owner(as_user, org, admin, member, who):
    html = (
        as_user(admin if who == "admin" else member)
        .get(url("organizations:organization_overview", org))
        .content.decode()
    )
    assert "owner@example.com" in html
    assert url("organizations:organization_owner_transfer", org) not in html
    assert "Only the owner can hand it over" in html


@pytest.mark.django_db
def test_an_owner_alone_is_told_to_invite_someone_first(org_owner_client, org):
    html = org_owner_client.get(url("organizations:organization_overview", org)).content.decode()
    assert url("organizations:organization_owner_transfer", org) not in html
    assert "first <a" in html and "invite</a> the new owner" in html


@pytest.mark.django_db
def test_the_change_of_owner_dialog_offers_the_other_members(
    org_owner_client, org, owner, admin, member
):
    response = org_owner_client.get(
        url("organizations:organization_owner_transfer", org), headers=HTMX
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div class="confirm">') and "<html" not in html
    assert 'id="modal-title"' in html and "You become an <strong>Organization Administrator" in html
    assert f'<option value="{admin.pk}">admin@example.com</option>' in html
    assert f'<option value="{member.pk}">member@example.com</option>' in html
    assert f'value="{owner.pk}"' not in html
    assert 'hx-post="' in html and 'hx-target="#org-owner"' in html


@pytest.mark.django_db
def test_the_change_of_owner_page_without_htmx_preselects_the_member(org_owner_client, org, member):
    response = org_owner_client.get(
        url("organizations:organization_owner_transfer", org), {"new_owner": member.pk}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" in html and "hx-post" not in html.split('class="confirm"')[1]
    assert f'<option value="{member.pk}" selected>' in html


@pytest.mark.django_db
def test_change_of_owner_plain_post_redirects_with_a_message(org_owner_client, org, owner, member):
    response = org_owner_client.post(
        url("organizations:organization_owner_transfer", org), {"new_owner": member.pk}
    )
    assert response.status_code == 302
    assert response["Location"] == url("organizations:organization_overview", org)
    assert role_of(org, member) == OrgRole.OWNER
    assert role_of(org, owner) == OrgRole.ADMINISTRATOR
    html = org_owner_client.get(response["Location"]).content.decode()
    assert "member@example.com is now the owner" in html
    assert 'Your role: <span id="org-my-role">Organization Administrator</span>' in html
    assert url("organizations:organization_owner_transfer", org) not in html


@pytest.mark.django_db
def test_change_of_owner_over_htmx_returns_the_owner_card(org_owner_client, org, owner, admin):
    response = org_owner_client.post(
        url("organizations:organization_owner_transfer", org), {"new_owner": admin.pk}, headers=HTMX
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<section class="card" id="org-owner"') and "<html" not in html
    assert "admin@example.com is now the owner" in html
    assert "<dd>admin@example.com</dd>" in html
    # The heading's "Your role" is updated out of band.
    assert '<span id="org-my-role" hx-swap-oob="true">Organization Administrator</span>' in html
    assert url("organizations:organization_owner_transfer", org) not in html
    assert "organizationChanged" in triggered(response)
    assert role_of(org, admin) == OrgRole.OWNER and role_of(org, owner) == OrgRole.ADMINISTRATOR


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("choice", "message"),
    [("", errors.CHOOSE_NEW_OWNER), ("not-a-number", errors.ORGANIZATION_TRANSFER_TO_MEMBER_ONLY)],
)
def test_change_of_owner_errors_show_in_the_dialog(
    org_owner_client, org, owner, member, choice, message
):
    response = org_owner_client.post(
        url("organizations:organization_owner_transfer", org), {"new_owner": choice}, headers=HTMX
    )
    html = response.content.decode()
    assert response.status_code == 422
    assert message in html and '<div class="confirm">' in html
    assert response["HX-Retarget"] == "#modal-body"
    assert role_of(org, owner) == OrgRole.OWNER


@pytest.mark.django_db
def test_ownership_cannot_go_to_an_outsider(org_owner_client, org, owner, outsider):
    response = org_owner_client.post(
        url("organizations:organization_owner_transfer", org), {"new_owner": outsider.pk}
    )
    assert response.status_code == 422
    assert errors.ORGANIZATION_TRANSFER_TO_MEMBER_ONLY in response.content.decode()
    assert role_of(org, outsider) is None and role_of(org, owner) == OrgRole.OWNER


# --- Accounts --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_accounts_page_lists_the_organizations_accounts(
    org_owner_client, org, owner, admin, make_account, make_subaccount
):
    mine = create_in_org(org, owner, "Owner's project")
    theirs = create_in_org(org, admin, "Admin's project")
    sub = make_subaccount(mine, "A subaccount")
    account_services.account_suspend(account=sub, actor=Actor.for_user(owner))
    personal = make_account(owner=owner, friendly_name="Personal")

    response = org_owner_client.get(url("organizations:organization_accounts", org))
    html = response.content.decode()
    assert response.status_code == 200
    assert mine.sid in html and theirs.sid in html
    assert f'href="{reverse("console:account_dashboard", args=[theirs.sid])}"' in html
    assert "admin@example.com" in html and "owner@example.com" in html
    assert 'class="badge badge-active">Active' in html and "Trial" in html
    assert sub.sid not in html  # main accounts; subaccounts are counted
    assert f'<tr id="account-{mine.sid}">' in html
    assert personal.sid not in html.split('id="org-account-rows"')[1]
    assert "2 of 10</strong> accounts used" in html
    assert 'aria-current="page">Accounts</a>' in html


@pytest.mark.django_db
def test_plain_members_see_only_the_accounts_they_hold_a_role_on_and_no_forms(
    as_user, org, owner, member
):
    shared = create_in_org(org, owner, "Shared")
    hidden = create_in_org(org, owner, "Hidden")
    AccountMembership.objects.create(account=shared, user=member, role=roles.DEVELOPER)
    html = as_user(member).get(url("organizations:organization_accounts", org)).content.decode()
    assert shared.sid in html and hidden.sid not in html
    assert "2 of 10</strong>" in html
    assert 'name="friendly_name"' not in html and 'name="account"' not in html
    assert url("organizations:organization_account_import", org) not in html


@pytest.mark.django_db
def test_an_htmx_get_of_the_accounts_page_returns_the_rows(org_owner_client, org, owner):
    account = create_in_org(org, owner)
    response = org_owner_client.get(url("organizations:organization_accounts", org), headers=HTMX)
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="org-account-rows"') and "<html" not in html
    assert account.sid in html
    assert 'hx-trigger="organizationChanged from:body"' in html


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["owner", "admin"])
def test_create_account_in_the_organization_plain_post(as_user, org, owner, admin, who):
    acting = owner if who == "owner" else admin
    client = as_user(acting)
    response = client.post(
        url("organizations:organization_accounts", org), {"friendly_name": "New one"}
    )
    assert response.status_code == 302
    assert response["Location"] == url("organizations:organization_accounts", org)
    created = Account.objects.get(friendly_name="New one")
    assert created.organization == org and created.owner == acting
    html = client.get(response["Location"]).content.decode()
    assert "Created account “New one”." in html and created.sid in html


@pytest.mark.django_db
def test_create_account_over_htmx_returns_the_forms_and_signals(org_owner_client, org):
    response = org_owner_client.post(
        url("organizations:organization_accounts", org), {"friendly_name": "Via htmx"}, headers=HTMX
    )
    html = response.content.decode()
    created = Account.objects.get(friendly_name="Via htmx")
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="org-account-manage">') and "<html" not in html
    assert "Created account “Via htmx”." in html
    assert f'href="{reverse("console:account_dashboard", args=[created.sid])}"' in html
    assert 'value="Via htmx"' not in html
    assert "organizationChanged" in triggered(response)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("typed", "message"),
    [("   ", errors.FRIENDLY_NAME_REQUIRED), ("x" * 65, "at most 64 characters")],
)
def test_create_account_errors_show_in_place_and_keep_input(org_owner_client, org, typed, message):
    response = org_owner_client.post(
        url("organizations:organization_accounts", org), {"friendly_name": typed}, headers=HTMX
    )
    html = response.content.decode()
    assert response.status_code == 422
    assert message in html
    assert '<div id="org-account-manage">' in html and "<html" not in html
    if typed.strip():
        assert f'value="{typed}"' in html
    assert not Account.objects.exists()


@pytest.mark.django_db
def test_at_the_organization_limit_the_forms_give_way_to_the_25102_message(
    org_owner_client, org, owner, make_account
):
    org.account_limit = 1
    org.save()
    create_in_org(org, owner)
    personal = make_account(owner=owner, friendly_name="Personal")
    html = org_owner_client.get(url("organizations:organization_accounts", org)).content.decode()
    limit_message = errors.ORGANIZATION_ACCOUNT_LIMIT_REACHED.format(limit=1)
    assert shown(limit_message) in html
    assert 'name="friendly_name"' not in html and 'name="account"' not in html
    # Stale forms posted anyway are refused with the same message, in place.
    for target, data in [
        (url("organizations:organization_accounts", org), {"friendly_name": "One too many"}),
        (url("organizations:organization_account_import", org), {"account": personal.sid}),
    ]:
        response = org_owner_client.post(target, data, headers=HTMX)
        assert response.status_code == 422
        assert shown(limit_message) in response.content.decode()
    assert Account.objects.filter(organization=org).count() == 1
    # Support raises the limit: the forms come back and creation works.
    org.account_limit = 3
    org.save()
    html = org_owner_client.get(url("organizations:organization_accounts", org)).content.decode()
    assert "1 of 3</strong>" in html
    # The forms are behind "Create or import account" (a dialog, or this page without JS).
    html = org_owner_client.get(url("organizations:organization_account_add", org)).content.decode()
    assert 'name="friendly_name"' in html
    response = org_owner_client.post(
        url("organizations:organization_accounts", org), {"friendly_name": "Second"}
    )
    assert response.status_code == 302


@pytest.mark.django_db
def test_the_import_choice_lists_only_my_own_personal_main_accounts(
    as_user, org, admin, owner, make_account, make_subaccount
):
    mine = make_account(owner=admin, friendly_name="Mine")
    make_subaccount(mine, "My subaccount")
    closed = make_account(owner=admin, friendly_name="Closed one")
    account_services.account_close(account=closed, actor=Actor.for_user(admin))
    other_org = organization_services.organization_create(
        name="Other", owner=admin, actor=Actor.for_user(admin)
    )
    in_other = create_in_org(other_org, admin, "In another org")
    someone_elses = make_account(owner=owner, friendly_name="Owner's personal")
    AccountMembership.objects.create(account=someone_elses, user=admin, role=roles.ADMINISTRATOR)

    html = as_user(admin).get(url("organizations:organization_account_add", org)).content.decode()
    select = html.split('name="account"')[1].split("</select>")[0]
    assert f'<option value="{mine.sid}">Mine ({mine.sid})</option>' in select
    for absent in (closed, in_other, someone_elses):
        assert absent.sid not in select
    assert select.count("<option") == 2  # the empty choice and "Mine"


@pytest.mark.django_db
def test_with_nothing_to_import_the_page_says_so(org_owner_client, org):
    html = org_owner_client.get(url("organizations:organization_account_add", org)).content.decode()
    assert "You have no personal main account to import" in html
    assert 'name="account"' not in html


@pytest.mark.django_db
def test_import_plain_post_moves_the_account_and_its_subaccounts(
    org_owner_client, org, owner, make_account, make_subaccount
):
    account = make_account(owner=owner, friendly_name="Personal")
    sub = make_subaccount(account)
    response = org_owner_client.post(
        url("organizations:organization_account_import", org), {"account": account.sid}
    )
    assert response.status_code == 302
    assert response["Location"] == url("organizations:organization_accounts", org)
    account.refresh_from_db()
    sub.refresh_from_db()
    assert account.organization == org and sub.organization == org
    html = org_owner_client.get(response["Location"]).content.decode()
    assert "Imported account “Personal” into the organization." in html
    assert "1 of 10</strong>" in html


@pytest.mark.django_db
def test_import_over_htmx_returns_the_forms_and_signals(org_owner_client, org, owner, make_account):
    account = make_account(owner=owner, friendly_name="Personal")
    response = org_owner_client.post(
        url("organizations:organization_account_import", org),
        {"account": account.sid},
        headers=HTMX,
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="org-account-manage">')
    assert "Imported account “Personal”" in html
    assert "organizationChanged" in triggered(response)
    assert "You have no personal main account to import" in html  # it was the only one


@pytest.mark.django_db
@pytest.mark.parametrize("choice", ["", "ACnot-a-real-sid"])
def test_import_errors_show_in_place(org_owner_client, org, owner, make_account, choice):
    make_account(owner=owner, friendly_name="Personal")
    response = org_owner_client.post(
        url("organizations:organization_account_import", org), {"account": choice}, headers=HTMX
    )
    assert response.status_code == 422
    assert errors.CHOOSE_ACCOUNT_TO_IMPORT in response.content.decode()


@pytest.mark.django_db
def test_an_administrator_cannot_import_someone_elses_account(
    as_user, org, owner, admin, make_account
):
    account = make_account(owner=owner, friendly_name="Owner's personal")
    AccountMembership.objects.create(account=account, user=admin, role=roles.ADMINISTRATOR)
    response = as_user(admin).post(
        url("organizations:organization_account_import", org),
        {"account": account.sid},
        headers=HTMX,
    )
    assert response.status_code == 422
    account.refresh_from_db()
    assert account.organization is None


@pytest.mark.django_db
def test_accounts_page_queries_stay_flat_with_50_accounts(
    org_owner_client, org, owner, make_account, django_assert_max_num_queries
):
    org.account_limit = 100
    org.save()
    for n in range(50):
        create_in_org(org, owner, f"Project {n:02}")
    make_account(owner=owner, friendly_name="Personal")
    with django_assert_max_num_queries(10):
        response = org_owner_client.get(url("organizations:organization_accounts", org))
    assert response.content.decode().count('<tr id="account-') == 50
    with django_assert_max_num_queries(10):
        response = org_owner_client.get(
            url("organizations:organization_accounts", org), headers=HTMX
        )
    assert response.content.decode().count('<tr id="account-') == 50


# --- Members and invitations -------------------------------------------------------------------


@pytest.mark.django_db
def test_members_page_lists_members_with_roles_owner_first(
    org_owner_client, org, owner, admin, member
):
    response = org_owner_client.get(url("organizations:organization_members", org))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.index("owner@example.com") < html.index("admin@example.com")
    assert html.index("admin@example.com") < html.index("member@example.com")
    assert "Olive Owner" in html and "(you)" in html
    assert "Organization Administrator" in html and '<td data-label="Role">Member</td>' in html
    assert "Members (3)" in html and "Invited (0)" in html
    assert 'aria-current="page">Members</a>' in html
    # Owner's row has no actions; the others do.
    assert url("organizations:organization_member_role", org, admin.pk) in html
    assert url("organizations:organization_member_remove", org, member.pk) in html
    assert url("organizations:organization_member_remove", org, owner.pk) not in html
    # The invitation form is behind "Invite member" (a dialog, or its own page without JS).
    assert url("organizations:organization_member_invite", org) in html
    invite = org_owner_client.get(
        url("organizations:organization_member_invite", org)
    ).content.decode()
    assert 'name="email"' in invite and "Send invitation" in invite


@pytest.mark.django_db
def test_plain_members_see_the_members_but_no_write_controls(
    as_user, org, admin, member, pending_invitation
):
    client = as_user(member)
    html = client.get(url("organizations:organization_members", org)).content.decode()
    assert "admin@example.com" in html and "member@example.com" in html
    assert "Send invitation" not in html and 'name="email"' not in html
    assert "Invite member" not in html
    assert client.get(url("organizations:organization_member_invite", org)).status_code == 403
    assert "Change role" not in html and "Remove…" not in html
    # Pending invitations (other people's addresses) are only for those who manage members.
    invited = client.get(
        url("organizations:organization_members", org), {"tab": "invited"}
    ).content.decode()
    assert "invitee@example.com" not in invited and "Invited (" not in invited
    assert "Resend" not in invited and "Revoke" not in invited


@pytest.mark.django_db
def test_the_invited_tab_lists_pending_and_expired_invitations(
    org_owner_client, org, owner, pending_invitation
):
    expired = invitation_services.invitation_create(
        organization=org,
        email="late@example.com",
        actor=Actor.for_user(owner),
        base_url="http://testserver/",
        roles_=[OrgRole.ADMINISTRATOR],
    )
    Invitation.objects.filter(pk=expired.pk).update(expires_at=expired.date_sent)
    revoked = invitation_services.invitation_create(
        organization=org,
        email="revoked@example.com",
        actor=Actor.for_user(owner),
        base_url="http://testserver/",
    )
    invitation_services.invitation_revoke(invitation=revoked, actor=Actor.for_user(owner))

    response = org_owner_client.get(
        url("organizations:organization_members", org), {"tab": "invited"}, headers=HTMX
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="members-panel"') and "<html" not in html
    assert "Invited (2)" in html and 'aria-current="page">Invited (2)' in html
    assert "invitee@example.com" in html and "late@example.com" in html
    assert "revoked@example.com" not in html
    assert 'badge-active">Pending' in html and 'badge-suspended">Expired' in html
    assert "Organization Administrator" in html and "owner@example.com" in html
    assert url("organizations:organization_invitation_resend", org, expired.pk) in html
    assert url("organizations:organization_invitation_revoke", org, pending_invitation.pk) in html


@pytest.mark.django_db
def test_invite_plain_post_sends_the_email_and_the_invitee_joins(
    org_owner_client, org, make_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = org_owner_client.post(
            url("organizations:organization_members", org),
            {"email": "New.Admin@Example.com", "role": OrgRole.ADMINISTRATOR},
        )
    assert response.status_code == 302
    assert response["Location"] == url("organizations:organization_members", org) + "?tab=invited"
    message = mail.outbox[-1]
    assert message.to == ["new.admin@example.com"]
    assert "Acme Group" in message.subject and "Organization Administrator" in message.body
    html = org_owner_client.get(response["Location"]).content.decode()
    assert "Invitation sent to new.admin@example.com." in html
    assert "new.admin@example.com" in html.split('id="invitation-table"')[1]

    invitee = make_user(email="new.admin@example.com")
    invitation_services.invitation_accept(
        token=mailed_invitation_token(message), user=invitee, actor=Actor.for_user(invitee)
    )
    assert role_of(org, invitee) == OrgRole.ADMINISTRATOR
    html = org_owner_client.get(url("organizations:organization_members", org)).content.decode()
    assert "Members (2)" in html and "Invited (0)" in html
    # As an administrator they now reach the organization's accounts.
    assert org_owner_client.get(url("organizations:organization_accounts", org)).status_code == 200


@pytest.mark.django_db
def test_invite_over_htmx_returns_the_form_and_signals(
    org_owner_client, org, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = org_owner_client.post(
            url("organizations:organization_members", org),
            {"email": "someone@example.com", "role": OrgRole.MEMBER},
            headers=HTMX,
        )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="invite-member">') and "<html" not in html
    assert "Invitation sent to someone@example.com as Member." in html
    assert 'value="someone@example.com"' not in html
    assert "organizationChanged" in triggered(response)
    assert mail.outbox[-1].to == ["someone@example.com"]
    assert Invitation.objects.get().roles == [OrgRole.MEMBER]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"email": "not-an-email", "role": "member"}, "Enter a valid email address."),
        (
            {"email": "member@example.com", "role": "member"},
            errors.ALREADY_AN_ORGANIZATION_MEMBER.format(email="member@example.com"),
        ),
        (
            {"email": "invitee@example.com", "role": "member"},
            errors.ALREADY_INVITED.format(email="invitee@example.com"),
        ),
        ({"email": "boss@example.com", "role": "owner"}, "Select a valid choice."),
    ],
)
def test_invite_errors_show_in_place_and_keep_input(
    org_owner_client, org, member, pending_invitation, data, message
):
    response = org_owner_client.post(
        url("organizations:organization_members", org), data, headers=HTMX
    )
    html = response.content.decode()
    assert response.status_code == 422
    assert message in html
    assert '<div id="invite-member">' in html and "<html" not in html
    assert f'value="{data["email"]}"' in html
    assert Invitation.objects.count() == 1
    assert "HX-Trigger" not in response


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["owner", "admin"])
def test_change_a_members_role_plain_post(as_user, org, owner, admin, member, who):
    client = as_user(owner if who == "owner" else admin)
    response = client.post(
        url("organizations:organization_member_role", org, member.pk),
        {"role": OrgRole.ADMINISTRATOR},
    )
    assert response.status_code == 302
    assert response["Location"] == url("organizations:organization_members", org)
    assert role_of(org, member) == OrgRole.ADMINISTRATOR
    html = client.get(response["Location"]).content.decode()
    assert "member@example.com is now Organization Administrator." in html


@pytest.mark.django_db
def test_change_a_members_role_over_htmx_returns_the_row(org_owner_client, org, admin):
    response = org_owner_client.post(
        url("organizations:organization_member_role", org, admin.pk),
        {"role": OrgRole.MEMBER},
        headers=HTMX,
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith(f'<tr id="member-{admin.pk}"')
    assert '<td data-label="Role">Member</td>' in html and "is now Member." in html
    assert "organizationChanged" in triggered(response)
    assert role_of(org, admin) == OrgRole.MEMBER


@pytest.mark.django_db
def test_the_owners_role_cannot_be_changed(as_user, org, owner, admin):
    response = as_user(admin).post(
        url("organizations:organization_member_role", org, owner.pk),
        {"role": OrgRole.MEMBER},
        headers=HTMX,
    )
    assert response.status_code == 422
    assert shown(errors.ORGANIZATION_OWNER_CANNOT_BE_REMOVED) in response.content.decode()
    assert role_of(org, owner) == OrgRole.OWNER
    # Without htmx the refusal comes back as a message.
    response = as_user(admin).post(
        url("organizations:organization_member_role", org, owner.pk),
        {"role": OrgRole.MEMBER},
        follow=True,
    )
    assert shown(errors.ORGANIZATION_OWNER_CANNOT_BE_REMOVED) in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["owner", "wizard", ""])
def test_an_unknown_role_is_refused_in_the_row(org_owner_client, org, member, role):
    response = org_owner_client.post(
        url("organizations:organization_member_role", org, member.pk), {"role": role}, headers=HTMX
    )
    assert response.status_code == 422
    assert 'class="field-error"' in response.content.decode()
    assert role_of(org, member) == OrgRole.MEMBER


@pytest.mark.django_db
def test_an_administrator_who_demotes_themselves_loses_the_controls(as_user, org, admin, member):
    response = as_user(admin).post(
        url("organizations:organization_member_role", org, admin.pk),
        {"role": OrgRole.MEMBER},
        headers=HTMX,
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Change role" not in html
    assert (
        as_user(admin)
        .post(
            url("organizations:organization_member_role", org, member.pk),
            {"role": OrgRole.ADMINISTRATOR},
        )
        .status_code
        == 403
    )


@pytest.mark.django_db
def test_remove_asks_first_in_a_dialog_or_a_page(org_owner_client, org, member):
    target = url("organizations:organization_member_remove", org, member.pk)
    dialog = org_owner_client.get(target, headers=HTMX).content.decode()
    assert dialog.lstrip().startswith('<div class="confirm">') and "<html" not in dialog
    assert "Remove member@example.com from “Acme Group”?" in dialog
    assert f'hx-target="#member-{member.pk}"' in dialog
    page = org_owner_client.get(target).content.decode()
    assert "<html" in page and "Remove member" in page
    assert "hx-post" not in page.split('class="confirm"')[1]
    assert role_of(org, member) == OrgRole.MEMBER  # asking removes nothing


@pytest.mark.django_db
def test_remove_plain_post_redirects_and_keeps_the_login(org_owner_client, org, member):
    response = org_owner_client.post(
        url("organizations:organization_member_remove", org, member.pk)
    )
    assert response.status_code == 302
    assert response["Location"] == url("organizations:organization_members", org)
    assert role_of(org, member) is None
    member.refresh_from_db()
    assert member.is_active
    html = org_owner_client.get(response["Location"]).content.decode()
    assert "Removed member@example.com from the organization." in html


@pytest.mark.django_db
def test_remove_over_htmx_returns_the_emptied_row(org_owner_client, org, admin):
    response = org_owner_client.post(
        url("organizations:organization_member_remove", org, admin.pk), headers=HTMX
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith(f'<tr id="member-{admin.pk}"')
    assert "Removed admin@example.com" in html and "Change role" not in html
    assert "organizationChanged" in triggered(response)
    assert role_of(org, admin) is None


@pytest.mark.django_db
def test_the_owner_cannot_be_removed(as_user, org, owner, admin):
    response = as_user(admin).post(
        url("organizations:organization_member_remove", org, owner.pk), headers=HTMX
    )
    html = response.content.decode()
    assert response.status_code == 422
    assert shown(errors.ORGANIZATION_OWNER_CANNOT_BE_REMOVED) in html
    assert '<div class="confirm">' in html and response["HX-Retarget"] == "#modal-body"
    assert role_of(org, owner) == OrgRole.OWNER
    response = as_user(admin).post(url("organizations:organization_member_remove", org, owner.pk))
    assert response.status_code == 422 and b"<html" in response.content


@pytest.mark.django_db
def test_an_administrator_who_leaves_is_sent_to_the_organizations_list(as_user, org, admin):
    response = as_user(admin).post(
        url("organizations:organization_member_remove", org, admin.pk), headers=HTMX
    )
    assert response["HX-Redirect"] == reverse("organizations:organization_list")
    assert role_of(org, admin) is None
    assert as_user(admin).get(url("organizations:organization_overview", org)).status_code == 404


@pytest.mark.django_db
def test_resend_sends_a_new_link(
    org_owner_client, org, pending_invitation, make_user, django_capture_on_commit_callbacks
):
    old_hash = pending_invitation.token_hash
    with django_capture_on_commit_callbacks(execute=True):
        response = org_owner_client.post(
            url("organizations:organization_invitation_resend", org, pending_invitation.pk),
            headers=HTMX,
        )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith(f'<tr id="invitation-{pending_invitation.pk}"')
    assert "Invitation sent again to invitee@example.com." in html
    assert "organizationChanged" in triggered(response)
    pending_invitation.refresh_from_db()
    assert pending_invitation.token_hash != old_hash
    invitee = make_user(email="invitee@example.com")
    invitation_services.invitation_accept(
        token=mailed_invitation_token(mail.outbox[-1]), user=invitee, actor=Actor.for_user(invitee)
    )
    assert role_of(org, invitee) == OrgRole.MEMBER


@pytest.mark.django_db
def test_resend_plain_post_redirects_to_the_invited_tab(org_owner_client, org, pending_invitation):
    response = org_owner_client.post(
        url("organizations:organization_invitation_resend", org, pending_invitation.pk)
    )
    assert response.status_code == 302
    assert response["Location"] == url("organizations:organization_members", org) + "?tab=invited"


@pytest.mark.django_db
def test_revoke_ends_the_invitation_and_cannot_be_repeated(
    org_owner_client, org, pending_invitation
):
    target = url("organizations:organization_invitation_revoke", org, pending_invitation.pk)
    response = org_owner_client.post(target, headers=HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Revoked the invitation of invitee@example.com." in html
    assert 'badge-closed">Revoked' in html and "Resend" not in html
    pending_invitation.refresh_from_db()
    assert pending_invitation.state == "revoked"
    again = org_owner_client.post(target, headers=HTMX)
    assert again.status_code == 422
    assert errors.INVITATION_NOT_PENDING in again.content.decode()
    assert "HX-Trigger" not in again
    again = org_owner_client.post(target, follow=True)
    assert errors.INVITATION_NOT_PENDING in again.content.decode()


@pytest.mark.django_db
def test_members_page_queries_stay_flat_with_50_members(
    org_owner_client, org, owner, make_user, django_assert_max_num_queries
):
    users = [make_user(email=f"person{n:02}@example.com") for n in range(49)]
    OrganizationMembership.objects.bulk_create(
        OrganizationMembership(organization=org, user=u, role=OrgRole.MEMBER) for u in users
    )
    for n in range(50):
        invitation_services.invitation_create(
            organization=org,
            email=f"invitee{n:02}@example.com",
            actor=Actor.for_user(owner),
            base_url="http://testserver/",
        )
    with django_assert_max_num_queries(10):
        response = org_owner_client.get(url("organizations:organization_members", org))
    html = response.content.decode()
    assert html.count('<tr id="member-') == 50
    assert "Members (50)" in html and "Invited (50)" in html
    with django_assert_max_num_queries(10):
        response = org_owner_client.get(
            url("organizations:organization_members", org), {"tab": "invited"}
        )
    assert response.content.decode().count('<tr id="invitation-') == 50


@pytest.mark.django_db
def test_a_member_leaves_the_organization(client, org, member, owner):
    client.force_login(member)
    overview = client.get(
        reverse("organizations:organization_overview", args=[org.sid])
    ).content.decode()
    assert "Leave this organization" in overview
    response = client.post(reverse("organizations:organization_leave", args=[org.sid]))
    assert response["Location"] == reverse("organizations:organization_list")
    assert not OrganizationMembership.objects.filter(organization=org, user=member).exists()
    assert (
        client.get(reverse("organizations:organization_overview", args=[org.sid])).status_code
        == 404
    )


@pytest.mark.django_db
def test_the_owner_cannot_leave_and_owners_of_its_accounts_hand_them_over_first(
    client, org, owner, admin
):
    client.force_login(owner)
    assert (
        b"Leave this organization"
        not in client.get(reverse("organizations:organization_overview", args=[org.sid])).content
    )
    client.post(reverse("organizations:organization_leave", args=[org.sid]))
    assert OrganizationMembership.objects.filter(organization=org, user=owner).exists()
    organization_services.organization_account_create(
        organization=org, friendly_name="Mine", actor=Actor.for_user(admin)
    )
    client.force_login(admin)
    response = client.post(reverse("organizations:organization_leave", args=[org.sid]), follow=True)
    assert b"owns 1 account(s) in this organization" in response.content
    assert OrganizationMembership.objects.filter(organization=org, user=admin).exists()


@pytest.mark.django_db
def test_leaving_needs_membership(client, org, outsider):
    client.force_login(outsider)
    assert (
        client.post(reverse("organizations:organization_leave", args=[org.sid])).status_code == 404
    )
