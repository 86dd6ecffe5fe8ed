"""The Users page of an account and the invitation link, through the test client."""

import pytest
from django.core import mail
from django.urls import reverse

from accounts import roles
from accounts.models import Account, AccountMembership, Invitation, User
from accounts.selectors import accounts as account_selectors
from accounts.services import accounts as account_services
from accounts.services import invitations as invitation_services
from accounts.services import organizations as organization_services
from accounts.services.events import Actor
from tests.factories import DEFAULT_PASSWORD
from tests.support import HTMX, mailed_invitation_link


def users_url(account):
    return reverse("console:user_list", args=[account.sid])


@pytest.mark.django_db
def test_users_page_lists_users_with_roles(owner_client, account, make_user):
    developer = make_user(full_name="Dev Eloper")
    AccountMembership.objects.bulk_create(
        [
            AccountMembership(account=account, user=developer, role=roles.DEVELOPER),
            AccountMembership(account=account, user=developer, role=roles.SUPPORT),
        ]
    )
    html = owner_client.get(users_url(account)).content.decode()
    assert account.owner.email in html and "Owner" in html
    assert "Dev Eloper" in html and "Developer, Support" in html
    assert "Active users (2)" in html


@pytest.mark.django_db
def test_subaccount_users_page_shows_who_reaches_it_through_the_parent(
    owner_client, account, make_subaccount, make_member
):
    sub = make_subaccount(account)
    direct = make_member(sub, roles.DEVELOPER)
    html = owner_client.get(users_url(sub)).content.decode()
    assert direct.email in html
    assert "through the parent account" in html


@pytest.mark.django_db(transaction=True)
def test_invite_over_htmx_sends_the_email_and_lists_it_as_pending(owner_client, account):
    response = owner_client.post(
        users_url(account),
        {"email": "Invitee@Example.com", "roles": [roles.DEVELOPER, roles.SUPPORT]},
        headers=HTMX,
    )
    assert response.status_code == 200
    assert b"Invitation sent to invitee@example.com" in response.content
    assert mail.outbox[-1].to == ["invitee@example.com"]
    invited = owner_client.get(users_url(account), {"tab": "invited"}).content.decode()
    assert "invitee@example.com" in invited and "Developer, Support" in invited
    assert "Pending" in invited


@pytest.mark.django_db
def test_invite_errors_in_place_keep_the_input(owner_client, account):
    response = owner_client.post(
        users_url(account),
        {"email": "someone@example.com", "roles": [roles.ADMINISTRATOR, roles.DEVELOPER]},
        headers=HTMX,
    )
    assert response.status_code == 422
    assert b"cannot be combined" in response.content
    assert b'value="someone@example.com"' in response.content
    already = owner_client.post(
        users_url(account),
        {"email": account.owner.email, "roles": [roles.SUPPORT]},
        headers=HTMX,
    )
    assert already.status_code == 422
    assert b"already a user of this account" in already.content
    assert not Invitation.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_resend_and_revoke(owner_client, account):
    owner_client.post(users_url(account), {"email": "a@example.com", "roles": ["support"]})
    invitation = Invitation.objects.get()
    first_link = mailed_invitation_link()
    owner_client.post(reverse("console:invitation_resend", args=[account.sid, invitation.pk]))
    assert len(mail.outbox) == 2 and mailed_invitation_link() != first_link
    owner_client.post(reverse("console:invitation_revoke", args=[account.sid, invitation.pk]))
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    assert owner_client.get(mailed_invitation_link()).status_code == 410


@pytest.mark.django_db
def test_change_roles_and_remove_a_user(owner_client, account, make_member):
    member = make_member(account, roles.SUPPORT)
    owner_client.post(
        reverse("console:user_roles", args=[account.sid, member.pk]),
        {"roles": [roles.DEVELOPER, roles.BILLING_MANAGER]},
    )
    assert account_selectors.account_roles_for_user(user=member, account=account) == {
        roles.DEVELOPER,
        roles.BILLING_MANAGER,
    }
    confirm = owner_client.get(reverse("console:user_remove", args=[account.sid, member.pk]))
    assert b"Their login and their other accounts are not affected" in confirm.content
    owner_client.post(reverse("console:user_remove", args=[account.sid, member.pk]))
    assert account_selectors.account_roles_for_user(user=member, account=account) == set()
    assert User.objects.filter(pk=member.pk).exists()


@pytest.mark.django_db
def test_the_owner_cannot_be_removed_through_the_page(client, account, make_member):
    admin = make_member(account, roles.ADMINISTRATOR)
    client.force_login(admin)
    response = client.post(
        reverse("console:user_remove", args=[account.sid, account.owner.pk]), follow=True
    )
    assert b"Transfer ownership to another user first" in response.content
    assert account.memberships.filter(user=account.owner, role=roles.OWNER).exists()


def test_an_administrator_cannot_take_or_touch_the_owner_role(as_user, account, make_member):
    admin = make_member(account, roles.ADMINISTRATOR)
    client = as_user(admin)
    owner = account.owner

    client.post(reverse("console:user_roles", args=[account.sid, admin.pk]), {"roles": ["owner"]})
    client.post(reverse("console:user_roles", args=[account.sid, owner.pk]), {"roles": ["support"]})
    client.post(reverse("console:user_remove", args=[account.sid, owner.pk]))
    transfer = client.post(
        reverse("console:ownership_transfer", args=[account.sid]), {"new_owner": admin.pk}
    )
    close = client.post(reverse("console:account_close", args=[account.sid]))

    assert transfer.status_code == 403 and close.status_code == 403
    account.refresh_from_db()
    assert account.owner == owner and account.status == Account.Status.ACTIVE
    assert set(AccountMembership.objects.filter(account=account).values_list("user", "role")) == {
        (owner.pk, roles.OWNER),
        (admin.pk, roles.ADMINISTRATOR),
    }


@pytest.mark.django_db
def test_transfer_ownership_from_the_page(owner_client, account, make_member):
    member = make_member(account, roles.DEVELOPER)
    page = owner_client.get(users_url(account)).content.decode()
    assert "Transfer ownership" in page and member.email in page
    owner_client.post(
        reverse("console:ownership_transfer", args=[account.sid]), {"new_owner": member.pk}
    )
    account.refresh_from_db()
    assert account.owner == member


@pytest.mark.django_db
def test_users_page_is_404_for_users_of_other_accounts(client, account, make_user):
    client.force_login(make_user())
    assert client.get(users_url(account)).status_code == 404


# --- The emailed link ---------------------------------------------------------------------


@pytest.fixture
def invitation_link(account, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invitation_services.invitation_create(
            account=account,
            email="invitee@example.com",
            roles_=[roles.DEVELOPER],
            actor=Actor.for_user(account.owner),
            base_url="http://testserver/",
        )
    return mailed_invitation_link()


@pytest.mark.django_db
def test_a_new_person_signs_up_from_the_link_and_lands_in_the_account(
    client, account, invitation_link
):
    page = client.get(invitation_link)
    assert b"Create your login to accept" in page.content
    response = client.post(
        invitation_link,
        {"full_name": "In Vitee", "password1": DEFAULT_PASSWORD, "password2": DEFAULT_PASSWORD},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("console:account_dashboard", args=[account.sid])
    user = User.objects.get(email="invitee@example.com")
    assert account_selectors.account_roles_for_user(user=user, account=account) == {roles.DEVELOPER}
    assert client.get(invitation_link).status_code == 410  # single use


@pytest.mark.django_db
def test_signup_errors_keep_the_name(client, invitation_link):
    response = client.post(
        invitation_link,
        {"full_name": "Kept Name", "password1": DEFAULT_PASSWORD, "password2": "different-1"},
    )
    assert response.status_code == 422
    assert b'value="Kept Name"' in response.content
    assert not User.objects.filter(email="invitee@example.com").exists()


@pytest.mark.django_db
def test_an_existing_user_signs_in_then_accepts(client, account, make_user, invitation_link):
    person = make_user(email="invitee@example.com")
    page = client.get(invitation_link)
    assert b"Sign in to accept" in page.content
    client.force_login(person)
    response = client.post(invitation_link)
    assert response.status_code == 302
    assert account_selectors.account_roles_for_user(user=person, account=account) == {
        roles.DEVELOPER
    }


@pytest.mark.django_db
def test_signed_in_as_someone_else_the_page_says_so(client, account, make_user, invitation_link):
    other = make_user(email="other@example.com")
    client.force_login(other)
    page = client.get(invitation_link).content.decode()
    assert "this invitation is for invitee@example.com" in page
    response = client.post(invitation_link)
    assert response.status_code == 422
    assert account_selectors.account_roles_for_user(user=other, account=account) == set()


@pytest.mark.django_db
def test_a_made_up_link_is_refused(client):
    response = client.get("/invitations/not-a-real-token/")
    assert response.status_code == 410
    assert b"not valid" in response.content


@pytest.mark.django_db
def test_an_organization_invitation_lands_on_the_organization(
    client, make_user, django_capture_on_commit_callbacks
):
    owner = make_user()
    organization = organization_services.organization_create(
        name="Acme Inc.", owner=owner, actor=Actor.for_user(owner)
    )
    with django_capture_on_commit_callbacks(execute=True):
        invitation_services.invitation_create(
            organization=organization,
            email="member@example.com",
            roles_=["member"],
            actor=Actor.for_user(owner),
            base_url="http://testserver/",
        )
    member = make_user(email="member@example.com")
    client.force_login(member)
    response = client.post(mailed_invitation_link())
    assert response["Location"] == reverse(
        "organizations:organization_overview", args=[organization.sid]
    )
    assert client.get(response["Location"]).status_code == 200


@pytest.mark.django_db
def test_a_member_without_the_permission_gets_a_clear_403_page(client, account, make_member):
    developer = make_member(account, roles.DEVELOPER)
    client.force_login(developer)
    response = client.get(users_url(account))
    assert response.status_code == 403
    assert b"Your role on this account does not allow this" in response.content
    assert b"Go to the console" in response.content


@pytest.mark.django_db
def test_not_found_pages_say_so_without_revealing_anything(client, account, make_user):
    client.force_login(make_user())
    response = client.get(f"/console/{account.sid}/")
    assert response.status_code == 404
    assert b"Page not found" in response.content
    assert account.friendly_name.encode() not in response.content


@pytest.mark.django_db
def test_a_subaccount_only_user_sees_nothing_of_the_parents_people(
    client, account, make_subaccount, make_member
):
    sub = make_subaccount(account, "Shop")
    account_services.account_suspend(
        account=sub, actor=Actor.for_user(account.owner), reason="Paused"
    )
    account_services.account_reactivate(account=sub, actor=Actor.for_user(account.owner))
    admin = make_member(sub, roles.ADMINISTRATOR)
    client.force_login(admin)
    users = client.get(users_url(sub)).content.decode()
    assert admin.email in users and account.owner.email not in users
    dashboard = client.get(reverse("console:account_dashboard", args=[sub.sid])).content.decode()
    assert "Return to parent account" not in dashboard
    assert reverse("console:account_dashboard", args=[account.sid]) not in dashboard
    history = client.get(reverse("console:account_settings", args=[sub.sid])).content.decode()
    assert "Paused" in history and account.owner.email not in history


@pytest.mark.django_db
def test_a_closed_accounts_users_page_offers_no_invitation(owner_client, account, make_subaccount):
    sub = make_subaccount(account)
    account_services.account_close(account=sub, actor=Actor.for_user(account.owner))
    html = owner_client.get(users_url(sub)).content.decode()
    assert "Send invitation" not in html and "users and roles can no longer change" in html
    response = owner_client.post(users_url(sub), {"email": "x@example.com", "roles": ["support"]})
    assert response.status_code == 422
    assert not Invitation.objects.exists()
