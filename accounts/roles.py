"""Roles as data: each role on an account is a set of scopes, and code asks for a scope.

Follows Twilio's user-role table (Owner, Administrator, Developer, Billing Manager, Support).
Owner and Administrator are exclusive; Developer, Billing Manager and Support combine.
"""

OWNER = "owner"
ADMINISTRATOR = "administrator"
DEVELOPER = "developer"
BILLING_MANAGER = "billing_manager"
SUPPORT = "support"

ROLE_CHOICES = [
    (OWNER, "Owner"),
    (ADMINISTRATOR, "Administrator"),
    (DEVELOPER, "Developer"),
    (BILLING_MANAGER, "Billing Manager"),
    (SUPPORT, "Support"),
]
# What each role may do, in the words shown where roles are chosen (Twilio's role table).
ROLE_DESCRIPTIONS = {
    OWNER: "Everything, including closing the account and handing it to someone else. "
    "An account has exactly one owner.",
    ADMINISTRATOR: "Everything but closing the account and transferring ownership: users, "
    "billing, settings, subaccounts, phone numbers and API credentials. Not combined with "
    "other roles.",
    DEVELOPER: "API credentials, phone numbers, logs and usage.",
    BILLING_MANAGER: "The balance, billing and spend caps, logs and usage.",
    SUPPORT: "Logs and usage, to read.",
}
EXCLUSIVE_ROLES = frozenset({OWNER, ADMINISTRATOR})
COMBINABLE_ROLES = frozenset({DEVELOPER, BILLING_MANAGER, SUPPORT})

# Scopes the code asks for.
ACCOUNT_READ = "account:read"
ACCOUNT_SETTINGS = "account:settings"  # rename, project settings
ACCOUNT_CLOSE = "account:close"
ACCOUNT_TRANSFER = "account:transfer"
CREDENTIALS_READ = "credentials:read"  # the auth token, the list of API keys (never a secret)
CREDENTIALS_WRITE = "credentials:write"  # create, rename and revoke keys; rotate auth tokens
BILLING_READ = "billing:read"
BILLING_WRITE = "billing:write"  # spend caps, own balances and transfers within the family
# Paying: adding funds, the upgrade's first payment, auto-recharge. It spends the owner's
# money, so Owners and Billing Managers have it, not Administrators (issue 13).
PAYMENTS_WRITE = "payments:write"
PHONE_NUMBERS_WRITE = "phone_numbers:write"
PHONE_NUMBERS_TRANSFER = "phone_numbers:transfer"  # between a main account and its subaccounts
USAGE_READ = "usage:read"
# Usage triggers: alerts on spend, with a callback URL that receives the account's usage. They
# are billing tools: Billing Managers, Administrators and Owners see and manage them; a
# Developer or Support user does not (the callback URL is where the account's usage goes, and
# a trigger calls out of the platform on the account's behalf).
USAGE_TRIGGERS_READ = "usage_triggers:read"
USAGE_TRIGGERS_WRITE = "usage_triggers:write"
LOGS_READ = "logs:read"
ACTIVITY_READ = "activity:read"  # the activity log: who changed what, from where
USERS_WRITE = "users:write"
SUBACCOUNTS_READ = "subaccounts:read"
SUBACCOUNTS_WRITE = "subaccounts:write"

_EVERYONE = {ACCOUNT_READ, USAGE_READ, LOGS_READ, SUBACCOUNTS_READ}
ROLE_SCOPES = {
    DEVELOPER: frozenset(_EVERYONE | {CREDENTIALS_READ, PHONE_NUMBERS_WRITE}),
    BILLING_MANAGER: frozenset(
        _EVERYONE | {BILLING_READ, BILLING_WRITE, USAGE_TRIGGERS_READ, USAGE_TRIGGERS_WRITE}
    ),
    SUPPORT: frozenset(_EVERYONE | {ACTIVITY_READ}),
}
ROLE_SCOPES[BILLING_MANAGER] |= {PAYMENTS_WRITE}
ROLE_SCOPES[ADMINISTRATOR] = frozenset(
    ROLE_SCOPES[DEVELOPER]
    | (ROLE_SCOPES[BILLING_MANAGER] - {PAYMENTS_WRITE})
    | {
        ACCOUNT_SETTINGS,
        USERS_WRITE,
        SUBACCOUNTS_WRITE,
        PHONE_NUMBERS_TRANSFER,
        ACTIVITY_READ,
        CREDENTIALS_WRITE,
    }
)
ROLE_SCOPES[OWNER] = frozenset(
    ROLE_SCOPES[ADMINISTRATOR] | {ACCOUNT_CLOSE, ACCOUNT_TRANSFER, PAYMENTS_WRITE}
)

# The parent's powers over a subaccount: on a subaccount these scopes come only from a role on
# its main account (or its organization), as the API lets only the parent's credentials change a
# subaccount's status. A role on the subaccount alone cannot lift the cap the parent set on its
# spending, close it, or move its numbers.
PARENT_SCOPES = frozenset(
    {SUBACCOUNTS_WRITE, BILLING_WRITE, PHONE_NUMBERS_TRANSFER, PAYMENTS_WRITE}
)


def scopes_for(roles):
    """The union of the scopes of the given role names."""
    scopes = set()
    for role in roles:
        scopes |= ROLE_SCOPES.get(role, frozenset())
    return frozenset(scopes)


def role_label(role):
    return dict(ROLE_CHOICES).get(role, role)
