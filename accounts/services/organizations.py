"""Organizations: their accounts, members and owner.

An organization's Owner and Administrators manage it (support staff too, from the admin); the
Owner alone hands it over. Those checks happen under the organization's lock, so a role change
racing with a request waits for it and cannot slip past the check.
"""

from .. import errors
from ..models import Account, Organization, OrganizationMembership
from . import accounts
from .events import change, changes, created, deleted, event_record, fields_update, service

OrgRole = OrganizationMembership.Role
MANAGING_ROLES = (OrgRole.OWNER, OrgRole.ADMINISTRATOR)
INVITABLE_ROLES = (OrgRole.ADMINISTRATOR, OrgRole.MEMBER)


def _role(*, user, organization):
    membership = OrganizationMembership.objects.filter(organization=organization, user=user).first()
    return membership.role if membership else None


def organization_locked_for_manager(organization, actor):
    """Lock the organization, then check that the actor manages it."""
    organization = Organization.objects.select_for_update().get(pk=organization.pk)
    if not actor.is_support and (
        actor.user is None
        or _role(user=actor.user, organization=organization) not in MANAGING_ROLES
    ):
        raise errors.NotPermitted(errors.ORGANIZATION_ADMIN_ONLY)
    return organization


def _membership_event(*, actor, event_type, organization, user, data):
    event_record(
        actor=actor,
        event_type=event_type,
        organization=organization,
        resource_sid=user.sid,
        data={"user": user.email, **data},
    )


@service
def organization_create(*, name, owner, actor):
    name = (name or "").strip()
    if not name:
        raise errors.PeopleError(errors.ORGANIZATION_NAME_REQUIRED)
    organization = Organization.objects.create(name=name[:100])
    OrganizationMembership.objects.create(organization=organization, user=owner, role=OrgRole.OWNER)
    event_record(
        actor=actor,
        event_type="organization.created",
        organization=organization,
        resource_sid=organization.sid,
        data=created(name=organization.name, owner=owner),
    )
    return organization


@service
def organization_account_create(*, organization, friendly_name, actor):
    """A new account directly in the organization, owned by the acting owner/administrator,
    within the organization's account limit."""
    organization = organization_locked_for_manager(organization, actor)
    return accounts.account_create(
        owner=actor.user, friendly_name=friendly_name, organization=organization, actor=actor
    )


@service
def organization_account_import(*, organization, account, actor):
    """Move (import) a personal main account, and its subaccounts, into the organization. The
    acting user must own the account and manage the organization; the account then counts
    against the organization's limit instead of its owner's."""
    organization = organization_locked_for_manager(organization, actor)
    account = Account.objects.select_for_update().get(pk=account.pk)
    if account.parent_id is not None:
        raise errors.PeopleError(errors.IMPORT_MAIN_ACCOUNTS_ONLY)
    if actor.user is None or account.owner_id != actor.user.pk:
        raise errors.NotPermitted(errors.IMPORT_NEEDS_ACCOUNT_OWNER)
    if account.organization_id is not None:
        raise errors.PeopleError(errors.ACCOUNT_ALREADY_IN_ORGANIZATION)
    if account.status == Account.Status.CLOSED:
        raise errors.AccountClosed()
    in_use = Account.objects.top_level().open().filter(organization=organization).count()
    if in_use >= organization.account_limit:
        raise errors.AccountLimitReached(
            errors.ORGANIZATION_ACCOUNT_LIMIT_REACHED.format(
                limit=errors.limit_text(organization.account_limit)
            )
        )
    account.organization = organization
    account.save(update_fields=["organization", "date_updated"])
    Account.objects.subaccounts_of(account).update(organization=organization)
    event_record(
        actor=actor,
        event_type="account.updated",
        account=account,
        organization=organization,
        resource_sid=account.sid,
        data={"organization": change(None, organization)},
    )
    return account


def _non_owner_membership_locked(organization, user):
    """`user`'s membership of the organization, locked; the owner's is never changed here."""
    membership = (
        OrganizationMembership.objects.select_for_update()
        .filter(organization=organization, user=user)
        .first()
    )
    if membership is None:
        raise errors.PeopleError(errors.NOT_A_MEMBER.format(email=user.email))
    if membership.role == OrgRole.OWNER:
        raise errors.PeopleError(errors.ORGANIZATION_OWNER_CANNOT_BE_REMOVED)
    return membership


def _membership_end(organization, user, actor):
    """Remove a non-owner member; an organization's accounts are owned by its members, so
    the ones they own must change hands first."""
    membership = _non_owner_membership_locked(organization, user)
    owned = Account.objects.top_level().filter(organization=organization, owner=user).count()
    if owned:
        raise errors.PeopleError(errors.MEMBER_OWNS_ACCOUNTS.format(email=user.email, count=owned))
    membership.delete()
    _membership_event(
        actor=actor,
        event_type="organization-membership.deleted",
        organization=organization,
        user=user,
        data=deleted(role=membership.role),
    )


@service
def organization_member_add(*, organization, user, role, actor):
    """Support adds an existing user to an organization directly (members otherwise come in
    through invitations)."""
    organization = organization_locked_for_manager(organization, actor)
    if role not in INVITABLE_ROLES:
        raise errors.PeopleError(errors.ROLE_UNKNOWN.format(role=role))
    if OrganizationMembership.objects.filter(organization=organization, user=user).exists():
        raise errors.PeopleError(errors.ALREADY_AN_ORGANIZATION_MEMBER.format(email=user.email))
    membership = OrganizationMembership.objects.create(
        organization=organization, user=user, role=role
    )
    _membership_event(
        actor=actor,
        event_type="organization-membership.created",
        organization=organization,
        user=user,
        data=created(role=role),
    )
    return membership


@service
def organization_member_role_set(*, organization, user, role, actor):
    organization = organization_locked_for_manager(organization, actor)
    if role not in INVITABLE_ROLES:
        raise errors.PeopleError(errors.ROLE_UNKNOWN.format(role=role))
    membership = _non_owner_membership_locked(organization, user)
    data = changes(role=(membership.role, role))
    if data:
        membership.role = role
        membership.save(update_fields=["role"])
        _membership_event(
            actor=actor,
            event_type="organization-membership.updated",
            organization=organization,
            user=user,
            data=data,
        )
    return membership


@service
def organization_member_remove(*, organization, user, actor):
    organization = organization_locked_for_manager(organization, actor)
    _membership_end(organization, user, actor)


@service
def organization_leave(*, organization, user, actor):
    """A member (not the owner) leaves the organization; the accounts they own in it go first."""
    organization = Organization.objects.select_for_update().get(pk=organization.pk)
    _membership_end(organization, user, actor)


@service
def organization_ownership_transfer(*, organization, new_owner, actor):
    """The current Organization Owner (or support) hands the organization to an existing
    member; the old owner stays on as Organization Administrator."""
    organization = Organization.objects.select_for_update().get(pk=organization.pk)
    memberships = OrganizationMembership.objects.select_for_update().filter(
        organization=organization
    )
    current_owner = memberships.filter(role=OrgRole.OWNER).select_related("user").first()
    if not actor.is_support and (
        current_owner is None or actor.user is None or current_owner.user_id != actor.user.pk
    ):
        raise errors.NotPermitted(errors.ORGANIZATION_OWNER_ONLY)
    target = memberships.filter(user=new_owner).first()
    if target is None:
        raise errors.PeopleError(errors.ORGANIZATION_TRANSFER_TO_MEMBER_ONLY)
    if current_owner is not None and target.pk == current_owner.pk:
        return organization
    if current_owner is not None:
        current_owner.role = OrgRole.ADMINISTRATOR
        current_owner.save(update_fields=["role"])
    target.role = OrgRole.OWNER
    target.save(update_fields=["role"])
    event_record(
        actor=actor,
        event_type="organization.updated",
        organization=organization,
        resource_sid=organization.sid,
        data={"owner": change(current_owner.user if current_owner else None, new_owner)},
    )
    return organization


@service
def organization_update(*, organization, actor, **fields):
    """Support renames an organization or changes its account limit."""
    organization = Organization.objects.select_for_update().get(pk=organization.pk)
    if "name" in fields:
        fields["name"] = (fields["name"] or "").strip()[:100]
        if not fields["name"]:
            raise errors.PeopleError(errors.ORGANIZATION_NAME_REQUIRED)
    fields_update(organization, actor=actor, **fields)
    return organization
