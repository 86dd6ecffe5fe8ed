"""People who sign in: signing up, and accounts that operators provision for an email."""

from django.contrib.auth.models import Group, Permission
from django.db import IntegrityError, transaction

from .. import errors
from ..models import Account, User
from . import accounts, trials
from .events import ActorType, changes, created, deleted, event_record, service


def _email_taken(email):
    return User.objects.filter(email__iexact=User.objects.normalize_email(email)).exists()


def _user_create(*, email, password, full_name, actor):
    if _email_taken(email):
        raise errors.EmailTaken()
    try:
        # A savepoint around the one insert: a parallel sign-up with the same email that
        # commits first makes it a unique violation, which is the EmailTaken refusal, not a
        # broken transaction.
        with transaction.atomic():
            user = User.objects.create_user(email=email, password=password, full_name=full_name)
    except IntegrityError:
        if _email_taken(email):
            raise errors.EmailTaken() from None
        raise
    # Someone signing up is the actor of their own sign-up.
    if actor.type == ActorType.USER and actor.user is None:
        actor = actor.as_user(user)
    event_record(
        actor=actor,
        event_type="user.created",
        resource_sid=user.sid,
        data=created(email=user.email),
    )
    return user


@service
def user_sign_up(*, email, password, actor, full_name="", account_name):
    """A new user and their first account, a Trial account with the trial credit, together
    or not at all."""
    user = _user_create(email=email, password=password, full_name=full_name, actor=actor)
    actor = actor.as_user(user)
    account = accounts.account_create(owner=user, friendly_name=account_name, actor=actor)
    trials.trial_credit_grant(account=account, actor=actor)
    return user, account


@service
def user_create_invited(*, email, password, full_name, actor):
    """A new person who signs up through an invitation (no first account of their own)."""
    return _user_create(email=email, password=password, full_name=full_name, actor=actor)


@service
def owner_account_provision(*, email, friendly_name, actor, password=None, type=Account.Type.TRIAL):
    """An operator's top-level account for `email`, creating the user (without a usable
    password unless one is given) if there is none: (user, account, user_created). A Trial
    account starts as a sign-up's does, with the trial credit; a Full one without limits
    (and without credit: it is funded by payments)."""
    user = User.objects.filter(email__iexact=User.objects.normalize_email(email)).first()
    user_created = user is None
    if user_created:
        user = _user_create(email=email, password=password, full_name="", actor=actor)
        if password is None:
            user.set_unusable_password()
            user.save(update_fields=["password"])
    account = accounts.account_create(
        owner=user, friendly_name=friendly_name or user.email[:64], actor=actor, type=type
    )
    trials.trial_credit_grant(account=account, actor=actor)
    return user, account, user_created


@service
def user_create_by_support(*, email, password, full_name, actor):
    """Support adds a login (for example for a customer's colleague)."""
    return _user_create(email=email, password=password, full_name=full_name, actor=actor)


@service
def user_update(*, user, actor, **fields):
    """Support changes a user's profile, limit or access; each changed field is recorded."""
    user = User.objects.select_for_update().get(pk=user.pk)
    data = changes(**{name: (getattr(user, name), value) for name, value in fields.items()})
    if data:
        for name, value in fields.items():
            setattr(user, name, value)
        user.save(update_fields=list(fields))
        event_record(actor=actor, event_type="user.updated", resource_sid=user.sid, data=data)
    return user


@service
def user_password_changed(*, user, actor):
    """Record that support set a user's password (the admin's own form sets it)."""
    event_record(
        actor=actor,
        event_type="user.updated",
        resource_sid=user.sid,
        data={"password": {"previous": "(hidden)", "updated": "(hidden)"}},
    )


# --- Who may do what in the admin: a user's groups and permissions, and the groups --------
# Only superusers reach these (support staff have no permission on groups, and the user
# form shows them the fields read-only): each change is recorded, with names, not ids.


def _permission_names(permissions):
    """ "app_label.codename" of each permission, as `has_perm` names them. One query."""
    ids = [permission.pk for permission in permissions]
    return {
        f"{app_label}.{codename}"
        for app_label, codename in Permission.objects.filter(pk__in=ids).values_list(
            "content_type__app_label", "codename"
        )
    }


@service
def user_access_set(*, user, actor, groups=None, user_permissions=None):
    """Set the groups `user` is in and/or the permissions they hold on their own (either
    left as it is when None); what changed is recorded in a user.updated event."""
    user = User.objects.select_for_update().get(pk=user.pk)
    pairs = {}
    if groups is not None:
        pairs["groups"] = ({group.name for group in user.groups.all()}, {g.name for g in groups})
        user.groups.set(groups)
    if user_permissions is not None:
        previous = _permission_names(user.user_permissions.all())
        pairs["user_permissions"] = (previous, _permission_names(user_permissions))
        user.user_permissions.set(user_permissions)
    data = changes(**pairs)
    if data:
        event_record(actor=actor, event_type="user.updated", resource_sid=user.sid, data=data)
    return user


def _group_event(actor, event_type, name, data):
    event_record(actor=actor, event_type=event_type, data=data, description=f"Group: {name}"[:300])


@service
def group_create(*, name, permissions, actor):
    """A new group of admin users with `permissions`."""
    group = Group.objects.create(name=name)
    group.permissions.set(permissions)
    _group_event(
        actor,
        "group.created",
        name,
        created(name=name, permissions=_permission_names(permissions)),
    )
    return group


@service
def group_update(*, group, name, permissions, actor):
    """Rename a group and/or set its permissions."""
    group = Group.objects.select_for_update().get(pk=group.pk)
    previous = (group.name, _permission_names(group.permissions.all()))
    data = changes(
        name=(previous[0], name), permissions=(previous[1], _permission_names(permissions))
    )
    if data:
        group.name = name
        group.save(update_fields=["name"])
        group.permissions.set(permissions)
        _group_event(actor, "group.updated", name, data)
    return group


@service
def group_delete(*, group, actor):
    """Delete a group: its members lose what it gave them. The event keeps who they were."""
    group = Group.objects.select_for_update().get(pk=group.pk)
    _group_event(
        actor,
        "group.deleted",
        group.name,
        deleted(
            name=group.name,
            permissions=_permission_names(group.permissions.all()),
            members=set(group.user_set.values_list("email", flat=True)),
        ),
    )
    group.delete()
