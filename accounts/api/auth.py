"""HTTP Basic authentication, and the wrapper every API view uses.

Credentials are `AccountSid:AuthToken` (the primary token, or the secondary one while it
exists) or an API key, `SKxxx:secret`. The API is stateless: no session, no CSRF token, no
cookies. Credentials come with every request and identify the calling account ("the
caller"); with a key, the caller is the key's account, and:

- a Main key may do whatever the account's auth token may (its subaccounts included);
- a Standard key reaches only its own account (the account in the path must be the key's),
  and not the Accounts, Keys or AuthTokens resources (`api_view(..., standard_keys=False)`);
- a subaccount's key, either type, reaches only that subaccount.
Every refusal is 20003 (401), as Twilio answers credentials that do not fit the request.
"""

import base64
import binascii
import dataclasses
import functools
import hmac
import re

from django.core.exceptions import (
    BadRequest,
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.http import Http404, UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from django.views.decorators.csrf import csrf_exempt

from .. import errors
from ..models import Account, ApiKey
from ..models.keys import key_secret_hash
from ..selectors import accounts as account_selectors
from ..services.credentials import key_touch
from ..services.events import Actor
from . import errors as responses

ACCOUNT_SID_RE = re.compile(r"AC[0-9a-fA-F]{32}")
KEY_SID_RE = re.compile(r"SK[0-9a-fA-F]{32}")

# Compared against when the SID is unknown (or there is no secondary token), so that an
# unknown SID costs the same as a wrong secret.
_UNKNOWN_ACCOUNT_TOKEN = b"0" * 32
_UNKNOWN_KEY_HASH = "0" * 64

# The URL parameter that names the account in the path (…/Accounts/{AccountSid}/…).
PATH_ACCOUNT = "account_sid"


@dataclasses.dataclass(frozen=True)
class Credential:
    """Who authenticated: the calling account, and the API key if one was used."""

    account: Account
    key: ApiKey | None = None

    @property
    def is_standard_key(self):
        return self.key is not None and not self.key.is_main


def _basic_credentials(request):
    """(username, password) from the Authorization header, or None."""
    scheme, _, encoded = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "basic" or not encoded:
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    username, separator, password = decoded.partition(":")
    if not separator:
        return None
    return username, password


def _may_use_api(account):
    """Only an active account (and, for a subaccount, an active parent) may use the API."""
    return account.is_active and not (account.parent_id and not account.parent.is_active)


def _token_authenticate(sid, token):
    account = None
    if ACCOUNT_SID_RE.fullmatch(sid):
        # Every column of both: views and services use the caller as any account.
        account = account_selectors.account_and_parent_by_sid(sid)
    given = token.encode()
    primary = account.auth_token.encode() if account else _UNKNOWN_ACCOUNT_TOKEN
    secondary = (
        account.secondary_auth_token.encode()
        if account and account.secondary_auth_token
        else _UNKNOWN_ACCOUNT_TOKEN
    )
    # Both comparisons, always: the time taken says nothing about which token matched.
    matches_primary = hmac.compare_digest(given, primary)
    matches_secondary = hmac.compare_digest(given, secondary)
    if account is None:
        return None
    if not (matches_primary or (matches_secondary and account.secondary_auth_token)):
        return None
    return Credential(account)


def _key_authenticate(sid, secret):
    key = None
    if KEY_SID_RE.fullmatch(sid):
        key = next(
            iter(ApiKey.objects.select_related("account__parent").filter(sid=sid).order_by()[:1]),
            None,
        )
    matches = hmac.compare_digest(
        key_secret_hash(secret), key.secret_hash if key else _UNKNOWN_KEY_HASH
    )
    if key is None or not matches:
        return None
    return Credential(key.account, key)


def credentials_authenticate(request):
    """The Credential for the request's Basic credentials, or None."""
    credentials = _basic_credentials(request)
    if credentials is None:
        return None
    username, password = credentials
    if username[:2].upper() == "SK":
        credential = _key_authenticate(username, password)
    else:
        credential = _token_authenticate(username, password)
    if credential is None or not _may_use_api(credential.account):
        return None
    return credential


def account_authenticate(request):
    """The calling account for the request's Basic credentials, or None."""
    credential = credentials_authenticate(request)
    return credential.account if credential else None


def _read_parameters(request):
    """Parse the query string and form body up front, so that a malformed one is a Twilio
    400 here rather than an HTML error page wherever a view first touches it."""
    request.GET  # noqa: B018
    if request.method == "POST":
        request.POST  # noqa: B018


def _key_refusal(credential, kwargs, standard_keys):
    """The 401 for a Standard key asking for more than its own account, or None."""
    if not credential.is_standard_key:
        return None
    if not standard_keys:
        return responses.unauthenticated_response(errors.API_STANDARD_KEY_REFUSED)
    path_account = kwargs.get(PATH_ACCOUNT)
    if path_account is not None and path_account != credential.account.sid:
        return responses.unauthenticated_response()
    return None


def api_view(*methods, standard_keys=True):
    """Wrap a view `view(request, caller, **kwargs)` of the Twilio API: authenticate the
    caller, allow only `methods`, and answer every refusal with Twilio's error body.
    `standard_keys=False` keeps Standard API keys out (the Accounts, Keys and AuthTokens
    resources)."""

    def decorator(view):
        @csrf_exempt
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            credential = credentials_authenticate(request)
            if credential is None:
                return responses.unauthenticated_response()
            refusal = _key_refusal(credential, kwargs, standard_keys)
            if refusal is not None:
                return refusal
            caller = credential.account
            request.api_key = credential.key
            # Who the events of this request name: the key, or the account whose token called.
            if credential.key is not None:
                key_touch(credential.key)
                request.actor = Actor.for_key(request, credential.key)
            else:
                request.actor = Actor.for_api(request, caller)
            if request.method not in methods:
                return responses.method_not_allowed_response(methods)
            try:
                _read_parameters(request)
            except (RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent):
                return responses.too_large_response()
            except BadRequest:  # a form body in another charset than UTF-8
                return responses.bad_request_response(errors.API_FORM_NOT_UTF8)
            except (MultiPartParserError, SuspiciousOperation, UnreadablePostError):
                return responses.bad_request_response(errors.API_MALFORMED_REQUEST)
            try:
                return view(request, caller, *args, **kwargs)
            except errors.ApiError as error:
                return responses.api_error_response(error)
            except errors.AccountError as error:
                return responses.account_error_response(error)
            except Http404:
                return responses.not_found_response(request)

        return wrapper

    return decorator
