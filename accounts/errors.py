"""Typed errors raised by the services.

Each carries a message a person can read (the console shows it) and, where Twilio has one,
the matching Twilio error code (the API returns it). Messages are module constants so tests
can assert them.
"""

from django.contrib.humanize.templatetags.humanize import intcomma

ACCOUNT_LIMIT_REACHED = (
    "You have reached your limit of {limit} accounts. Contact support to raise it."
)
ORGANIZATION_ACCOUNT_LIMIT_REACHED = (
    "The organization's account limit has been reached ({limit} accounts). "
    "Contact support to raise it."
)
SUBACCOUNT_LIMIT_REACHED = (
    "This account has reached its limit of {limit} subaccounts. Contact support to raise it."
)
NESTED_SUBACCOUNT = (
    "A subaccount cannot contain nested subaccounts. Only a main account may contain subaccounts."
)
PARENT_NOT_ACTIVE = "Subaccounts can only be created while the account is active; it is {status}."
PARENT_SUSPENDED = (
    "This subaccount's status cannot change while its parent account is suspended."
)
SUSPENDED_BY_SUPPORT = (
    "This account was suspended by support. Only support can change its status."
)
ACCOUNT_CLOSED = "This account is closed. A closed account cannot be changed or re-opened."
MAIN_ACCOUNT_STATUS = (
    "Only subaccounts can be suspended or reactivated here. "
    "Contact support about the main account's status."
)
ONLY_OWNER_CAN_CLOSE = "Only the account's owner can close it."
ALREADY_IN_STATUS = "This account is already {status}."
FRIENDLY_NAME_REQUIRED = "Enter a friendly name."
FRIENDLY_NAME_TOO_LONG = "A friendly name can be at most {limit} characters (it has {length})."
INVALID_STATUS = "Status must be one of 'active', 'suspended', or 'closed'."


class AccountError(Exception):
    """Base class: a refusal from the services, with a human message and a Twilio code."""

    code = None  # Twilio error code, where one exists
    message = "The account could not be changed."

    def __init__(self, message=None):
        self.message = message or self.message
        super().__init__(self.message)


class AccountLimitReached(AccountError):
    code = 25102


class SubaccountLimitReached(AccountError):
    code = 21480


class NestedSubaccountNotAllowed(AccountError):
    code = 21101
    message = NESTED_SUBACCOUNT


class ParentNotActive(AccountError):
    code = 21100  # Twilio's generic "Accounts resource" error


class ParentSuspended(AccountError):
    code = 21476
    message = PARENT_SUSPENDED


class SuspendedBySupport(AccountError):
    code = 21478
    message = SUSPENDED_BY_SUPPORT


class AccountClosed(AccountError):
    code = 21479
    message = ACCOUNT_CLOSED


class MainAccountStatusRestricted(AccountError):
    code = 21477
    message = MAIN_ACCOUNT_STATUS


class NotPermitted(AccountError):
    code = 20403


class InvalidStatusTransition(AccountError):
    code = 21475


class InvalidFriendlyName(AccountError):
    code = 20002


def limit_text(limit):
    """1000 -> "1,000", as people write it."""
    return intcomma(limit)
