"""Twilio's error bodies: `{"code", "message", "more_info", "status"}`.

Never both `type` and `title`: twilio-python would then raise TwilioServiceException (RFC 9457)
instead of the TwilioRestException its users catch.
"""

from django.http import JsonResponse

from .. import errors

MORE_INFO = "https://www.twilio.com/docs/errors/{code}"

AUTHENTICATE = "Authenticate"
METHOD_NOT_ALLOWED = "Method not allowed"
NOT_FOUND = "The requested resource {path} was not found"
MALFORMED_REQUEST = (
    "The request could not be read. Send parameters form-encoded "
    "(application/x-www-form-urlencoded)."
)
PAGE_SIZE_INVALID = "PageSize must be a whole number from 1 to {maximum} (got '{value}')."
PAGE_INVALID = "Page must be a whole number, 0 or more (got '{value}')."
PAGE_NEEDS_TOKEN = (
    "Page {page} needs a PageToken: follow next_page_uri from the previous page as it is."
)
PAGE_TOKEN_INVALID = (
    "PageToken is not valid. Follow next_page_uri or previous_page_uri exactly as returned."
)
STATUS_SET_BY_PARENT_ONLY = (
    "A subaccount's status can only be changed with its parent account's credentials."
)

# Codes of the errors the API raises itself; the services' errors carry their own.
UNAUTHENTICATED = 20003
METHOD_NOT_ALLOWED_CODE = 20004
NOT_FOUND_CODE = 20404
INVALID_PAGE_SIZE = 20007
INVALID_PAGE_TOKEN = 21481
ACCOUNTS_RESOURCE = 21100  # Twilio's generic "Accounts resource" error


class ApiError(Exception):
    """A refusal the API raises itself (bad parameters, missing resource)."""

    def __init__(self, code, message, status=400):
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


def error_response(code, message, status, headers=None):
    body = {
        "code": code,
        "message": message,
        "more_info": MORE_INFO.format(code=code),
        "status": status,
    }
    return JsonResponse(body, status=status, headers=headers)


def api_error_response(error):
    return error_response(error.code, error.message, error.status)


def account_error_response(error):
    """A service refusal (accounts.errors.AccountError) as Twilio's body: a client error (400)
    except a refusal of permission (403)."""
    status = 403 if isinstance(error, errors.NotPermitted) else 400
    return error_response(error.code or ACCOUNTS_RESOURCE, error.message, status)


def not_found_response(request):
    return error_response(NOT_FOUND_CODE, NOT_FOUND.format(path=request.path), 404)


def unauthenticated_response():
    return error_response(
        UNAUTHENTICATED,
        AUTHENTICATE,
        401,
        headers={"WWW-Authenticate": 'Basic realm="Twilio API"'},
    )


def method_not_allowed_response(allowed):
    return error_response(
        METHOD_NOT_ALLOWED_CODE, METHOD_NOT_ALLOWED, 405, headers={"Allow": ", ".join(allowed)}
    )
