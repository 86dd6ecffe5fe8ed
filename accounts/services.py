"""Every state change to accounts, each one a transaction.

Services validate, lock what they read (`select_for_update`; the top-level account before its
subaccounts, so two requests never wait on each other in opposite orders), write, and record
a status event in the same transaction. They raise `accounts.errors.AccountError` subclasses.
Who may *ask* for a change (roles, scopes) is checked by the caller; the rules of the domain
itself (limits, the status life cycle, owner-only close) are checked here.
"""

from django.db import transaction
from django.utils import timezone

from . import errors, roles
from .models import (
    FRIENDLY_NAME_MAX_LENGTH,
    Account,
    AccountMembership,
    AccountStatusEvent,
    Organization,
    User,
)

Status = Account.Status
Source = AccountStatusEvent.Source


def friendly_name_clean(friendly_name):
    """The friendly name as it will be stored, or InvalidFriendlyName."""
    name = (friendly_name or "").strip()
    if not name:
        raise errors.InvalidFriendlyName(errors.FRIENDLY_NAME_REQUIRED)
    if "\x00" in name:
        raise errors.InvalidFriendlyName(errors.FRIENDLY_NAME_NUL)
    if len(name) > FRIENDLY_NAME_MAX_LENGTH:
        raise errors.InvalidFriendlyName(
            errors.FRIENDLY_NAME_TOO_LONG.format(limit=FRIENDLY_NAME_MAX_LENGTH, length=len(name))
        )
    return name


def default_subaccount_name(now=None):
    """Twilio's default: "SubAccount Created at 2026-11-27 02:42 pm"."""
    now = timezone.localtime(now or timezone.now())
    return "SubAccount Created at " + now.strftime("%Y-%m-%d %I:%M %p").lower()


def _record_event(account, *, old_status, actor, source, reason):
    return AccountStatusEvent.objects.create(
        account=account,
        old_status=old_status,
        new_status=account.status,
        actor=actor if actor and actor.is_authenticated else None,
        source=source,
        reason=reason,
    )


@transaction.atomic
def account_create(*, owner, friendly_name, organization=None):
    """A new top-level (Trial) account owned by `owner`, within the owner's (or the
    organization's) account limit. Closed accounts do not count."""
    name = friendly_name_clean(friendly_name)
    owner = User.objects.select_for_update().get(pk=owner.pk)
    if organization is not None:
        organization = Organization.objects.select_for_update().get(pk=organization.pk)
        in_use = Account.objects.top_level().open().filter(organization=organization).count()
        if in_use >= organization.account_limit:
            raise errors.AccountLimitReached(
                errors.ORGANIZATION_ACCOUNT_LIMIT_REACHED.format(
                    limit=errors.limit_text(organization.account_limit)
                )
            )
    else:
        in_use = (
            Account.objects.top_level()
            .open()
            .filter(owner=owner, organization__isnull=True)
            .count()
        )
        if in_use >= owner.account_limit:
            raise errors.AccountLimitReached(
                errors.ACCOUNT_LIMIT_REACHED.format(limit=errors.limit_text(owner.account_limit))
            )
    account = Account.objects.create(friendly_name=name, owner=owner, organization=organization)
    AccountMembership.objects.create(account=account, user=owner, role=roles.OWNER)
    _record_event(
        account, old_status="", actor=owner, source=Source.OWNER, reason="Account created"
    )
    return account


@transaction.atomic
def subaccount_create(*, parent, friendly_name=None, acting_user=None):
    """A new subaccount of `parent`, within the parent's subaccount limit."""
    if parent.parent_id is not None:
        raise errors.NestedSubaccountNotAllowed()
    name = friendly_name_clean(
        default_subaccount_name() if friendly_name is None else friendly_name
    )
    parent = Account.objects.select_for_update().get(pk=parent.pk)
    if parent.status != Status.ACTIVE:
        raise errors.ParentNotActive(errors.PARENT_NOT_ACTIVE.format(status=parent.status))
    in_use = Account.objects.subaccounts_of(parent).open().count()
    if in_use >= parent.subaccount_limit:
        raise errors.SubaccountLimitReached(
            errors.SUBACCOUNT_LIMIT_REACHED.format(limit=errors.limit_text(parent.subaccount_limit))
        )
    subaccount = Account.objects.create(
        friendly_name=name,
        parent=parent,
        owner_id=parent.owner_id,
        organization_id=parent.organization_id,
        type=parent.type,
        balance=None,
    )
    _record_event(
        subaccount,
        old_status="",
        actor=acting_user,
        source=Source.OWNER,
        reason="Subaccount created",
    )
    return subaccount


def _lock(account):
    """Lock the account's family top-down and return fresh copies: (account, parent)."""
    if account.parent_id is not None:
        parent = Account.objects.select_for_update().get(pk=account.parent_id)
        account = Account.objects.select_for_update().get(pk=account.pk)
        account.parent = parent
        return account, parent
    return Account.objects.select_for_update().get(pk=account.pk), None


@transaction.atomic
def account_rename(*, account, friendly_name, acting_user=None):
    name = friendly_name_clean(friendly_name)
    account, _parent = _lock(account)
    if account.status == Status.CLOSED:
        raise errors.AccountClosed()
    account.friendly_name = name
    account.save(update_fields=["friendly_name", "date_updated"])
    return account


def _check_status_change(account, parent, new_status, *, acting_user, source):
    if account.status == Status.CLOSED:
        raise errors.AccountClosed()
    if parent is not None and parent.status != Status.ACTIVE and source != Source.PARENT:
        raise errors.ParentSuspended()
    if (
        account.status == Status.SUSPENDED
        and account.status_source == Source.SUPPORT
        and source != Source.SUPPORT
    ):
        raise errors.SuspendedBySupport()
    if parent is None and source == Source.OWNER:
        if new_status != Status.CLOSED:
            raise errors.MainAccountStatusRestricted()
        if acting_user is None or acting_user.pk != account.owner_id:
            raise errors.NotPermitted(errors.ONLY_OWNER_CAN_CLOSE)


def _cascade_to_subaccounts(parent, new_status, *, acting_user, reason):
    """Apply the parent's new status to its subaccounts, with an event for each."""
    subaccounts = Account.objects.subaccounts_of(parent)
    if new_status == Status.SUSPENDED:
        affected = subaccounts.filter(status=Status.ACTIVE)
    elif new_status == Status.CLOSED:
        affected = subaccounts.exclude(status=Status.CLOSED)
    else:
        # Only those that the parent's suspension suspended come back.
        affected = subaccounts.filter(status=Status.SUSPENDED, status_source=Source.PARENT)
    locked = list(affected.select_for_update().order_by("pk").values_list("pk", "status"))
    if not locked:
        return 0
    now = timezone.now()
    ids = [pk for pk, _status in locked]
    Account.objects.filter(pk__in=ids).update(
        status=new_status,
        status_source="" if new_status == Status.ACTIVE else Source.PARENT,
        date_updated=now,
    )
    actor = acting_user if acting_user and acting_user.is_authenticated else None
    AccountStatusEvent.objects.bulk_create(
        AccountStatusEvent(
            account_id=pk,
            old_status=old_status,
            new_status=new_status,
            actor=actor,
            source=Source.PARENT,
            reason=reason,
            date_created=now,
        )
        for pk, old_status in locked
    )
    return len(locked)


@transaction.atomic
def account_status_set(*, account, status, acting_user=None, source=Source.OWNER, reason=""):
    """Move an account to `status` (active / suspended / closed), with the cascade to its
    subaccounts for a top-level account. Setting the status it already has is a no-op, except
    that support takes over a suspension (which then lasts until support lifts it)."""
    if status not in Status.values:
        raise errors.InvalidStatusTransition(errors.INVALID_STATUS)
    account, parent = _lock(account)
    if account.status == status and status != Status.CLOSED:
        # Nothing to do, but a support or parent suspension still cannot be "re-suspended"
        # to take it over (it would look done, yet not hold when the other side lifts it).
        if parent is not None and parent.status != Status.ACTIVE and source != Source.PARENT:
            raise errors.ParentSuspended()
        if account.status_source == Source.SUPPORT and source != Source.SUPPORT:
            raise errors.SuspendedBySupport()
        if (
            status == Status.SUSPENDED
            and source == Source.SUPPORT
            and account.status_source != Source.SUPPORT
        ):
            # Support takes over a suspension that was the balance's or the owner's: it must
            # hold until support lifts it, not end with a top-up or the owner's reactivation.
            account.status_source = Source.SUPPORT
            account.save(update_fields=["status_source", "date_updated"])
            _record_event(
                account, old_status=status, actor=acting_user, source=source, reason=reason
            )
        return account
    _check_status_change(account, parent, status, acting_user=acting_user, source=source)
    old_status = account.status
    account.status = status
    account.status_source = source if status != Status.ACTIVE else ""
    account.save(update_fields=["status", "status_source", "date_updated"])
    _record_event(account, old_status=old_status, actor=acting_user, source=source, reason=reason)
    if parent is None:
        cascade_reason = f"Parent account {account.sid} {status}"
        if reason:
            cascade_reason += f": {reason}"
        _cascade_to_subaccounts(account, status, acting_user=acting_user, reason=cascade_reason)
    if status == Status.CLOSED:
        from .numbers import numbers_release_for  # numbers builds on these services

        # After the subaccounts: numbers are locked last, as everywhere else.
        numbers_release_for(account)
    return account


def account_suspend(*, account, acting_user=None, source=Source.OWNER, reason=""):
    return account_status_set(
        account=account,
        status=Status.SUSPENDED,
        acting_user=acting_user,
        source=source,
        reason=reason,
    )


def account_reactivate(*, account, acting_user=None, source=Source.OWNER, reason=""):
    return account_status_set(
        account=account,
        status=Status.ACTIVE,
        acting_user=acting_user,
        source=source,
        reason=reason,
    )


def account_close(*, account, acting_user=None, source=Source.OWNER, reason=""):
    return account_status_set(
        account=account,
        status=Status.CLOSED,
        acting_user=acting_user,
        source=source,
        reason=reason,
    )


@transaction.atomic
def account_upgrade(*, account, acting_user=None):
    """Support upgrades a Trial account (and its subaccounts) to Full."""
    account, _parent = _lock(account)
    main = account.main_account
    if main.status == Status.CLOSED:
        raise errors.AccountClosed()
    Account.objects.filter(pk=main.pk).update(type=Account.Type.FULL, date_updated=timezone.now())
    Account.objects.subaccounts_of(main).update(type=Account.Type.FULL)
    main.refresh_from_db()
    return main


@transaction.atomic
def user_sign_up(*, email, password, full_name="", account_name):
    """A new user and their first account, together or not at all."""
    user = User.objects.create_user(email=email, password=password, full_name=full_name)
    account = account_create(owner=user, friendly_name=account_name)
    return user, account


def owned_account_count(*, owner):
    """Open top-level accounts that count toward the owner's personal limit."""
    return Account.objects.top_level().open().filter(owner=owner, organization__isnull=True).count()
