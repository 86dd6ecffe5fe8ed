"""HTTP Basic authentication with `AccountSid:AuthToken`, and the wrapper every API view uses.

The API is stateless: no session, no CSRF token, no cookies. Credentials come with every
request and identify the calling account ("the caller").
"""

import base64
import binascii
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
from ..models import Account
from ..services.events import Actor
from . import errors as responses

ACCOUNT_SID_RE = re.compile(r"AC[0-9a-fA-F]{32}")

# Compared against when the SID is unknown, so an unknown SID costs the same as a wrong token.
_UNKNOWN_ACCOUNT_TOKEN = b"0" * 32


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


def account_authenticate(request):
    """The calling account for the request's Basic credentials, or None.

    Only an active account (and, for a subaccount, an active parent) may use the API.
    """
    credentials = _basic_credentials(request)
    if credentials is None:
        return None
    sid, auth_token = credentials
    account = None
    if ACCOUNT_SID_RE.fullmatch(sid):
        try:
            account = Account.objects.select_related("parent").get(sid=sid)
        except Account.DoesNotExist:
            pass
    expected = account.auth_token.encode() if account else _UNKNOWN_ACCOUNT_TOKEN
    if not hmac.compare_digest(auth_token.encode(), expected) or account is None:
        return None
    if not account.is_active or (account.parent_id and not account.parent.is_active):
        return None
    return account


def _read_parameters(request):
    """Parse the query string and form body up front, so that a malformed one is a Twilio
    400 here rather than an HTML error page wherever a view first touches it."""
    request.GET  # noqa: B018
    if request.method == "POST":
        request.POST  # noqa: B018


def api_view(*methods):
    """Wrap a view `view(request, caller, **kwargs)` of the Twilio API: authenticate the
    caller, allow only `methods`, and answer every refusal with Twilio's error body."""

    def decorator(view):
        @csrf_exempt
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            caller = account_authenticate(request)
            if caller is None:
                return responses.unauthenticated_response()
            # Who the events of this request name: the account whose credentials called.
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
