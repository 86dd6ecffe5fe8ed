"""Two-factor authentication: who must use it (a setting of an account or an organization,
which its Owner or Administrators turn on), and the record of a person turning theirs on or
off (allauth's MFA pages do the enrolment itself)."""

from .accounts import lock
from .events import change, event_record, fields_update, service
from .organizations import organization_locked_for_manager


@service
def account_two_factor_required_set(*, account, required, actor):
    """Require (or stop requiring) two-factor of everyone with a role on `account` and, for a
    main account, on its subaccounts. Who may ask (Owner, Administrator) is the view's
    check, as for every account setting."""
    account, _parent = lock(account)
    fields_update(account, actor=actor, require_two_factor=bool(required))
    return account


@service
def organization_two_factor_required_set(*, organization, required, actor):
    """Require (or stop requiring) two-factor of every member of the organization and of
    everyone with a role on its accounts. Its Owner and Administrators may."""
    organization = organization_locked_for_manager(organization, actor)
    fields_update(organization, actor=actor, require_two_factor=bool(required))
    return organization


@service
def user_two_factor_changed(*, user, actor, kind, enabled):
    """Record that `user` turned a second factor (`kind`: "totp", "recovery_codes") on or
    off. allauth stores the authenticator itself; this is its trace in the log."""
    event_record(
        actor=actor,
        event_type="user.updated",
        resource_sid=user.sid,
        data={f"two_factor_{kind}": change(not enabled, enabled)},
    )
