"""Requiring two-factor: an account's or organization's Owner or Administrators turn it on;
anyone it covers who has no authenticator app is sent to set one up before anything else;
support staff need it for the admin outside development."""

import pyotp
import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.urls import reverse

from accounts import errors
from accounts.models import AccountMembership, Event, OrganizationMembership
from accounts.services import organizations as organization_services
from accounts.services import two_factor as two_factor_services
from accounts.services.events import Actor

pytestmark = pytest.mark.django_db

ENROL = "/accounts/2fa/totp/activate/"


def require(account):
    two_factor_services.account_two_factor_required_set(
        account=account, required=True, actor=Actor.for_user(account.owner)
    )


def member(make_user, account, role="developer"):
    user = make_user()
    AccountMembership.objects.create(account=account, user=user, role=role)
    return user


def test_the_owner_requires_it_from_the_settings_page(client, account):
    client.force_login(account.owner)
    settings_page = reverse("console:account_settings", args=[account.sid])
    assert "Require two-factor for everyone" in client.get(settings_page).content.decode()
    response = client.post(
        reverse("console:account_two_factor", args=[account.sid]), {"require_two_factor": "yes"}
    )
    assert response["Location"] == settings_page
    account.refresh_from_db()
    assert account.require_two_factor
    event = Event.objects.get(event_type="account.updated", account_sid=account.sid)
    assert event.event_data == {"require_two_factor": {"previous": False, "updated": True}}


@pytest.mark.parametrize("role", ["developer", "billing_manager", "support"])
def test_other_roles_cannot_change_it(client, make_user, account, role):
    client.force_login(member(make_user, account, role))
    response = client.post(
        reverse("console:account_two_factor", args=[account.sid]), {"require_two_factor": "yes"}
    )
    assert response.status_code in (302, 403)
    account.refresh_from_db()
    assert not account.require_two_factor


def test_everyone_with_a_role_is_sent_to_enrol_first(client, make_user, account):
    developer = member(make_user, account)
    require(account)
    client.force_login(developer)
    dashboard = reverse("console:account_dashboard", args=[account.sid])
    response = client.get(dashboard)
    assert response.status_code == 302 and response["Location"].startswith(ENROL)
    htmx = client.get(reverse("console:account_list"), headers={"HX-Request": "true"})
    assert htmx["HX-Redirect"] == ENROL
    assert client.post(reverse("console:account_rename", args=[account.sid])).status_code == 302
    # Setting it up, and signing out, stay open.
    page = client.get(ENROL, follow=True)
    assert errors.TWO_FACTOR_REQUIRED in page.content.decode()
    secret = page.context["form"].secret
    client.post(ENROL, {"code": pyotp.TOTP(secret).now()})
    assert client.get(dashboard).status_code == 200


def test_a_subaccount_user_of_a_main_account_that_requires_it(
    client, make_user, account, make_subaccount
):
    sub_only = member(make_user, make_subaccount(account))
    require(account)
    client.force_login(sub_only)
    assert client.get(reverse("console:account_list"))["Location"].startswith(ENROL)


def test_people_elsewhere_are_not_affected(client, make_user, account, make_account):
    require(account)
    client.force_login(make_account().owner)
    assert client.get(reverse("console:account_list")).status_code == 200


def test_someone_with_two_factor_goes_on(client, make_user, account):
    developer = member(make_user, account)
    TOTP.activate(developer, generate_totp_secret())
    require(account)
    client.force_login(developer)
    assert client.get(reverse("console:account_list")).status_code == 200


def test_an_organization_requires_it_of_its_members(client, make_user, account):
    owner = account.owner
    organization = organization_services.organization_create(
        name="Acme Inc.", owner=owner, actor=Actor.for_user(owner)
    )
    plain = make_user()
    OrganizationMembership.objects.create(organization=organization, user=plain, role="member")
    client.force_login(plain)
    refused = client.post(
        reverse("organizations:organization_two_factor", args=[organization.sid]),
        {"require_two_factor": "yes"},
    )
    assert refused.status_code == 403
    client.force_login(owner)
    client.post(
        reverse("organizations:organization_two_factor", args=[organization.sid]),
        {"require_two_factor": "yes"},
    )
    organization.refresh_from_db()
    assert organization.require_two_factor
    assert Event.objects.filter(
        event_type="organization.updated", event_data__has_key="require_two_factor"
    ).exists()
    client.force_login(plain)
    assert client.get(reverse("console:account_list"))["Location"].startswith(ENROL)


def test_support_staff_need_it_for_the_admin_outside_development(client, make_user, settings):
    staff = make_user(is_staff=True, is_superuser=True)
    client.force_login(staff)
    settings.ADMIN_REQUIRES_TWO_FACTOR = False  # development
    assert client.get("/admin/").status_code == 200
    settings.ADMIN_REQUIRES_TWO_FACTOR = True
    response = client.get("/admin/")
    assert response["Location"].startswith(ENROL)
    # The console itself does not ask them.
    assert client.get(reverse("console:account_list")).status_code == 200
    TOTP.activate(staff, generate_totp_secret())
    client.force_login(staff)
    assert client.get("/admin/").status_code == 200
