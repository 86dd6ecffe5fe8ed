"""Roles on an account: changing them, removing a user, handing over ownership.

Callers check that the acting user may ask (the "users:write" scope); the rules that hold
whatever the door (one owner, the owner's protections) are checked here.
"""

from .. import errors, roles
from ..models import Account, AccountMembership, OrganizationMembership, User
from .events import change, changes, deleted, event_record, service


def roles_clean(chosen):
    """Account roles as a sorted list: Administrator alone, or any mix of Developer, Billing
    Manager and Support. The owner role is never given this way."""
    chosen = sorted(set(chosen or []))
    if not chosen:
        raise errors.PeopleError(errors.ROLES_REQUIRED)
    for role in chosen:
        if role == roles.OWNER:
            raise errors.PeopleError(errors.OWNER_ROLE_NOT_ASSIGNABLE)
        if role not in roles.ROLE_SCOPES:
            raise errors.PeopleError(errors.ROLE_UNKNOWN.format(role=role))
    if roles.ADMINISTRATOR in chosen and len(chosen) > 1:
        raise errors.PeopleError(
            errors.ROLES_EXCLUSIVE.format(role=roles.role_label(roles.ADMINISTRATOR))
        )
    return chosen


def account_locked(account):
    return Account.objects.select_for_update().get(pk=account.pk)


def open_account_locked(account):
    """Locked, and not closed: a closed account is read-only, its users and roles included."""
    account = account_locked(account)
    if account.status == Account.Status.CLOSED:
        raise errors.AccountClosed()
    return account


def membership_event(*, actor, event_type, account, user, data):
    event_record(
        actor=actor,
        event_type=event_type,
        account=account,
        resource_sid=user.sid,
        data={"user": user.email, **data},
    )


def _held_roles(account, user):
    current = AccountMembership.objects.filter(account=account, user=user)
    held = set(current.values_list("role", flat=True))
    if not held:
        raise errors.PeopleError(errors.NOT_A_MEMBER.format(email=user.email))
    if roles.OWNER in held:
        raise errors.PeopleError(errors.OWNER_CANNOT_BE_CHANGED)
    return current, held


@service
def account_member_roles_set(*, account, user, roles_, actor):
    """Replace `user`'s roles on `account` (never the owner's)."""
    chosen = roles_clean(roles_)
    account = open_account_locked(account)
    current, held = _held_roles(account, user)
    current.exclude(role__in=chosen).delete()
    AccountMembership.objects.bulk_create(
        AccountMembership(account=account, user=user, role=role)
        for role in chosen
        if role not in held
    )
    data = changes(roles=(sorted(held), chosen))
    if data:
        membership_event(
            actor=actor, event_type="membership.updated", account=account, user=user, data=data
        )
    return chosen


@service
def account_member_remove(*, account, user, actor):
    """Take away every role `user` holds on `account`; their login and other accounts stay."""
    account = open_account_locked(account)
    current, held = _held_roles(account, user)
    current.delete()
    membership_event(
        actor=actor,
        event_type="membership.deleted",
        account=account,
        user=user,
        data=deleted(roles=sorted(held)),
    )


@service
def account_ownership_transfer(*, account, new_owner, actor):
    """The owner hands a main account to an existing user of it, and becomes Administrator."""
    if account.parent_id is not None:
        raise errors.PeopleError(errors.SUBACCOUNT_OWNERSHIP)
    account = open_account_locked(account)
    if actor.user is None or actor.user.pk != account.owner_id:
        raise errors.NotPermitted(errors.ONLY_OWNER_CAN_TRANSFER)
    if new_owner.pk == account.owner_id:
        return account
    # Then both people, in primary-key order: the new owner's limit is checked under their
    # lock, which account_create (and any other transfer to them) takes too.
    people = User.objects.select_for_update().filter(pk__in=[account.owner_id, new_owner.pk])
    new_owner = {user.pk: user for user in people.order_by("pk")}[new_owner.pk]
    if not AccountMembership.objects.filter(account=account, user=new_owner).exists():
        raise errors.PeopleError(errors.TRANSFER_TO_MEMBER_ONLY)
    if account.organization_id:
        # An organization's accounts are owned by its members. The membership stays locked
        # until the transfer commits, so the new owner cannot leave in between.
        membership = (
            OrganizationMembership.objects.select_for_update()
            .filter(organization_id=account.organization_id, user=new_owner)
            .first()
        )
        if membership is None:
            raise errors.PeopleError(errors.TRANSFER_TO_ORGANIZATION_MEMBER_ONLY)
    else:
        # A personal account counts against its owner's limit (an organization's, against
        # the organization's, which does not change here).
        owned = (
            Account.objects.top_level()
            .open()
            .filter(owner=new_owner, organization__isnull=True)
            .count()
        )
        if owned >= new_owner.account_limit:
            raise errors.AccountLimitReached(
                errors.TRANSFER_OWNER_ACCOUNT_LIMIT.format(
                    email=new_owner.email, limit=errors.limit_text(new_owner.account_limit)
                )
            )
    old_owner = account.owner
    # The owner role is unique per account: drop the old one before giving the new one.
    AccountMembership.objects.filter(account=account, user_id=old_owner.pk).delete()
    AccountMembership.objects.filter(account=account, user=new_owner).delete()
    AccountMembership.objects.bulk_create(
        [
            AccountMembership(account=account, user_id=old_owner.pk, role=roles.ADMINISTRATOR),
            AccountMembership(account=account, user=new_owner, role=roles.OWNER),
        ]
    )
    account.owner = new_owner
    account.save(update_fields=["owner", "date_updated"])
    Account.objects.subaccounts_of(account).update(owner=new_owner)
    event_record(
        actor=actor,
        event_type="account.updated",
        account=account,
        resource_sid=account.sid,
        data={"owner": change(old_owner, new_owner)},
    )
    return account
