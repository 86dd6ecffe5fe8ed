"""Every typed error and message constant of the console, the services and the API.

Each service error carries a message a person can read (the console shows it) and, where
Twilio has one, the matching Twilio error code (the API returns it). Messages are module
constants so tests can assert them.
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


# Money: the ledger, usage, spend caps.
INSUFFICIENT_FUNDS = (
    "The balance (${balance}) does not cover this charge of ${amount}. Add funds first."
)
SPEND_CAP_REACHED = (
    "This charge of ${amount} would take {name} past its monthly spend cap of ${cap} "
    "(${spent} spent this month)."
)
AMOUNT_MUST_BE_POSITIVE = "Enter an amount greater than zero."
AMOUNT_NOT_A_NUMBER = "Enter the amount as a number of dollars, e.g. 12.50."
AMOUNT_TOO_PRECISE = (
    "The ledger keeps amounts to four decimal places ($0.0001): round this amount first."
)
AMOUNT_TOO_LARGE = "This amount is too large: the ledger holds up to $9,999,999,999.9999."
QUANTITY_INVALID = "Enter the usage quantity as a number from 0 to below 10,000,000,000."
AMOUNT_MUST_NOT_BE_ZERO = "An adjustment cannot be zero."
REASON_REQUIRED = "Give a reason: it is kept with the ledger entry."
CLOSED_ACCOUNT_BILLING = "A closed account's balance cannot change."
USAGE_PRICE_NEGATIVE = "A usage price cannot be negative."
USAGE_CATEGORY_UNKNOWN = "Unknown usage category: {category}."
SUPPORT_KIND_NOT_ALLOWED = "Support cannot write {kind} entries by hand."
SPEND_CAP_SUBACCOUNTS_ONLY = "Only subaccounts have a spend cap: a main account holds the balance."
SPEND_CAP_NEGATIVE = "A spend cap cannot be negative. Leave it empty for no cap."


class BillingError(AccountError):
    """A refusal about money: the ledger, a charge, a spend cap."""


# Phone numbers.
NUMBER_NOT_AVAILABLE = "{number} is not available. Search again and pick another number."
TRIAL_NUMBER_LIMIT = (
    "A trial account can hold only one phone number. Release it, or ask support to upgrade "
    "the account."
)
ACCOUNT_NOT_ACTIVE_FOR_NUMBERS = "Phone numbers can only be bought by an active account."
NUMBER_RELEASED = "This phone number has been released."
NOT_YOUR_NUMBER = "No such phone number on this account."
TRANSFER_NOT_PERMITTED = "Only users who manage the main account's numbers can move them."


class TransferTargetNotActive(AccountError):
    code = 21472
    message = "The account to transfer the number to is not an active account."


class TransferTargetUnrelated(AccountError):
    code = 21473
    message = (
        "The account to transfer the number to is neither the parent nor a subaccount of the "
        "number's main account."
    )


class TransferNotByParent(AccountError):
    code = 21474
    message = "Only the parent account can transfer phone numbers."


class NumberError(AccountError):
    """A refusal about a phone number; subclasses carry Twilio's code for each case."""

    code = 21422


class NumberNotAvailable(NumberError):
    code = 21422


class TrialNumberLimit(NumberError):
    code = 21404
    message = TRIAL_NUMBER_LIMIT


class AccountNotActiveForNumbers(NumberError):
    code = 20005
    message = ACCOUNT_NOT_ACTIVE_FOR_NUMBERS


class NumberReleased(NumberError):
    code = 20404
    message = NUMBER_RELEASED


# Console forms.
CONTAINS_INVALID = "Search with digits only, e.g. 415 or 555-01."
PHONE_NUMBER_REQUIRED = "Choose a number to buy."
TRANSFER_TARGET_REQUIRED = "Choose the account to move this number to."
DATE_INVALID = "Enter a date as YYYY-MM-DD."
START_REQUIRED = "Enter a start date."
END_REQUIRED = "Enter an end date."
RANGE_REVERSED = "The start date must be on or before the end date."
CHOOSE_NEW_OWNER = "Choose the member who becomes the owner."
CHOOSE_ACCOUNT_TO_IMPORT = "Choose one of your own personal main accounts."
CHOOSE_STATUS_ACTION = "Choose suspend, reactivate or close."
CHOOSE_SUBACCOUNTS = "Select at least one subaccount, or all that match the filters."
NOT_A_SUBACCOUNT_OF = "{sid} is not a subaccount of this account."
CONFIRM_NAME_REQUIRED = "Type the account's name to confirm."
CONFIRM_NAME_MISMATCH = "The name you typed is not this account's name: type {name} exactly."
EMAIL_TAKEN = "An account with this email already exists. Sign in instead."
SIGN_IN_INVALID = "That email and password do not match an account. Check them and try again."
SIGN_IN_THROTTLED = (
    "Too many failed attempts to sign in with this email. Wait 15 minutes, or reset your password."
)


# The REST API's own refusals (the services' errors carry their own codes).
API_AUTHENTICATE = "Authenticate"
API_METHOD_NOT_ALLOWED = "Method not allowed"
API_NOT_FOUND = "The requested resource {path} was not found"
API_MALFORMED_REQUEST = (
    "The request could not be read. Send parameters form-encoded "
    "(application/x-www-form-urlencoded)."
)
API_PAGE_SIZE_INVALID = "PageSize must be a whole number from 1 to {maximum} (got '{value}')."
API_PAGE_INVALID = "Page must be a whole number, 0 or more (got '{value}')."
API_PAGE_NEEDS_TOKEN = (
    "Page {page} needs a PageToken: follow next_page_uri from the previous page as it is."
)
API_PAGE_TOKEN_INVALID = (
    "PageToken is not valid. Follow next_page_uri or previous_page_uri exactly as returned."
)
API_STATUS_SET_BY_PARENT_ONLY = (
    "A subaccount's status can only be changed with its parent account's credentials."
)
API_PHONE_NUMBER_REQUIRED = "PhoneNumber is required: give PhoneNumber (E.164) or AreaCode."
API_PHONE_NUMBER_INVALID = (
    "PhoneNumber '{value}' is not valid: use E.164, a + then the country code and number "
    "(+14155550100)."
)
API_NUMBER_NOT_AVAILABLE = "PhoneNumber {number} is not available."
API_AREA_CODE_INVALID = "AreaCode '{value}' is not a US or Canadian area code."
API_AREA_CODE_EMPTY = "No phone numbers found in area code {area_code}."
API_DATE_INVALID = (
    "{name} must be a date and time in ISO 8601, e.g. 2026-12-01T16:02:38Z (got '{value}')."
)
API_SID_INVALID = "{name} must be a SID like {example} (got '{value}')."

# Codes of the errors the API raises itself.
API_UNAUTHENTICATED = 20003
API_METHOD_NOT_ALLOWED_CODE = 20004
API_NOT_FOUND_CODE = 20404
API_INVALID_PARAMETER = 20001
API_INVALID_PAGE_SIZE = 20007
API_INVALID_PAGE_TOKEN = 21481
API_ACCOUNTS_RESOURCE = 21100  # Twilio's generic "Accounts resource" error
API_PHONE_NUMBER_INVALID_CODE = 21421
API_NUMBER_NOT_AVAILABLE_CODE = 21422
API_AREA_CODE_INVALID_CODE = 21451
API_AREA_CODE_EMPTY_CODE = 21452
API_ACCOUNT_NOT_ACTIVE_CODE = 20005


class ApiError(Exception):
    """A refusal the API raises itself (bad parameters, missing resource)."""

    def __init__(self, code, message, status=400):
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
