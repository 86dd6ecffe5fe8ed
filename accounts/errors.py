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
PARENT_SUSPENDED = "This subaccount's status cannot change while its parent account is suspended."
SUSPENDED_BY_SUPPORT = "This account was suspended by support. Only support can change its status."
ACCOUNT_CLOSED = "This account is closed. A closed account cannot be changed or re-opened."
MAIN_ACCOUNT_STATUS = (
    "Only subaccounts can be suspended or reactivated here. "
    "Contact support about the main account's status."
)
ONLY_OWNER_CAN_CLOSE = "Only the account's owner can close it."
ALREADY_IN_STATUS = "This account is already {status}."
FRIENDLY_NAME_REQUIRED = "Enter a friendly name."
FRIENDLY_NAME_NUL = "A friendly name cannot contain NUL characters."
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


# People: roles, invitations, organizations.
ALREADY_A_MEMBER = "{email} is already a user of this account."
ALREADY_AN_ORGANIZATION_MEMBER = "{email} is already a member of this organization."
ALREADY_INVITED = "{email} already has a pending invitation. Resend it instead."
ROLES_REQUIRED = "Choose at least one role."
ROLES_EXCLUSIVE = "{role} cannot be combined with other roles."
ROLE_UNKNOWN = "Unknown role: {role}."
OWNER_ROLE_NOT_ASSIGNABLE = (
    "The owner role cannot be given this way: the owner transfers ownership instead."
)
OWNER_CANNOT_BE_CHANGED = (
    "The owner's role cannot be changed or removed. Transfer ownership to another user first."
)
NOT_A_MEMBER = "{email} is not a user of this account."
ONLY_OWNER_CAN_TRANSFER = "Only the owner can transfer ownership."
TRANSFER_TO_MEMBER_ONLY = "Ownership can only be transferred to an existing user of the account."
TRANSFER_TO_ORGANIZATION_MEMBER_ONLY = (
    "This account belongs to an organization: its owner must be a member of the organization. "
    "Invite them to the organization first."
)
SUBACCOUNT_OWNERSHIP = "Subaccounts cannot have separate owners; they share their parent's."
INVITATION_INVALID = "This invitation link is not valid. Ask for a new invitation."
INVITATION_EXPIRED = "This invitation has expired. Ask the person who invited you to resend it."
INVITATION_USED = "This invitation has already been used."
INVITATION_REVOKED = "This invitation was revoked."
INVITATION_WRONG_USER = (
    "This invitation was sent to {email}. Sign in with that email address to accept it."
)
INVITATION_NOT_PENDING = "Only a pending invitation can be resent or revoked."
ORGANIZATION_OWNER_ONLY = "Only the organization's owner can do this."
ORGANIZATION_ADMIN_ONLY = "Only the organization's owner or administrators can do this."
ORGANIZATION_OWNER_CANNOT_BE_REMOVED = (
    "The organization's owner cannot be removed or demoted. Transfer ownership first."
)
ORGANIZATION_TRANSFER_TO_MEMBER_ONLY = (
    "Organization ownership can only be transferred to an existing member."
)
ACCOUNT_ALREADY_IN_ORGANIZATION = "This account is already in an organization."
IMPORT_MAIN_ACCOUNTS_ONLY = (
    "Only main accounts can be moved into an organization; a subaccount goes with its parent."
)
MEMBER_OWNS_ACCOUNTS = (
    "{email} owns {count} account(s) in this organization. Transfer their ownership to another "
    "member before removing them."
)
IMPORT_NEEDS_ACCOUNT_OWNER = "Only the account's owner can move it into an organization."
ORGANIZATION_NAME_REQUIRED = "Enter a name for the organization."


class PeopleError(AccountError):
    """A refusal about users, roles, invitations or organizations."""


class InvitationError(PeopleError):
    pass
