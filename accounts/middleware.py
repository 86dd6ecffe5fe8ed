"""Middleware of the console and the API.

- `SessionMiddleware` is Django's, telling the session which account a console page (a GET)
  names, so that the session, its user and that account are read in one query (and, for
  the switcher's unfiltered panel, its main accounts too; accounts/sessions.py).
- `UnreadableRequestMiddleware` refuses, before anything reads them, requests whose
  parameters cannot be decoded (a Content-Type that cannot be parsed, a charset that is not a
  text encoding); see accounts/http.py.
- `DatabaseUnavailableMiddleware` answers 503 with Retry-After when the database cannot be
  reached, instead of a 500.
- `NoStoreMiddleware` forbids caches to keep any response to a signed-in user, or to an API
  request carrying credentials: those pages carry auth tokens and balances.
- `TwoFactorRequiredMiddleware` sends a user who must sign in with two-factor (an account or
  organization they belong to requires it, or they are support staff opening the admin
  outside development) and has not set it up to set it up before anything else.
- `SessionLastSeenMiddleware` keeps the Sessions page's "last seen" up to date a few times an
  hour.
- `HtmxMessagesMiddleware` delivers Django messages to htmx requests as toasts.
- `ContentSecurityPolicyMiddleware` is Django's, writing each policy once.
"""

import functools
import logging
import re
import time

from allauth.usersessions.models import UserSession
from django.conf import settings
from django.contrib import messages
from django.contrib.sessions.middleware import SessionMiddleware as DjangoSessionMiddleware
from django.middleware import csp
from django.shortcuts import redirect
from django.urls import get_script_prefix, reverse
from django.utils.cache import add_never_cache_headers
from django.utils.csp import CSP, build_policy
from django.utils.functional import LazyObject, empty
from django_htmx.http import HttpResponseClientRedirect, trigger_client_event

from . import errors
from .selectors import two_factor as two_factor_selectors
from .signin import LAST_SEEN_SESSION_KEY
from .templatetags.cached_urls import cached_reverse
from .views import accounts as account_views
from .views import errors as error_views

logger = logging.getLogger(__name__)

_SAMPLE_SID = "AC" + "0" * 32


@functools.lru_cache(maxsize=16)
def _account_pages(script_prefix):
    """Where the account pages start, as a pattern capturing the SID (from the URLconf, and
    under the script prefix `reverse` puts first, which the request's path has too), and the
    rest of the switcher's path after it."""
    dashboard = reverse("console:account_dashboard", args=[_SAMPLE_SID])
    switcher = reverse("console:account_switcher", args=[_SAMPLE_SID])
    pattern = re.escape(dashboard[: dashboard.index(_SAMPLE_SID)]) + "(AC[0-9a-f]{32})/"
    return re.compile(pattern), switcher[len(dashboard) :]


class SessionMiddleware(DjangoSessionMiddleware):
    def process_request(self, request):
        super().process_request(request)
        if request.method in ("GET", "HEAD"):
            pages, switcher = _account_pages(get_script_prefix())
            named = pages.match(request.path)
            if named:
                request.session.account_sid_read_with = named[1]
                if request.path[named.end() :] == switcher and _switcher_lists_all(request):
                    request.session.switcher_limit_read_with = account_views.SWITCHER_LIMIT


def _switcher_lists_all(request):
    """The switcher's panel or results, unfiltered: what reads all its main accounts."""
    return not request.GET.get("q") and request.GET.get("part") != "current"


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


# Where someone who must enroll may still go: enrolment itself, signing out, the pages allauth
# needs on the way (re-authentication), static files and the API (which has no sessions).
ALLOWED_PREFIXES = (
    "/accounts/2fa/",
    "/accounts/reauthenticate/",
    "/accounts/logout/",
    "/signout/",
    "/static/",
    "/2010-04-01/",
    "/v1/",
)


class TwoFactorRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # The path first: the API's requests must not even look at the session.
        user = None if request.path.startswith(ALLOWED_PREFIXES) else getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            message = self._enrolment_needed(request, user)
            if message:
                return self._to_enrolment(request, message)
        if isinstance(user, LazyObject) and user._wrapped is not empty:
            # Loaded now (Django's lazy `request.user`): everything after this (the other
            # middleware, the view, a page's dozen `request.user.…`) gets the user itself,
            # as `login()` leaves it, instead of going through the proxy on each attribute.
            request.user = user._wrapped
        return self.get_response(request)

    def _enrolment_needed(self, request, user):
        on_admin = request.path.startswith(cached_reverse("admin:index", request=request))
        if on_admin and two_factor_selectors.admin_requires_two_factor(user=user):
            if not two_factor_selectors.user_has_two_factor(user=user):
                return errors.TWO_FACTOR_NEEDED_FOR_ADMIN
            return None
        if two_factor_selectors.two_factor_required_by(user=user):
            if not two_factor_selectors.user_has_two_factor(user=user):
                return errors.TWO_FACTOR_REQUIRED
        return None

    def _to_enrolment(self, request, message):
        url = reverse("mfa_activate_totp")
        if request.method == "GET" and not getattr(request, "htmx", False):
            messages.warning(request, message)
            return redirect(f"{url}?next={request.get_full_path()}")
        if getattr(request, "htmx", False):
            return HttpResponseClientRedirect(url)
        messages.warning(request, message)
        return redirect(url)


# The REST APIs and static files have no sessions (and must not touch one: that alone makes
# the answer vary by cookie).
STATELESS_PREFIXES = ("/2010-04-01/", "/v1/", "/static/")
LAST_SEEN_EVERY_SECONDS = 5 * 60


class SessionLastSeenMiddleware:
    """Record when a session was last used, at most every five minutes (allauth's own
    tracking writes on every request)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith(STATELESS_PREFIXES):
            return self.get_response(request)
        user = getattr(request, "user", None)
        session = getattr(request, "session", None)
        if user is not None and user.is_authenticated and session and session.session_key:
            now = time.time()
            if now - session.get(LAST_SEEN_SESSION_KEY, 0) >= LAST_SEEN_EVERY_SECONDS:
                UserSession.objects.create_from_request(request, user=user, session=session)
                session[LAST_SEEN_SESSION_KEY] = now
        return self.get_response(request)


MESSAGES_EVENT = "showMessages"
# Answers that lead to another page: the messages wait for it (it shows them itself).
_LEADS_ELSEWHERE = ("HX-Redirect", "HX-Location", "HX-Refresh")


class HtmxMessagesMiddleware:
    """Messages added while answering an htmx request travel in its `HX-Trigger` header as the
    `showMessages` event (console.js shows them as toasts): the page learns what happened
    without a reload. A redirect keeps them for the page it leads to, which renders them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        htmx = getattr(request, "htmx", None)
        if not htmx or response.status_code in (301, 302, 303, 307, 308):
            return response
        if any(header in response for header in _LEADS_ELSEWHERE):
            return response
        items = [
            {"message": str(message), "level": message.level_tag, "tags": message.tags}
            for message in messages.get_messages(request)
        ]
        if items:
            # JSON with \u escapes: header values stay ASCII whatever the message says.
            trigger_client_event(response, MESSAGES_EVENT, {"messages": items})
        return response


# Stands for the nonce in a policy written once; no directive's value can contain it.
_NONCE_PLACEHOLDER = "\x00nonce\x00"
_policies = {}


def _policy(config, nonce):
    """`build_policy(config, nonce)`, from the policy written once per configuration: only
    the nonce differs from one response to the next (and whether there is one: a nonce that
    no page used is left out, as Django leaves it out)."""
    written = _policies.get(id(config))
    if written is None or written[0] is not config:
        if len(_policies) > 64:
            _policies.clear()
        written = (config, build_policy(config, _NONCE_PLACEHOLDER), build_policy(config))
        _policies[id(config)] = written
    if nonce:
        return written[1].replace(_NONCE_PLACEHOLDER, str(nonce))
    return written[2]


class ContentSecurityPolicyMiddleware(csp.ContentSecurityPolicyMiddleware):
    """Django's CSP middleware (the same headers, the same per-view overrides), without
    writing the whole policy again for every response."""

    def process_response(self, request, response):
        nonce = csp.get_nonce(request)
        sentinel = object()
        if (csp_config := getattr(response, "_csp_config", sentinel)) is sentinel:
            csp_config = settings.SECURE_CSP
        if (csp_ro_config := getattr(response, "_csp_ro_config", sentinel)) is sentinel:
            csp_ro_config = settings.SECURE_CSP_REPORT_ONLY
        for header, config in [
            (CSP.HEADER_ENFORCE, csp_config),
            (CSP.HEADER_REPORT_ONLY, csp_ro_config),
        ]:
            if config and header not in response:
                response.headers[str(header)] = _policy(config, nonce)
        return response
