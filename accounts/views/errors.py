"""Error pages: the console's own 400, 500 and 503 pages, and Twilio's JSON error body for
requests to the API, whatever went wrong.

Django calls `bad_request` and `server_error` (console/urls.py names them handler400 and
handler500) for exceptions that no view answered; the middleware in accounts/middleware.py
calls `bad_request_for` and `service_unavailable_for`. The pages render without the request
(as Django's own error views do), so that an error page never needs the database, the session
or the user: a database outage must not break the page that reports it.
"""

import logging
import sys

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template import loader
from django.urls import Resolver404, get_resolver

from .. import errors
from ..api import errors as api_responses
from ..api.errors import RETRY_AFTER_SECONDS
from ..http import UNREADABLE_CHARSET

logger = logging.getLogger(__name__)

_TOO_LARGE = (RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent)
API_NAMESPACE = "api"  # the API's URL namespaces start with it (api:, and any api_… beside)

_FALLBACK = "<!doctype html><title>{title}</title><h1>{title}</h1><p>{message}</p>"


def is_api_request(request):
    """Whether the request's path belongs to the Twilio-compatible API."""
    try:
        match = get_resolver(getattr(request, "urlconf", None)).resolve(request.path_info)
    except Resolver404:
        return False
    return bool(match.namespaces) and match.namespaces[0].startswith(API_NAMESPACE)


def is_database_unavailable(exception):
    """The database cannot be reached, or dropped the connection (a restart, a failover):
    worth a retry in a moment, unlike a bug."""
    return isinstance(exception, OperationalError | InterfaceError)


def _page(template, status, *, title, message, headers=None):
    try:
        body = loader.render_to_string(template, {"title": title, "message": message})
    except Exception:  # noqa: BLE001 - an error page must answer whatever else is broken
        logger.exception("The %s page could not be rendered", status)
        body = _FALLBACK.format(title=title, message=message)
    return HttpResponse(body, status=status, headers=headers)


def _console_bad_request(message, status=400, title="Bad request"):
    return _page("400.html", status, title=title, message=message)


def bad_request_for(request, problem):
    """A request whose parameters cannot be read (accounts/http.py marks it)."""
    if is_api_request(request):
        return api_responses.bad_request_response(
            errors.API_CHARSET_UNREADABLE
            if problem == UNREADABLE_CHARSET
            else errors.API_CONTENT_TYPE_INVALID
        )
    return _console_bad_request(
        errors.PAGE_CHARSET_UNREADABLE if problem == UNREADABLE_CHARSET else errors.PAGE_BAD_REQUEST
    )


def service_unavailable_for(request):
    if is_api_request(request):
        return api_responses.service_unavailable_response()
    return _page(
        "503.html",
        503,
        title="Temporarily unavailable",
        message=errors.PAGE_SERVICE_UNAVAILABLE,
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


def bad_request(request, exception):
    """handler400: a request Django refused (SuspiciousOperation, BadRequest)."""
    too_large = isinstance(exception, _TOO_LARGE)
    if is_api_request(request):
        if too_large:
            return api_responses.too_large_response()
        return api_responses.bad_request_response(errors.API_MALFORMED_REQUEST)
    if too_large:
        return _console_bad_request(errors.PAGE_TOO_LARGE, status=413, title="Request too large")
    return _console_bad_request(errors.PAGE_BAD_REQUEST)


def server_error(request):
    """handler500: an exception no view answered. The database being away is a 503."""
    if is_database_unavailable(sys.exc_info()[1]):
        return service_unavailable_for(request)  # Django has logged the exception
    if is_api_request(request):
        return api_responses.server_error_response()
    return _page(
        "500.html",
        500,
        title="Something went wrong",
        message=errors.PAGE_SERVER_ERROR,
    )
