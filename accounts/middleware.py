"""Middleware of the signed-in console.

- A user who must sign in with two-factor (an account or organization they belong to
  requires it, or they are support staff opening the admin outside development) and has not
  set it up is sent to set it up before anything else.
- The Sessions page's "last seen" is kept up to date a few times an hour.
"""

import time

from allauth.usersessions.models import UserSession
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django_htmx.http import HttpResponseClientRedirect

from . import errors
from .selectors import two_factor as two_factor_selectors

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
        return self.get_response(request)

    def _enrolment_needed(self, request, user):
        on_admin = request.path.startswith(reverse("admin:index"))
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


LAST_SEEN_SESSION_KEY = "last_seen_recorded_at"
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
