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
TRIAL_SUBACCOUNT_LIMIT_REACHED = (
    "A trial account can have one subaccount (closed ones do not count). Upgrade the account "
    "to create more."
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
ACCOUNT_TYPE_UNKNOWN = "An account is Trial or Full (not '{type}')."


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


# People: sign-ups, roles, invitations, organizations.
EMAIL_TAKEN = "An account with this email already exists. Sign in instead."
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
TRANSFER_OWNER_ACCOUNT_LIMIT = (
    "{email} has reached their limit of {limit} accounts. Ask support to raise it, or hand "
    "the account to someone else."
)
TRANSFER_TO_ORGANIZATION_MEMBER_ONLY = (
    "This account belongs to an organization: its owner must be a member of the organization. "
    "Invite them to the organization first."
)
SUBACCOUNT_OWNERSHIP = "Subaccounts cannot have separate owners; they share their parent's."
INVITATION_INVALID = "This invitation link is not valid. Ask for a new invitation."
INVITATION_EXPIRED = "This invitation has expired. Ask the person who invited you to resend it."
INVITATION_USED = "This invitation has already been used."
INVITATION_REVOKED = "This invitation was revoked."
INVITATION_ACCOUNT_CLOSED = "This invitation is to an account that has been closed."
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


class EmailTaken(PeopleError):
    """Someone already signed up with this email (perhaps a moment ago, in parallel)."""

    message = EMAIL_TAKEN


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
USAGE_AFTER_CLOSURE = "{name} was closed on {closed_on}: usage after its closure is not charged."
SUPPORT_KIND_NOT_ALLOWED = "Support cannot write {kind} entries by hand."
SPEND_CAP_SUBACCOUNTS_ONLY = "Only subaccounts have a spend cap: a main account holds the balance."
SPEND_CAP_NEGATIVE = "A spend cap cannot be negative. Leave it empty for no cap."
SPEND_CAP_SHARED_BALANCE_ONLY = (
    "A spend cap limits what a subaccount spends of its parent's balance: this subaccount has "
    "its own balance, which is its limit."
)


class BillingError(AccountError):
    """A refusal about money: the ledger, a charge, a spend cap."""


# Trials and upgrading. Twilio's codes: 21404 for a trial account's one-number limit, 10002
# ("Trial account does not support this feature") for a trial subaccount buying a number, and
# 21480 (the subaccount limit) for a trial account's second subaccount: Twilio documents the
# one-subaccount rule but no code of its own for it, so the limit's code is the one it gets.
TRIAL_NUMBER_LIMIT = (
    "A trial account can hold only one phone number, counting its subaccount's. Release it, "
    "or upgrade the account."
)
TRIAL_SUBACCOUNT_NUMBERS = (
    "A trial account's subaccounts cannot have phone numbers. Upgrade the parent account first."
)
TRIAL_OWN_BALANCE = (
    "A trial account's subaccounts share its balance. Upgrade the account to give a subaccount "
    "its own."
)
TRIAL_ADD_FUNDS = (
    "A trial account adds funds by upgrading: its first payment makes it a Full account."
)
ALREADY_FULL = "This account is already a Full account."
UPGRADE_MAIN_ACCOUNTS_ONLY = "Only a main account is upgraded; its subaccounts follow it."
UPGRADE_PENDING = (
    "A first payment of ${amount} is already waiting for approval: the account is upgraded as "
    "soon as support approves it."
)
BILLING_FIELD_REQUIRED = "Enter the {field}."
BILLING_FIELD_TOO_LONG = "The {field} can be at most {limit} characters."
BILLING_EMAIL_INVALID = "Enter the billing email as an address, e.g. billing@example.com."
BILLING_COUNTRY_INVALID = "Enter the country as its two-letter ISO code, e.g. US."


class TrialRestriction(BillingError):
    """Something a trial account cannot do (Twilio's 10002)."""

    code = 10002


# Payments.
PAYMENT_AMOUNT_RANGE = "Enter an amount from ${minimum} to ${maximum}."
PAYMENT_AMOUNT_CENTS = "Enter the amount in dollars and cents, e.g. 25.00."
PAYMENT_MAIN_ACCOUNTS_ONLY = (
    "Payments go to a main account's balance. A subaccount with its own balance is funded by "
    "transfers from its parent."
)
PAYMENT_NOT_PENDING = "This payment is no longer pending: it {status}."
PAYMENT_NOT_FOR_SUPPORT = (
    "This payment was taken by the {backend} payments backend: support does not approve or "
    "decline it."
)
PAYMENT_SUPPORT_ONLY = "Only support staff approve or decline payments."
PAYMENT_OWN_REQUEST = "Support staff cannot approve a payment they asked for themselves."
PAYMENT_SECOND_APPROVER = (
    "Four eyes: a payment over ${threshold} needs a second approval by a different staff "
    "member. You approved it already."
)
PAYMENT_FAILED = "The payment of ${amount} did not go through: {message}"
PAYMENT_DECLINED = "Declined by support: {reason}"
AUTO_RECHARGE_BOTH = (
    "Enter both the threshold and the amount to add, or neither to turn auto-recharge off."
)
AUTO_RECHARGE_THRESHOLD_RANGE = "The threshold must be an amount from $0 to ${maximum}."
AUTO_RECHARGE_MAIN_ACCOUNTS_ONLY = "Auto-recharge is set on a main account's balance."
AUTO_RECHARGE_TRIAL = "Auto-recharge starts once the account is upgraded to Full."
AUTO_RECHARGE_FAILED = (
    "Auto-recharge of ${amount} did not go through on {date}: {message} The balance is ${balance}."
)


class PaymentError(BillingError):
    """A refusal about a payment."""


# Own balances and transfers.
OWN_BALANCE_SUBACCOUNTS_ONLY = (
    "Only subaccounts choose their balance: a main account always holds its own."
)
OWN_BALANCE_ALREADY = (
    "This subaccount already has its own balance. The choice is one-way: it cannot go back to "
    "sharing its parent's."
)
TRANSFER_NOT_IN_FAMILY = "Transfers go between a main account and one of its own subaccounts."
TRANSFER_NEEDS_OWN_BALANCE = (
    "{name} shares its parent's balance: give it its own balance first (its Settings page)."
)
TRANSFER_SOURCE_NOT_ACTIVE = "{name} is {status}: money cannot be transferred from it."
TRANSFER_TARGET_CLOSED = "{name} is closed: money cannot be transferred to it."
TRANSFER_CANNOT_PAY = (
    "{name}'s balance (${balance}) cannot pay a transfer of ${amount}. Transfer less, or add "
    "funds first."
)
TRANSFER_ALREADY_REVERSED = "This transfer was already reversed ({sid})."
TRANSFER_REVERSAL_FINAL = "A reversal cannot be reversed itself: make a new transfer instead."
CLOSE_WITH_OWN_BALANCE = (
    "{name} still holds ${balance} of its own. Close it in the console, which returns its "
    "balance to its parent, or transfer the balance first."
)
CLOSE_DEBT_UNCOVERED = (
    "{name} owes ${debt}, which its parent's balance (${balance}) cannot cover. Add funds first."
)


class TransferError(BillingError):
    """A refusal about a subaccount's own balance or a transfer."""


# Automatic deletion of closed subaccounts.
AUTO_DELETION_MAIN_ACCOUNTS_ONLY = (
    "Automatic deletion of closed subaccounts is chosen on the main account."
)
DELETE_NOT_CLOSED = "Only a closed subaccount can be deleted."
DELETE_NOT_A_SUBACCOUNT = "Only subaccounts are deleted; a main account stays, closed."
DELETE_BALANCE_LEFT = "{name} still holds ${balance}: it is kept until that is settled."


class DeletionError(AccountError):
    """A refusal to delete a closed subaccount."""


# Usage triggers.
TRIGGER_CALLBACK_URL_REQUIRED = "Enter the callback URL the trigger calls when it fires."
TRIGGER_CALLBACK_URL_INVALID = (
    "The callback URL must be a full http:// or https:// URL, such as "
    "https://example.com/usage (got '{value}')."
)
TRIGGER_CALLBACK_URL_TOO_LONG = "The callback URL can be at most {limit} characters."
TRIGGER_CALLBACK_URL_PRIVATE = (
    "The callback URL must be reachable on the public internet: {host} is a private, "
    "loopback or link-local address."
)
TRIGGER_CALLBACK_METHOD_INVALID = "The callback method must be GET or POST (got '{value}')."
TRIGGER_VALUE_REQUIRED = "Enter the value at which the trigger fires."
TRIGGER_VALUE_INVALID = (
    "The trigger value must be a number of at least 0, or an offset from the current value "
    "such as +30 (got '{value}')."
)
TRIGGER_CATEGORY_UNKNOWN = "'{value}' is not a usage category."
TRIGGER_RECURRING_INVALID = "Recurring must be daily, monthly, yearly or alltime (got '{value}')."
TRIGGER_BY_INVALID = "TriggerBy must be count, usage or price (got '{value}')."
TRIGGER_ACCOUNT_CLOSED = "A closed account cannot have usage triggers."
TRIGGER_FRIENDLY_NAME_TOO_LONG = "A friendly name can be at most 64 characters (it has {length})."


class UsageTriggerError(AccountError):
    """A refusal about a usage trigger (Twilio's 20001: a parameter is not valid)."""

    code = 20001


# Phone numbers.
NUMBER_NOT_AVAILABLE = "{number} is not available. Search again and pick another number."
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


# Buying by area code (the API's AreaCode) and loading the inventory.
AREA_CODE_INVALID = "AreaCode '{value}' is not a US or Canadian area code."
AREA_CODE_SOLD_OUT = "No phone numbers found in area code {area_code}."
INVENTORY_PRICE_INVALID = (
    "The monthly price must be an amount from $0 to $9,999.9999 (got '{value}')."
)


class AreaCodeInvalid(NumberError):
    code = 21451


class AreaCodeSoldOut(NumberError):
    code = 21452


# Credentials: API keys and auth tokens.
KEY_TYPE_UNKNOWN = "Choose a Standard or a Main key."
KEY_ACCOUNT_CLOSED = "A closed account's credentials cannot change."
NO_SECONDARY_AUTH_TOKEN = "This account has no secondary auth token."
KEY_SECRET_SHOWN_ONCE = (
    "Copy the secret now: it is shown only this once. Anyone with the SID and secret can use "
    "the API as this account."
)


class CredentialsError(AccountError):
    """A refusal about an account's API keys or auth tokens."""


class CredentialsAccountClosed(CredentialsError):
    code = 20005
    message = KEY_ACCOUNT_CLOSED


class NoSecondaryAuthToken(CredentialsError):
    code = 20404
    status = 404  # the API's answer: the Secondary resource does not exist
    message = NO_SECONDARY_AUTH_TOKEN


# Console forms.
CONTAINS_INVALID = "Search with digits only, e.g. 415 or 555-01."
PHONE_NUMBER_REQUIRED = "Choose a number to buy."
TRANSFER_TARGET_REQUIRED = "Choose the account to move this number to."
TRANSFER_SUBACCOUNT_REQUIRED = "Choose a subaccount with its own balance."
DATE_INVALID = "Enter a date as YYYY-MM-DD."
START_REQUIRED = "Enter a start date."
END_REQUIRED = "Enter an end date."
RANGE_REVERSED = "The start date must be on or before the end date."
ACTIVITY_ACTOR_INVALID = (
    "Enter the actor's SID: US… for a console user, AC… for API credentials, SK… for an API key."
)
ACTIVITY_RESOURCE_INVALID = (
    "Enter a resource SID: two letters and 32 hexadecimal digits, such as AC… or PN…."
)
ACTIVITY_ACCOUNT_INVALID = "Choose this account or one of its subaccounts."
CHOOSE_NEW_OWNER = "Choose the member who becomes the owner."
CHOOSE_ACCOUNT_TO_IMPORT = "Choose one of your own personal main accounts."
CHOOSE_STATUS_ACTION = "Choose suspend, reactivate or close."
CHOOSE_SUBACCOUNTS = "Select at least one subaccount, or all that match the filters."
NOT_A_SUBACCOUNT_OF = "{sid} is not a subaccount of this account."
CONFIRM_NAME_REQUIRED = "Type the account's name to confirm."
CONFIRM_NAME_MISMATCH = "The name you typed is not this account's name: type {name} exactly."
SIGN_IN_INVALID = "That email and password do not match an account. Check them and try again."
# The console's error pages.
PAGE_BAD_REQUEST = (
    "Your browser sent a request that the console could not read. Go back and try again."
)
PAGE_CHARSET_UNREADABLE = (
    "The request names a character set that cannot be read. Send it in UTF-8, as browsers do."
)
PAGE_TOO_LARGE = "The request is too large for the console to read. Send less at once."
PAGE_SERVER_ERROR = (
    "The console could not answer this request. The error has been logged: try again in a moment."
)
PAGE_SERVICE_UNAVAILABLE = (
    "The console cannot reach its database right now. Whatever this request was to change "
    "has not changed: try again in a few seconds."
)
TWO_FACTOR_REQUIRED = (
    "Set up two-factor authentication to continue: an account or organization you belong to "
    "requires it."
)
TWO_FACTOR_NEEDED_FOR_ADMIN = (
    "Support staff need two-factor authentication for the admin. Set it up first."
)
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
API_FORM_NOT_UTF8 = (
    "The request could not be read: send form parameters in UTF-8 "
    "(Content-Type: application/x-www-form-urlencoded; charset=utf-8)."
)
API_CHARSET_UNREADABLE = (
    "The request could not be read: its Content-Type names a charset that cannot read form "
    "parameters. Send them in UTF-8."
)
API_CONTENT_TYPE_INVALID = "The request could not be read: its Content-Type header is malformed."
API_REQUEST_TOO_LARGE = "The request is too large: the API reads at most {limits}."
API_SERVER_ERROR = "An internal server error occurred. Try again later."
API_SERVICE_UNAVAILABLE = (
    "The service is temporarily unavailable. Try again in a few seconds, with back-off."
)
API_PAGE_SIZE_INVALID = "PageSize must be a whole number from 1 to {maximum} (got '{value}')."
API_PAGE_INVALID = "Page must be a whole number, 0 or more (got '{value}')."
API_PAGE_NEEDS_TOKEN = (
    "Page {page} needs a PageToken: follow the previous page's next page link "
    "(next_page_uri, or meta.next_page_url in v1 APIs) as it is."
)
API_PAGE_TOKEN_INVALID = (
    "PageToken is not valid. Follow the next or previous page link (next_page_uri, or "
    "meta.next_page_url in v1 APIs) exactly as returned."
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
API_AREA_CODE_INVALID = AREA_CODE_INVALID
API_AREA_CODE_EMPTY = AREA_CODE_SOLD_OUT
API_DATE_INVALID = (
    "{name} must be a date and time in ISO 8601, e.g. 2026-12-01T16:02:38Z (got '{value}')."
)
API_SID_INVALID = "{name} must be a SID like {example} (got '{value}')."
API_DATE_RANGE_REVERSED = "StartDate must be on or before EndDate."
API_IP_ADDRESS_INVALID = "SourceIpAddress must be an IPv4 or IPv6 address (got '{value}')."
API_PARAMETER_TOO_LONG = "{name} can be at most {limit} characters."

API_USAGE_DATE_INVALID = (
    "{name} must be a date as YYYY-MM-DD (GMT) or an offset from today such as -30days "
    "(got '{value}')."
)
API_USAGE_RANGE_REVERSED = "EndDate ({end}) must be on or after StartDate ({start})."
API_USAGE_CATEGORY_UNKNOWN = "Category '{value}' is not a usage category."
API_BOOLEAN_INVALID = "{name} must be true or false (got '{value}')."
API_STANDARD_KEY_REFUSED = (
    "Authenticate: a Standard API key cannot manage Accounts, Keys or auth tokens. Use a Main "
    "key or the account's auth token."
)

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
API_REQUEST_TOO_LARGE_CODE = 20413  # Twilio's "Request Entity Too Large"
API_SERVER_ERROR_CODE = 20500  # Twilio's "Internal Server Error"
API_SERVICE_UNAVAILABLE_CODE = 20503  # Twilio's "Service unavailable"


class ApiError(Exception):
    """A refusal the API raises itself (bad parameters, missing resource)."""

    def __init__(self, code, message, status=400):
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
