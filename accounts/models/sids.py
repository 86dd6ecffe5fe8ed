"""Twilio-style SIDs: two letters that say what a thing is, then 32 lowercase hex digits."""

import re
import secrets


def new_sid(prefix):
    return prefix + secrets.token_hex(16)


def sid_is_valid(value, prefix):
    """Whether `value` has the shape of a SID starting with `prefix` (anything else, from a URL
    or a form, is not worth a query: some text, like a NUL character, would even fail one)."""
    return re.fullmatch(prefix + r"[0-9a-fA-F]{32}", value or "") is not None


def new_account_sid():
    return new_sid("AC")


def new_organization_sid():
    return new_sid("OR")


def new_user_sid():
    return new_sid("US")


def new_invitation_sid():
    return new_sid("IV")


def new_ledger_entry_sid():
    return new_sid("LE")


def new_phone_number_sid():
    return new_sid("PN")


def new_event_sid():
    return new_sid("AE")


def new_auth_token():
    return secrets.token_hex(16)


def new_payment_sid():
    return new_sid("PY")


def new_balance_transfer_sid():
    return new_sid("BT")
