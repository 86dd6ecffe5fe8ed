"""Accounts, balances and phone numbers as Twilio's 2010-04-01 JSON: snake_case, RFC 2822 dates
in GMT."""

import datetime
from decimal import Decimal

from ..models.usage import value_text

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

# (key, the path after the account's): every record of a list repeats all twenty.
_SUBRESOURCE_SUFFIXES = [(key, f"/{name}.json") for key, name in SUBRESOURCES]

_CENTS = Decimal("0.01")


# RFC 2822's names, in English whatever the locale (strftime's %a and %b would follow it).
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def rfc2822(moment):
    """The moment as Twilio writes v2010 dates: Thu, 30 Jul 2015 20:00:00 +0000 (what
    email.utils.format_datetime writes for it in UTC, in a few calls instead of a dozen: every
    list row has two dates)."""
    moment = moment.astimezone(datetime.UTC)
    # %-formatting: five times faster here than an f-string's format specs or strftime.
    return "%s, %02d %s %04d %02d:%02d:%02d +0000" % (  # noqa: UP031
        _DAYS[moment.weekday()],
        moment.day,
        _MONTHS[moment.month - 1],
        moment.year,
        moment.hour,
        moment.minute,
        moment.second,
    )


def account_uri(sid):
    return f"{API_ROOT}/Accounts/{sid}.json"


# What account_json reads: a list reads these columns alone (values_list(named=True)), not
# whole accounts; "pk" is for paging.
ACCOUNT_COLUMNS = (
    "pk",
    "sid",
    "friendly_name",
    "status",
    "type",
    "auth_token",
    "date_created",
    "date_updated",
)


def account_json(account, *, owner_account_sid=None):
    """An Account, or a row of ACCOUNT_COLUMNS with the `owner_account_sid` a list knows (its
    subaccounts' parent is the caller)."""
    base = f"{API_ROOT}/Accounts/{account.sid}"
    return {
        "sid": account.sid,
        "owner_account_sid": owner_account_sid or account.owner_account_sid,
        "friendly_name": account.friendly_name,
        "status": account.status,
        "type": account.type,
        "auth_token": account.auth_token,
        "date_created": rfc2822(account.date_created),
        "date_updated": rfc2822(account.date_updated),
        "uri": account_uri(account.sid),
        "subresource_uris": {key: base + suffix for key, suffix in _SUBRESOURCE_SUFFIXES},
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


API_VERSION = "2010-04-01"
HTTP_POST = "POST"


def incoming_phone_number_uri(account_sid, sid):
    return f"{API_ROOT}/Accounts/{account_sid}/IncomingPhoneNumbers/{sid}.json"


# What incoming_phone_number_json reads: a list reads these columns alone (values_list(
# named=True)) and passes the account_sid its numbers share; "pk" is for paging.
NUMBER_COLUMNS = (
    "pk",
    "sid",
    "phone_number",
    "friendly_name",
    "iso_country",
    "voice",
    "sms",
    "mms",
    "date_created",
    "date_updated",
)


def incoming_phone_number_json(number, *, account_sid=None):
    """An IncomingPhoneNumber (or a row of NUMBER_COLUMNS) in Twilio's field order. What the
    console does not model (voice and SMS webhooks, applications, trunks, addresses, bundles,
    emergency calling) has its empty value: null where the description allows it, Twilio's
    default otherwise (POST for methods, and the enums, which are not nullable).
    `number.account` should be selected with the number, unless a list passes the
    `account_sid` all its numbers share; `iso_country` is ours, beyond the description
    (clients ignore extra keys)."""
    account_sid = account_sid or number.account.sid
    return {
        "account_sid": account_sid,
        "address_requirements": "none",
        "address_sid": None,
        "api_version": API_VERSION,
        "beta": False,
        # IncomingPhoneNumber.capabilities, from the columns (a row has no properties).
        "capabilities": {"voice": number.voice, "sms": number.sms, "mms": number.mms, "fax": False},
        "date_created": rfc2822(number.date_created),
        "date_updated": rfc2822(number.date_updated),
        "emergency_status": "Inactive",
        "emergency_address_sid": None,
        "emergency_address_status": "unregistered",
        "friendly_name": number.friendly_name,
        "identity_sid": None,
        "iso_country": number.iso_country,
        "origin": "twilio",
        "phone_number": number.phone_number,
        "sid": number.sid,
        "sms_application_sid": None,
        "sms_fallback_method": HTTP_POST,
        "sms_fallback_url": None,
        "sms_method": HTTP_POST,
        "sms_url": None,
        "status_callback": None,
        "status_callback_method": HTTP_POST,
        "trunk_sid": None,
        "uri": incoming_phone_number_uri(account_sid, number.sid),
        "voice_application_sid": None,
        "voice_caller_id_lookup": False,
        "voice_fallback_method": HTTP_POST,
        "voice_fallback_url": None,
        "voice_method": HTTP_POST,
        "voice_url": None,
        "bundle_sid": None,
        "voice_receive_mode": "voice",
        "status": "in-use",
        "type": None,
    }


# --- Usage Records and Usage Triggers ------------------------------------------------------

# (key in subresource_uris, path segment) of the period lists under Usage/Records.
USAGE_PERIODS = [
    ("all_time", "AllTime"),
    ("daily", "Daily"),
    ("last_month", "LastMonth"),
    ("monthly", "Monthly"),
    ("this_month", "ThisMonth"),
    ("today", "Today"),
    ("yearly", "Yearly"),
    ("yesterday", "Yesterday"),
]


def usage_records_path(account_sid, period=""):
    suffix = f"/{period}" if period else ""
    return f"{API_ROOT}/Accounts/{account_sid}/Usage/Records{suffix}.json"


def as_of_text(moment):
    """Twilio's `as_of`: 2019-06-24T22:32:49+00:00."""
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")


def usage_record_json(figure, *, account_sid, period, as_of):
    """A UsageRecord (a `UsageFigure`) in Twilio's field order. `price` is a JSON number, as
    the description types it."""
    count_unit, usage_unit = figure.units
    query = (
        f"Category={figure.category}&StartDate={figure.start_date.isoformat()}"
        f"&EndDate={figure.end_date.isoformat()}"
    )
    return {
        "account_sid": account_sid,
        "api_version": API_VERSION,
        "as_of": as_of,
        "category": figure.category,
        "count": value_text(figure.count),
        "count_unit": count_unit,
        "description": figure.description,
        "end_date": figure.end_date.isoformat(),
        "price": float(figure.price),
        "price_unit": "usd",
        "start_date": figure.start_date.isoformat(),
        "subresource_uris": {
            key: f"{usage_records_path(account_sid, name)}?Category={figure.category}"
            for key, name in USAGE_PERIODS
        },
        "uri": f"{usage_records_path(account_sid, period)}?{query}",
        "usage": value_text(figure.usage),
        "usage_unit": usage_unit,
    }


def usage_trigger_uri(account_sid, sid):
    return f"{API_ROOT}/Accounts/{account_sid}/Usage/Triggers/{sid}.json"


def usage_trigger_json(trigger):
    """A UsageTrigger; `current_value` must be set on it (selectors.triggers)."""
    account_sid = trigger.account.sid
    return {
        "account_sid": account_sid,
        "api_version": API_VERSION,
        "callback_method": trigger.callback_method,
        "callback_url": trigger.callback_url,
        "current_value": value_text(trigger.current_value),
        "date_created": rfc2822(trigger.date_created),
        "date_fired": rfc2822(trigger.date_fired) if trigger.date_fired else None,
        "date_updated": rfc2822(trigger.date_updated),
        "friendly_name": trigger.friendly_name,
        "recurring": trigger.recurring,
        "sid": trigger.sid,
        "trigger_by": trigger.trigger_by,
        "trigger_value": value_text(trigger.trigger_value),
        "uri": usage_trigger_uri(account_sid, trigger.sid),
        "usage_category": trigger.usage_category,
        "usage_record_uri": f"{usage_records_path(account_sid)}?Category={trigger.usage_category}",
    }


def key_uri(account_sid, sid, resource="Keys"):
    return f"{API_ROOT}/Accounts/{account_sid}/{resource}/{sid}.json"


def key_json(key, *, secret=None):
    """A Key or SigningKey: `secret` only in the answer that created it (NewKey)."""
    body = {
        "sid": key.sid,
        "friendly_name": key.friendly_name,
        "date_created": rfc2822(key.date_created),
        "date_updated": rfc2822(key.date_updated),
    }
    if secret is not None:
        body["secret"] = secret
    return body


def iso8601(moment):
    """The moment as Twilio's v1 APIs write dates, the form the official client parses
    (whole seconds, UTC): 2026-12-01T16:02:38Z."""
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def secondary_auth_token_json(account, *, url):
    created = account.secondary_auth_token_created
    return {
        "account_sid": account.sid,
        "date_created": iso8601(created),
        "date_updated": iso8601(created),
        "secondary_auth_token": account.secondary_auth_token,
        "url": url,
    }


def auth_token_promotion_json(account, *, url):
    created = account.promoted_token_created or account.date_updated
    return {
        "account_sid": account.sid,
        "auth_token": account.auth_token,
        "date_created": iso8601(created),
        "date_updated": iso8601(account.date_updated),
        "url": url,
    }
