"""Middleware of the console and the API.

- `UnreadableRequestMiddleware` refuses, before anything reads them, requests whose
  parameters cannot be decoded (a Content-Type that cannot be parsed, a charset that is not a
  text encoding); see accounts/http.py.
- `DatabaseUnavailableMiddleware` answers 503 with Retry-After when the database cannot be
  reached, instead of a 500.
- `NoStoreMiddleware` forbids caches to keep any response to a signed-in user, or to an API
  request carrying credentials: those pages carry auth tokens and balances.
"""

import logging

from django.utils.cache import add_never_cache_headers

from .views import errors as error_views

logger = logging.getLogger(__name__)


class UnreadableRequestMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        problem = getattr(request, "unreadable", None)
        if problem:
            return error_views.bad_request_for(request, problem)
        return self.get_response(request)


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if error_views.is_database_unavailable(exception):
            # Still an error for the operators: the answer only is a clean one.
            logger.error(
                "Database unavailable, answered 503: %s %s",
                request.method,
                request.path,
                exc_info=exception,
            )
            return error_views.service_unavailable_for(request)
        return None


class NoStoreMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # Error pages are never worth keeping either (and a 5xx may mean the database, which
        # the user's session needs, is away).
        if response.status_code >= 500 or _authenticated(request):
            add_never_cache_headers(response)
        return response


def _authenticated(request):
    if "HTTP_AUTHORIZATION" in request.META:
        return True
    user = getattr(request, "user", None)  # absent when a middleware answered early
    return user is not None and user.is_authenticated
