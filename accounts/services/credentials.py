"""An account's credentials: API keys (Keys and SigningKeys) and auth-token rotation.

Every change is one event. Secrets never go into an event: a key's secret is not even
stored, and a token change records "(hidden)" for the values. The account is locked first
(its parent before it), so a change of credentials never races a status change.
"""

from django.db.models import Q
from django.utils import timezone

from .. import errors
from ..models import ApiKey, new_auth_token
from ..models.keys import key_secret_hash, new_key_secret
from .accounts import friendly_name_clean, lock
from .events import change, changes, created, deleted, event_record, service

HIDDEN = "(hidden)"


def _locked_open_account(account):
    account, _parent = lock(account)
    if account.is_closed:
        raise errors.CredentialsAccountClosed()
    return account


def _key_name(friendly_name):
    """A key's name: optional (Twilio allows none), else a friendly name's rules."""
    if friendly_name is None or not friendly_name.strip():
        return ""
    return friendly_name_clean(friendly_name)


@service
def key_create(
    *, account, actor, friendly_name="", key_type=ApiKey.KeyType.STANDARD, kind=ApiKey.Kind.KEY
):
    """A new API key of `account`: (key, secret). The secret exists only in this return
    value; what is stored is its keyed hash."""
    if key_type not in ApiKey.KeyType.values:
        raise errors.CredentialsError(errors.KEY_TYPE_UNKNOWN)
    name = _key_name(friendly_name)
    account = _locked_open_account(account)
    secret = new_key_secret()
    key = ApiKey.objects.create(
        account=account,
        friendly_name=name,
        key_type=key_type,
        kind=kind,
        secret_hash=key_secret_hash(secret),
    )
    event_record(
        actor=actor,
        event_type="key.created",
        account=account,
        resource_sid=key.sid,
        data=created(friendly_name=key.friendly_name, key_type=key.key_type, kind=key.kind),
    )
    return key, secret


def _locked_key(key):
    account = _locked_open_account(key.account)
    key = ApiKey.objects.select_for_update().filter(pk=key.pk).first()
    if key is None:
        raise errors.CredentialsError("This key has been deleted.")
    key.account = account
    return key


@service
def key_rename(*, key, friendly_name, actor):
    name = _key_name(friendly_name)
    key = _locked_key(key)
    data = changes(friendly_name=(key.friendly_name, name))
    if data:
        key.friendly_name = name
        key.save(update_fields=["friendly_name", "date_updated"])
        event_record(
            actor=actor,
            event_type="key.updated",
            account=key.account,
            resource_sid=key.sid,
            data=data,
        )
    return key


@service
def key_delete(*, key, actor):
    """Revoke the key: it stops authenticating at once."""
    key = _locked_key(key)
    event_record(
        actor=actor,
        event_type="key.deleted",
        account=key.account,
        resource_sid=key.sid,
        data=deleted(friendly_name=key.friendly_name, key_type=key.key_type, kind=key.kind),
    )
    key.delete()


def key_touch(key, *, now=None):
    """Record that `key` was used, to the minute: one UPDATE when the stored minute differs,
    none otherwise, so that busy keys cost no write per request. Not a service and no
    event: using a key changes nothing a person did."""
    minute = (now or timezone.now()).replace(second=0, microsecond=0)
    if key.last_used == minute:
        return
    ApiKey.objects.filter(Q(last_used__lt=minute) | Q(last_used__isnull=True), pk=key.pk).update(
        last_used=minute
    )
    key.last_used = minute


def _token_event(account, actor, field, previous, updated):
    event_record(
        actor=actor,
        event_type="account.updated",
        account=account,
        resource_sid=account.sid,
        data={field: change(previous, updated)},
    )


@service
def auth_token_secondary_create(*, account, actor):
    """A new secondary auth token (replacing any secondary there was). Until it is promoted
    or deleted, either token authenticates."""
    account = _locked_open_account(account)
    previous = HIDDEN if account.secondary_auth_token else None
    account.secondary_auth_token = new_auth_token()
    account.secondary_auth_token_created = timezone.now()
    account.save(
        update_fields=["secondary_auth_token", "secondary_auth_token_created", "date_updated"]
    )
    _token_event(account, actor, "secondary_auth_token", previous, HIDDEN)
    return account


@service
def auth_token_secondary_delete(*, account, actor):
    account = _locked_open_account(account)
    if not account.secondary_auth_token:
        raise errors.NoSecondaryAuthToken()
    account.secondary_auth_token = ""
    account.secondary_auth_token_created = None
    account.save(
        update_fields=["secondary_auth_token", "secondary_auth_token_created", "date_updated"]
    )
    _token_event(account, actor, "secondary_auth_token", HIDDEN, None)
    return account


@service
def auth_token_promote(*, account, actor):
    """The secondary becomes the primary; the old primary stops working at once. Returns
    the account with `promoted_token_created` set (when the new primary was made)."""
    account = _locked_open_account(account)
    if not account.secondary_auth_token:
        raise errors.NoSecondaryAuthToken()
    promoted_created = account.secondary_auth_token_created
    account.auth_token = account.secondary_auth_token
    account.secondary_auth_token = ""
    account.secondary_auth_token_created = None
    account.save(
        update_fields=[
            "auth_token",
            "secondary_auth_token",
            "secondary_auth_token_created",
            "date_updated",
        ]
    )
    event_record(
        actor=actor,
        event_type="account.updated",
        account=account,
        resource_sid=account.sid,
        data={
            "auth_token": change(HIDDEN, HIDDEN),
            "secondary_auth_token": change(HIDDEN, None),
        },
    )
    account.promoted_token_created = promoted_created
    return account
