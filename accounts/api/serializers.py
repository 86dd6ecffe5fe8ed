"""Accounts and balances as Twilio's 2010-04-01 JSON: snake_case, RFC 2822 dates in GMT."""

import datetime
from decimal import Decimal
from email.utils import format_datetime

API_ROOT = "/2010-04-01"
CURRENCY = "USD"

# Twilio's subresource names, in the order of its own responses. Most are not served here;
# they are listed because clients expect the map to be complete.
SUBRESOURCES = [
    ("available_phone_numbers", "AvailablePhoneNumbers"),
    ("calls", "Calls"),
    ("conferences", "Conferences"),
    ("incoming_phone_numbers", "IncomingPhoneNumbers"),
    ("notifications", "Notifications"),
    ("outgoing_caller_ids", "OutgoingCallerIds"),
    ("recordings", "Recordings"),
    ("transcriptions", "Transcriptions"),
    ("addresses", "Addresses"),
    ("signing_keys", "SigningKeys"),
    ("connect_apps", "ConnectApps"),
    ("sip", "SIP"),
    ("authorized_connect_apps", "AuthorizedConnectApps"),
    ("usage", "Usage"),
    ("keys", "Keys"),
    ("applications", "Applications"),
    ("short_codes", "SMS/ShortCodes"),
    ("queues", "Queues"),
    ("messages", "Messages"),
    ("balance", "Balance"),
]

_CENTS = Decimal("0.01")


def rfc2822(moment):
    """The moment as Twilio writes v2010 dates: Thu, 30 Jul 2015 20:00:00 +0000."""
    return format_datetime(moment.astimezone(datetime.UTC))


def account_uri(sid):
    return f"{API_ROOT}/Accounts/{sid}.json"


def account_json(account):
    base = f"{API_ROOT}/Accounts/{account.sid}"
    return {
        "sid": account.sid,
        "owner_account_sid": account.owner_account_sid,
        "friendly_name": account.friendly_name,
        "status": account.status,
        "type": account.type,
        "auth_token": account.auth_token,
        "date_created": rfc2822(account.date_created),
        "date_updated": rfc2822(account.date_updated),
        "uri": account_uri(account.sid),
        "subresource_uris": {key: f"{base}/{name}.json" for key, name in SUBRESOURCES},
    }


def balance_text(amount):
    """Two decimals, or more when the amount has them: 12.5 -> "12.50", 0.0512 -> "0.0512"."""
    amount = amount.normalize()
    if amount.as_tuple().exponent >= -2:
        amount = amount.quantize(_CENTS)
    return f"{amount:f}"


def balance_json(account):
    """The balance `account` spends. A subaccount has none of its own: it spends its
    parent's, so it reports the parent's balance under its own SID."""
    return {
        "account_sid": account.sid,
        "balance": balance_text(account.shared_balance),
        "currency": CURRENCY,
    }
