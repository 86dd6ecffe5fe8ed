"""Sensitive actions ask for the password again (allauth's re-authentication) unless it was
confirmed in the last few minutes: revealing an auth token, creating a key, promoting a
token, closing an account, transferring ownership."""

import pytest
from django.urls import reverse

from accounts.models import AccountMembership, ApiKey
from accounts.services import credentials as credential_services
from accounts.services.events import Actor
from tests.conftest import DEFAULT_PASSWORD

pytestmark = pytest.mark.django_db

REAUTHENTICATE = "/accounts/reauthenticate/"


@pytest.fixture
def stale(client, account):
    """The owner, signed in a while ago: no recent confirmation of the password."""
    client.force_login(account.owner, recently=False)
    return client


def confirm(client, asked, password=DEFAULT_PASSWORD):
    """Type the password on the page `asked` (the redirect that asked for it) sent to."""
    assert asked.status_code == 302 and asked["Location"].startswith(REAUTHENTICATE)
    return client.post(asked["Location"], {"password": password})


def test_revealing_the_auth_token_asks_first(stale, account):
    url = reverse("console:auth_token_reveal", args=[account.sid])
    response = stale.get(url)
    assert account.auth_token not in stale.get(response["Location"]).content.decode()
    wrong = confirm(stale, response, "not-my-password")
    assert wrong.status_code == 200
    done = confirm(stale, response)
    assert done["Location"] == url
    assert account.auth_token in stale.get(url).content.decode()


def test_creating_a_key_asks_first_then_carries_on(stale, account):
    response = stale.post(
        reverse("console:key_create", args=[account.sid]),
        {"friendly_name": "CI", "key_type": "standard"},
    )
    assert not ApiKey.objects.exists()
    # After the password, the suspended request is carried out: the secret, once.
    done = confirm(stale, response)
    assert done.status_code == 201
    key = ApiKey.objects.get()
    assert key.secret_matches(done.context["secret"])


def test_promoting_a_token_asks_first(stale, account):
    credential_services.auth_token_secondary_create(account=account, actor=Actor.system())
    account.refresh_from_db()
    secondary = account.secondary_auth_token
    url = reverse("console:auth_token_promote", args=[account.sid])
    assert stale.get(url).status_code == 200  # the confirmation page
    asked = stale.post(url)
    account.refresh_from_db()
    assert account.auth_token != secondary
    confirm(stale, asked)
    account.refresh_from_db()
    assert account.auth_token == secondary


def test_closing_an_account_asks_first(stale, account):
    url = reverse("console:account_close", args=[account.sid])
    assert stale.get(url).status_code == 200
    asked = stale.post(url, {"reason": "Done", "confirm_name": account.friendly_name})
    account.refresh_from_db()
    assert account.status == "active"
    confirm(stale, asked)
    account.refresh_from_db()
    assert account.status == "closed"


def test_closing_a_subaccount_from_the_list_asks_first(stale, account, make_subaccount):
    sub = make_subaccount(account)
    url = reverse("console:subaccount_status", args=[account.sid, sub.sid])
    # Suspending does not ask; closing does.
    assert stale.post(url, {"action": "suspend"}).status_code == 302
    sub.refresh_from_db()
    assert sub.status == "suspended"
    listing = reverse("console:subaccount_list", args=[account.sid])
    htmx = stale.post(
        url,
        {"action": "close"},
        headers={"HX-Request": "true", "HX-Current-URL": f"http://testserver{listing}"},
    )
    assert htmx["HX-Redirect"] == f"{REAUTHENTICATE}?next={listing.replace('/', '%2F')}"
    sub.refresh_from_db()
    assert sub.status == "suspended"


def test_transferring_ownership_asks_first(stale, account, make_user):
    member = make_user()
    AccountMembership.objects.create(account=account, user=member, role="administrator")
    url = reverse("console:ownership_transfer", args=[account.sid])
    asked = stale.post(url, {"new_owner": member.pk})
    account.refresh_from_db()
    assert account.owner_id != member.pk
    confirm(stale, asked)
    account.refresh_from_db()
    assert account.owner_id == member.pk


def test_a_recent_confirmation_is_not_asked_again(client, account):
    client.force_login(account.owner)  # just signed in with the password
    url = reverse("console:auth_token_reveal", args=[account.sid])
    assert client.get(url).status_code == 200
