"""The "API keys & credentials" page: keys (create, list, rename, revoke) and auth tokens
(reveal, secondary, promote, delete), with who may do what."""

import pytest
from django.urls import reverse

from accounts import errors
from accounts.models import AccountMembership, ApiKey, Event
from accounts.services import accounts as account_services
from accounts.services import credentials as credential_services
from accounts.services.events import Actor

pytestmark = pytest.mark.django_db


def url(name, account, *args):
    return reverse(f"console:{name}", args=[account.sid, *args])


def member(make_user, account, role):
    user = make_user()
    AccountMembership.objects.create(account=account, user=user, role=role)
    return user


def make_key(account, key_type=ApiKey.KeyType.STANDARD):
    return credential_services.key_create(
        account=account, friendly_name="CI", key_type=key_type, actor=Actor.system()
    )[0]


def test_the_page_lists_keys_and_masks_the_token(client, account):
    key = make_key(account)
    client.force_login(account.owner)
    response = client.get(url("credentials", account))
    html = response.content.decode()
    assert response.status_code == 200
    assert key.sid in html and "Never" in html
    assert account.auth_token not in html
    assert "Create an API key" in html


def test_creating_a_key_shows_its_secret_once(client, account):
    client.force_login(account.owner)
    response = client.post(
        url("key_create", account), {"friendly_name": "Production", "key_type": "main"}
    )
    assert response.status_code == 201
    key = ApiKey.objects.get(account=account)
    assert (key.friendly_name, key.key_type) == ("Production", "main")
    secret = response.context["secret"]
    html = response.content.decode()
    assert secret in html and errors.KEY_SECRET_SHOWN_ONCE in html
    assert f'data-copy="{secret}"' in html
    assert key.secret_matches(secret)
    assert "no-cache" in response["Cache-Control"]
    # Never again: not on the page, not in the session.
    assert secret not in client.get(url("credentials", account)).content.decode()
    assert secret not in str(dict(client.session))
    event = Event.objects.get(event_type="key.created")
    assert (event.actor_type, event.actor_sid, event.source) == (
        "user",
        account.owner.sid,
        "web",
    )


def test_a_key_form_with_errors_is_422(client, account):
    client.force_login(account.owner)
    response = client.post(url("key_create", account), {"key_type": "restricted"})
    assert response.status_code == 422
    assert errors.KEY_TYPE_UNKNOWN in response.content.decode()
    response = client.post(
        url("key_create", account), {"key_type": "standard", "friendly_name": "x" * 65}
    )
    assert response.status_code == 422
    assert not ApiKey.objects.exists()


def test_renaming_and_revoking_a_key(client, account):
    key = make_key(account)
    client.force_login(account.owner)
    response = client.post(url("key_rename", account, key.sid), {"friendly_name": "Builds"})
    assert response.status_code == 302
    key.refresh_from_db()
    assert key.friendly_name == "Builds"

    confirm = client.get(url("key_revoke", account, key.sid))
    assert "stops authenticating at once" in confirm.content.decode()
    dialog = client.get(url("key_revoke", account, key.sid), headers={"HX-Request": "true"})
    assert "<html" not in dialog.content.decode() and 'id="modal-title"' in dialog.content.decode()
    assert ApiKey.objects.filter(pk=key.pk).exists()
    response = client.post(url("key_revoke", account, key.sid))
    assert response.status_code == 302
    assert not ApiKey.objects.filter(pk=key.pk).exists()
    assert list(
        Event.objects.filter(resource_sid=key.sid)
        .order_by("id")
        .values_list("event_type", flat=True)
    ) == ["key.created", "key.updated", "key.deleted"]


def test_another_accounts_key_is_not_found(client, account, make_account):
    elsewhere = make_key(make_account())
    client.force_login(account.owner)
    assert client.post(url("key_revoke", account, elsewhere.sid)).status_code == 404
    assert client.post(url("key_rename", account, "SKnot-a-sid")).status_code == 404
    assert ApiKey.objects.filter(pk=elsewhere.pk).exists()


def test_revealing_the_token(client, account):
    client.force_login(account.owner)
    response = client.get(url("auth_token_reveal", account))
    assert response.status_code == 200
    assert account.auth_token in response.content.decode()
    assert "no-store" in response["Cache-Control"]


def test_a_whole_rotation_in_the_console(client, account):
    old = account.auth_token
    client.force_login(account.owner)
    assert client.post(url("secondary_auth_token_create", account)).status_code == 302
    account.refresh_from_db()
    new = account.secondary_auth_token
    page = client.get(url("credentials", account)).content.decode()
    assert new not in page and "Promote to primary" in page
    revealed = client.get(url("auth_token_reveal", account) + "?token=secondary")
    assert new in revealed.content.decode()

    confirm = client.get(url("auth_token_promote", account)).content.decode()
    assert "stops working at once" in confirm
    assert client.post(url("auth_token_promote", account)).status_code == 302
    account.refresh_from_db()
    assert (account.auth_token, account.secondary_auth_token) == (new, "")
    assert old != new

    client.post(url("secondary_auth_token_create", account))
    assert (
        "Programs using the secondary token"
        in client.get(url("secondary_auth_token_delete", account)).content.decode()
    )
    client.post(url("secondary_auth_token_delete", account))
    account.refresh_from_db()
    assert account.secondary_auth_token == "" and account.auth_token == new
    data = [
        event.event_data
        for event in Event.objects.filter(event_type="account.updated", account_sid=account.sid)
    ]
    assert len(data) == 4 and old not in str(data) and new not in str(data)


def test_promoting_without_a_secondary_says_so(client, account):
    client.force_login(account.owner)
    response = client.post(url("auth_token_promote", account), follow=True)
    assert errors.NO_SECONDARY_AUTH_TOKEN in response.content.decode()


def test_the_parent_rotates_a_subaccounts_token(client, account, make_subaccount):
    sub = make_subaccount(account, "Customer")
    client.force_login(account.owner)
    # The way there: the subaccounts list opens the subaccount, whose page links its keys.
    listing = client.get(url("subaccount_list", account)).content.decode()
    detail_url = reverse("console:subaccount_detail", args=[account.sid, sub.sid])
    assert detail_url in listing
    detail = client.get(detail_url).content.decode()
    assert url("credentials", sub) in detail
    client.post(url("secondary_auth_token_create", sub))
    client.post(url("auth_token_promote", sub))
    sub.refresh_from_db()
    account.refresh_from_db()
    assert Event.objects.filter(account_sid=sub.sid, event_type="account.updated").count() == 2
    assert not account.secondary_auth_token


def test_a_closed_account_shows_its_keys_but_cannot_change_them(client, account):
    key = make_key(account)
    account_services.account_close(account=account, actor=Actor.for_user(account.owner))
    client.force_login(account.owner)
    page = client.get(url("credentials", account)).content.decode()
    assert key.sid in page and "Create an API key" not in page
    client.post(url("key_create", account), {"key_type": "standard"})
    assert ApiKey.objects.count() == 1


# --- Who may ---------------------------------------------------------------------------------

READERS = {"owner", "administrator", "developer"}
MANAGERS = {"owner", "administrator"}
ROLES = ["owner", "administrator", "developer", "billing_manager", "support"]


def _user_for(role, account, make_user):
    return account.owner if role == "owner" else member(make_user, account, role)


@pytest.mark.parametrize("role", ROLES)
def test_who_sees_the_page(client, make_user, account, role):
    key = make_key(account)
    client.force_login(_user_for(role, account, make_user))
    response = client.get(url("credentials", account))
    assert response.status_code == (200 if role in READERS else 403)
    reveal = client.get(url("auth_token_reveal", account))
    assert reveal.status_code == (200 if role in READERS else 403)
    if role in READERS:
        html = response.content.decode()
        assert key.sid in html
        assert ("Create an API key" in html) is (role in MANAGERS)
        assert ("Revoke…" in html) is (role in MANAGERS)


WRITES = [
    ("post", "key_create", False, {"key_type": "standard"}),
    ("post", "key_rename", True, {"friendly_name": "Changed"}),
    ("get", "key_revoke", True, None),
    ("post", "key_revoke", True, None),
    ("post", "secondary_auth_token_create", False, None),
    ("get", "secondary_auth_token_delete", False, None),
    ("post", "secondary_auth_token_delete", False, None),
    ("get", "auth_token_promote", False, None),
    ("post", "auth_token_promote", False, None),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("method", "name", "with_key", "data"), WRITES)
def test_who_manages_credentials(client, make_user, account, role, method, name, with_key, data):
    key = make_key(account)
    credential_services.auth_token_secondary_create(account=account, actor=Actor.system())
    account.refresh_from_db()
    token, secondary = account.auth_token, account.secondary_auth_token
    client.force_login(_user_for(role, account, make_user))
    target = url(name, account, key.sid) if with_key else url(name, account)
    response = getattr(client, method)(target, data or {})
    if role in MANAGERS:
        assert response.status_code in (200, 201, 302)
        return
    assert response.status_code == 403
    key.refresh_from_db()
    account.refresh_from_db()
    assert key.friendly_name == "CI" and ApiKey.objects.count() == 1
    assert (account.auth_token, account.secondary_auth_token) == (token, secondary)


@pytest.mark.parametrize(("method", "name", "with_key"), [(m, n, k) for m, n, k, _d in WRITES])
def test_outsiders_and_subaccount_users_get_404(
    client, make_user, account, make_subaccount, method, name, with_key
):
    key = make_key(account)
    sub = make_subaccount(account)
    sub_admin = member(make_user, sub, "administrator")
    for user in (make_user(), sub_admin):
        client.force_login(user)
        target = url(name, account, key.sid) if with_key else url(name, account)
        assert getattr(client, method)(target).status_code == 404
        assert client.get(url("credentials", account)).status_code == 404


def test_a_subaccount_administrator_manages_that_subaccount_only(
    client, make_user, account, make_subaccount
):
    sub = make_subaccount(account)
    client.force_login(member(make_user, sub, "administrator"))
    response = client.post(url("key_create", sub), {"key_type": "standard"})
    assert response.status_code == 201
    assert ApiKey.objects.get().account == sub
