"""Twilio's error bodies: `{"code", "message", "more_info", "status"}`.

Never both `type` and `title`: twilio-python would then raise TwilioServiceException (RFC 9457)
instead of the TwilioRestException its users catch. The messages and codes live in
`accounts.errors`.
"""

from django.http import JsonResponse

from .. import errors

MORE_INFO = "https://www.twilio.com/docs/errors/{code}"


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
