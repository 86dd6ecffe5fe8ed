"""The data, one module per concept, all importable from `accounts.models`."""

from .accounts import (
    DEFAULT_SUBACCOUNT_LIMIT,
    FRIENDLY_NAME_MAX_LENGTH,
    TRIAL_NUMBER_LIMIT,
    TRIAL_SUBACCOUNT_LIMIT,
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
from .payments import BillingProfile, Payment
from .sids import new_auth_token, new_sid, sid_is_valid
from .transfers import BalanceTransfer
from .triggers import UsageTrigger, UsageTriggerDelivery, UsageTriggerDeliveryAttempt
from .usage import UsageDay, UsageMonth, UsageRecord
from .users import DEFAULT_ACCOUNT_LIMIT, User, UserManager
from .versions import FamilyVersion

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
    "BalanceTransfer",
    "BillingProfile",
    "EVENT_TYPES",
    "Event",
    "FamilyVersion",
    "IncomingPhoneNumber",
    "Invitation",
    "LedgerEntry",
    "Organization",
    "OrganizationMembership",
    "Payment",
    "TRIAL_NUMBER_LIMIT",
    "TRIAL_SUBACCOUNT_LIMIT",
    "UsageDay",
    "UsageMonth",
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
