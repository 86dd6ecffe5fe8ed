"""The data, one module per concept, all importable from `accounts.models`."""

from .accounts import (
    DEFAULT_SUBACCOUNT_LIMIT,
    FRIENDLY_NAME_MAX_LENGTH,
    Account,
    AccountQuerySet,
)
from .events import Event
from .invitations import INVITATION_LIFETIME_DAYS, Invitation
from .keys import ApiKey
from .ledger import LedgerEntry
from .memberships import AccountMembership
from .numbers import AvailablePhoneNumber, IncomingPhoneNumber
from .organizations import Organization, OrganizationMembership
from .sids import new_auth_token, new_sid, sid_is_valid
from .usage import UsageRecord
from .users import DEFAULT_ACCOUNT_LIMIT, User, UserManager

__all__ = [
    "DEFAULT_ACCOUNT_LIMIT",
    "DEFAULT_SUBACCOUNT_LIMIT",
    "FRIENDLY_NAME_MAX_LENGTH",
    "INVITATION_LIFETIME_DAYS",
    "Account",
    "AccountMembership",
    "AccountQuerySet",
    "ApiKey",
    "AvailablePhoneNumber",
    "Event",
    "IncomingPhoneNumber",
    "Invitation",
    "LedgerEntry",
    "Organization",
    "OrganizationMembership",
    "UsageRecord",
    "User",
    "UserManager",
    "new_auth_token",
    "new_sid",
    "sid_is_valid",
]
