"""What every service shares: who is acting (`Actor`), the transaction rule (`service`), and
the event each write records (`event_record`).

A service is one user intent. It validates, locks what it reads, writes, and records its event
in the same transaction, so a change and its trace commit together or not at all (Zulip's
RealmAuditLog pattern). The outermost service runs in a durable transaction: when it returns,
its writes are committed. A service that another service calls joins the caller's transaction
without a savepoint: it is part of that one intent.
"""

import contextlib
import contextvars
import dataclasses
import datetime
import functools
import secrets
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from ..models import Account, Event, FamilyVersion, Organization, User

ActorType = Event.ActorType
Source = Event.Source

_depth = contextvars.ContextVar("service_depth", default=0)
# The main accounts whose families the running service has recorded events in.
_families_changed = contextvars.ContextVar("families_changed", default=None)


@contextlib.contextmanager
def service_transaction():
    """The transaction of a service: durable when it is the outermost one, part of the
    calling service's transaction (no savepoint) otherwise. For the rare write that is not a
    service function (a Django form's own save) but must commit with its event.

    The outermost one ends by setting a new `FamilyVersion` for each family it recorded
    events in. Last, so that it holds those rows' locks only while committing: a
    transaction that holds one waits for no other lock, and none waits for it for long."""
    depth = _depth.get()
    token = _depth.set(depth + 1)
    families_token = _families_changed.set(set()) if depth == 0 else None
    try:
        if depth == 0:
            block = transaction.atomic(durable=True)
        else:
            block = transaction.atomic(savepoint=False)
        with block:
            yield
            if depth == 0:
                families_version_set(_families_changed.get())
    finally:
        _depth.reset(token)
        if families_token is not None:
            _families_changed.reset(families_token)


def families_version_set(main_account_ids):
    """A new version for each of these families (see `FamilyVersion`), in the order of their
    ids, the order every transaction takes these rows in."""
    ids = sorted(set(main_account_ids) - {None})
    if ids:
        FamilyVersion.objects.bulk_create(
            [FamilyVersion(main_account_id=pk, version=secrets.randbits(63)) for pk in ids],
            update_conflicts=True,
            unique_fields=["main_account"],
            update_fields=["version"],
        )


def _family_changed(main_account_id):
    """Note a write in this family: the version changes as the service commits, or now when
    no service is running (a write that commits on its own)."""
    changed = _families_changed.get()
    if changed is None:
        families_version_set([main_account_id])
    else:
        changed.add(main_account_id)


def _families_naming(user):
    """The main accounts whose logs name `user` as an actor (their Activity pages show the
    user's email). One query, on the events' index of their actor."""
    return set(
        Event.objects.filter(actor_user=user)
        .exclude(main_account=None)
        .values_list("main_account_id", flat=True)
        .distinct()
    )


def user_saving(sender, instance, update_fields=None, raw=False, **kwargs):
    """Before a user is saved (`pre_save`): whether their email changes, in whatever way it
    does (support's form, or allauth's own email views, which are not services). A user's
    email is shown in the Activity pages of the families their events are in, outside those
    families' data: the `user_saved` that follows changes those families' versions."""
    instance._families_to_change = set()
    if raw or instance._state.adding or instance.pk is None:
        return  # a new user is named in no log yet
    if update_fields is not None and "email" not in update_fields:
        return  # signing in saves last_login alone
    if User.objects.filter(pk=instance.pk).exclude(email=instance.email).exists():
        instance._families_to_change = _families_naming(instance)


def user_saved(sender, instance, **kwargs):
    """After the save (`post_save`, inside its transaction if it has one): new versions for
    the families that name the user, so a remembered page shows the new email."""
    for main_account_id in getattr(instance, "_families_to_change", ()):
        _family_changed(main_account_id)
    instance._families_to_change = set()


def user_deleting(sender, instance, **kwargs):
    """Before a user is deleted (`pre_delete`): the families whose logs name them, which
    from then on show "A deleted user" (`user_deleted` changes their versions)."""
    instance._families_to_change = _families_naming(instance)


user_deleted = user_saved


def in_service():
    """Whether a service is running (its transaction open) in this context."""
    return _depth.get() > 0


def service(function):
    """Run `function` as a service (see `service_transaction`)."""

    @functools.wraps(function)
    def run(*args, **kwargs):
        with service_transaction():
            return function(*args, **kwargs)

    return run


def _client_ip(request):
    return request.META.get("REMOTE_ADDR") or None


@dataclasses.dataclass(frozen=True)
class Actor:
    """Who asks for a change, and through which door: what every event records."""

    type: str  # an Event.ActorType
    source: str  # an Event.Source
    sid: str = ""  # the user's US…, the account's AC… or the key's SK…
    ip: str | None = None
    user: User | None = None  # the person behind a console user or support actor

    @classmethod
    def for_user(cls, user, *, ip=None):
        """A person in the console."""
        return cls(ActorType.USER, Source.WEB, sid=user.sid, ip=ip, user=user)

    @classmethod
    def from_request(cls, request):
        """The signed-in person making a console request (or nobody yet, signing up)."""
        user = request.user if request.user.is_authenticated else None
        if user is None:
            return cls(ActorType.USER, Source.WEB, ip=_client_ip(request))
        return cls.for_user(user, ip=_client_ip(request))

    @classmethod
    def for_api(cls, request, account):
        """An API request made with `account`'s credentials."""
        return cls(ActorType.ACCOUNT, Source.API, sid=account.sid, ip=_client_ip(request))

    @classmethod
    def for_key(cls, request, key):
        """An API request made with an API key (its SK… SID is the actor, not the account)."""
        return cls(ActorType.KEY, Source.API, sid=key.sid, ip=_client_ip(request))

    @classmethod
    def for_support(cls, user, *, ip=None):
        """Support staff in the admin."""
        return cls(ActorType.SUPPORT, Source.ADMIN, sid=user.sid, ip=ip, user=user)

    @classmethod
    def support_request(cls, request):
        return cls.for_support(request.user, ip=_client_ip(request))

    @classmethod
    def system(cls):
        """The console itself: background jobs, operators' commands."""
        return cls(ActorType.SYSTEM, Source.SYSTEM)

    @property
    def is_support(self):
        return self.type == ActorType.SUPPORT

    def as_user(self, user):
        """The same request, now made by `user` (who just signed up)."""
        return dataclasses.replace(self, type=ActorType.USER, sid=user.sid, user=user)


def _json(value):
    if isinstance(value, Decimal):
        return f"{value:f}"
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, Account | Organization):
        return value.sid
    if isinstance(value, User):
        return value.email
    if isinstance(value, list | tuple | set | frozenset):
        return sorted(_json(item) for item in value)
    return value


def change(previous, updated):
    return {"previous": _json(previous), "updated": _json(updated)}


def changes(**pairs):
    """{field: {"previous", "updated"}} for every field whose value changed; each argument is
    a (previous, updated) pair."""
    return {
        name: change(previous, updated)
        for name, (previous, updated) in pairs.items()
        if previous != updated
    }


def fields_update(instance, *, actor, **values):
    """Set `values` on a locked account or organization, save them and record its
    "….updated" event with what changed; nothing is written when nothing changes. Returns the
    changes."""
    data = changes(**{name: (getattr(instance, name), value) for name, value in values.items()})
    if data:
        for name, value in values.items():
            setattr(instance, name, value)
        instance.save(update_fields=[*values, "date_updated"])
        target = (
            {"organization": instance, "event_type": "organization.updated"}
            if isinstance(instance, Organization)
            else {"account": instance, "event_type": "account.updated"}
        )
        event_record(actor=actor, resource_sid=instance.sid, data=data, **target)
    return data


def created(**fields):
    """The data of a `….created` event: every field changed from nothing."""
    return {name: change(None, value) for name, value in fields.items()}


def deleted(**fields):
    """The data of a `….deleted` event: every field's last value, now gone."""
    return {name: change(value, None) for name, value in fields.items()}


def _event(*, actor, event_type, account, organization, resource_sid, data, description, date):
    return Event(
        account=account,
        account_sid=account.sid if account is not None else "",
        main_account_id=account.main_account_id if account is not None else None,
        organization=organization,
        actor_type=actor.type,
        actor_sid=actor.sid,
        actor_user=actor.user,
        source=actor.source,
        source_ip_address=actor.ip,
        resource_type=event_type.rsplit(".", 1)[0],
        resource_sid=resource_sid or "",
        event_type=event_type,
        event_data=data or {},
        description=description[:300],
        **({"event_date": date} if date is not None else {}),
    )


def event_record(
    *,
    actor,
    event_type,
    account=None,
    organization=None,
    resource_sid="",
    data=None,
    description="",
    date=None,
):
    """Record one write in the log of `account` (and of its main account), or of
    `organization`. `event_type` is RESOURCE.ACTION, e.g. "phone-number.created"."""
    event = _event(
        actor=actor,
        event_type=event_type,
        account=account,
        organization=organization,
        resource_sid=resource_sid,
        data=data,
        description=description,
        date=date,
    )
    event.save()
    _family_changed(event.main_account_id)
    return event


def events_record(*, actor, event_type, items, description="", date=None):
    """Many events of one type at once: `items` is [(account, resource_sid, data)]."""
    events = Event.objects.bulk_create(
        _event(
            actor=actor,
            event_type=event_type,
            account=account,
            organization=None,
            resource_sid=resource_sid,
            data=data,
            description=description,
            date=date,
        )
        for account, resource_sid, data in items
    )
    for main_account_id in {event.main_account_id for event in events}:
        _family_changed(main_account_id)
    return events


PRUNE_BATCH_SIZE = 1000


def events_cutoff(*, days):
    """The moment before which events are older than `days` days."""
    return timezone.now() - datetime.timedelta(days=days)


def events_prune(*, before, batch_size=PRUNE_BATCH_SIZE, dry_run=False):
    """Delete the events dated before `before`, `batch_size` at a time (each batch its own
    short transaction, so that writers are never held up for long); returns how many. With
    `dry_run`, only count them. A batch is any of the old events, in no order: sorting them
    would read every old event for each batch (the log's date index is a BRIN one, which
    finds them but does not sort them).

    Retention is the log's own housekeeping, not a change to an account: it records no event.
    """
    old = Event.objects.filter(event_date__lt=before)
    if dry_run:
        return old.count()
    deleted = 0
    while True:
        with transaction.atomic():
            batch = list(old.order_by().values_list("id", "main_account_id")[:batch_size])
            if batch:
                Event.objects.filter(id__in=[pk for pk, _ in batch]).delete()
                # The families' logs changed: pages remembered from them are out of date.
                families_version_set(main_account_id for _, main_account_id in batch)
        deleted += len(batch)
        if len(batch) < batch_size:
            return deleted
