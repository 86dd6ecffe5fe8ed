"""The data, one module per concept, all importable from `accounts.models`."""

from .accounts import (
    DEFAULT_SUBACCOUNT_LIMIT,
    FRIENDLY_NAME_MAX_LENGTH,
    Account,
    AccountQuerySet,
)
from .events import ACCOUNT_EVENT_TYPES, EVENT_TYPES, Event, event_type_label
from .invitations import INVITATION_LIFETIME_DAYS, Invitation
from .keys import ApiKey
from .ledger import LedgerEntry
from .memberships import AccountMembership
from .numbers import AvailablePhoneNumber, IncomingPhoneNumber
from .organizations import Organization, OrganizationMembership
from .sids import new_auth_token, new_sid, sid_is_valid
from .triggers import UsageTrigger, UsageTriggerDelivery, UsageTriggerDeliveryAttempt
from .usage import UsageDay, UsageRecord
from .users import DEFAULT_ACCOUNT_LIMIT, User, UserManager

__all__ = [
    "ACCOUNT_EVENT_TYPES",
    "DEFAULT_ACCOUNT_LIMIT",
    "DEFAULT_SUBACCOUNT_LIMIT",
    "FRIENDLY_NAME_MAX_LENGTH",
    "INVITATION_LIFETIME_DAYS",
    "Account",
    "AccountMembership",
    "AccountQuerySet",
    "ApiKey",
    "AvailablePhoneNumber",
    "EVENT_TYPES",
    "Event",
    "IncomingPhoneNumber",
    "Invitation",
    "LedgerEntry",
    "Organization",
    "OrganizationMembership",
    "UsageDay",
    "UsageRecord",
    "UsageTrigger",
    "UsageTriggerDelivery",
    "UsageTriggerDeliveryAttempt",
    "User",
    "UserManager",
    "event_type_label",
    "new_auth_token",
    "new_sid",
    "sid_is_valid",
]
