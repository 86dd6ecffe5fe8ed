"""Twilio's error bodies: `{"code", "message", "more_info", "status"}`.

Never both `type` and `title`: twilio-python would then raise TwilioServiceException (RFC 9457)
instead of the TwilioRestException its users catch. The messages and codes live in
`accounts.errors`.
"""

from django.conf import settings
from django.http import JsonResponse
from django.template.defaultfilters import filesizeformat

from .. import errors

MORE_INFO = "https://www.twilio.com/docs/errors/{code}"
# How long a client should wait before it retries after a 503 (the database being away).
RETRY_AFTER_SECONDS = 5


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
    status = getattr(error, "status", None) or (
        403 if isinstance(error, errors.NotPermitted) else 400
    )
    return error_response(error.code or errors.API_ACCOUNTS_RESOURCE, error.message, status)


def not_found_response(request):
    return error_response(
        errors.API_NOT_FOUND_CODE, errors.API_NOT_FOUND.format(path=request.path), 404
    )


def unauthenticated_response(message=errors.API_AUTHENTICATE):
    return error_response(
        errors.API_UNAUTHENTICATED,
        message,
        401,
        headers={"WWW-Authenticate": 'Basic realm="Twilio API"'},
    )


def method_not_allowed_response(allowed):
    return error_response(
        errors.API_METHOD_NOT_ALLOWED_CODE,
        errors.API_METHOD_NOT_ALLOWED,
        405,
        headers={"Allow": ", ".join(allowed)},
    )


def bad_request_response(message):
    """Parameters that cannot be read (a charset, a malformed header or body)."""
    return error_response(errors.API_ACCOUNTS_RESOURCE, message, 400)


def _upload_limits():
    limits = []
    if settings.DATA_UPLOAD_MAX_MEMORY_SIZE is not None:
        size = filesizeformat(settings.DATA_UPLOAD_MAX_MEMORY_SIZE).replace("\xa0", " ")
        limits.append(f"{size} of parameters")
    if settings.DATA_UPLOAD_MAX_NUMBER_FIELDS is not None:
        limits.append(f"{settings.DATA_UPLOAD_MAX_NUMBER_FIELDS:,} parameters")
    return " and ".join(limits) or "what the server accepts"


def too_large_response():
    """Django's DATA_UPLOAD_MAX_MEMORY_SIZE or DATA_UPLOAD_MAX_NUMBER_FIELDS exceeded."""
    return error_response(
        errors.API_REQUEST_TOO_LARGE_CODE,
        errors.API_REQUEST_TOO_LARGE.format(limits=_upload_limits()),
        413,
    )


def server_error_response():
    return error_response(errors.API_SERVER_ERROR_CODE, errors.API_SERVER_ERROR, 500)


def service_unavailable_response():
    return error_response(
        errors.API_SERVICE_UNAVAILABLE_CODE,
        errors.API_SERVICE_UNAVAILABLE,
        503,
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )
