"""How django-allauth signs people in here: the adapters that connect its sign-up to the
services (a new user gets their first account, with its events), its messages to ours, and
the login stages (email confirmation for people who signed up themselves).

The views and forms are allauth's (`accounts/forms/auth.py` subclasses the forms); its
templates are overridden in templates/account/, templates/mfa/ and templates/usersessions/.
"""

import time

from allauth.account import stages
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend
from allauth.account.models import EmailAddress
from allauth.mfa.adapter import DefaultMFAAdapter
from django.contrib.auth.backends import ModelBackend

from . import errors, sessions
from .models import User
from .selectors.prepared import PreparedQuery
from .selectors.two_factor import users_with_two_factor_facts
from .services import two_factor as user_services_two_factor
from .services import users as user_services
from .services.events import Actor

# When the Sessions page's "last seen" was last recorded in this session (see middleware.py).
LAST_SEEN_SESSION_KEY = "last_seen_recorded_at"

BACKEND = "accounts.signin.AuthenticationBackend"

# The signed-in user with their two-factor facts, by primary key: every request asks it.
_user_by_pk = PreparedQuery(
    lambda pk: users_with_two_factor_facts().filter(pk=pk), pk=-7_318_402_119
)


class AuthenticationBackend(AllauthBackend):
    """allauth's (email and password), loading the signed-in user with what the two-factor
    check needs, in the same query."""

    def authenticate(self, request, **credentials):
        user = super().authenticate(request, **credentials)
        login = credentials.get("email") or credentials.get("username")
        if user is None and login and credentials.get("password"):
            # allauth looks emails up as stored in lower case (as the manager stores them);
            # Django's own lookup also finds rows written otherwise (imports, fixtures).
            user = ModelBackend.authenticate(
                self, request, username=login, password=credentials["password"]
            )
        return user

    def get_user(self, user_id):
        pk = User._meta.pk.get_prep_value(user_id)
        # Read with the session when this process has seen it signed in (sessions.py).
        user = sessions.prefetched_user(pk)
        if user is None:
            found = _user_by_pk(pk=pk)
            user = found[0] if found else None
        return user if user is not None and self.user_can_authenticate(user) else None


class EmailVerificationStage(stages.EmailVerificationStage):
    """Confirming the address is asked of people who signed up on the sign-up page (allauth
    records their address, unconfirmed). Logins made otherwise have no such record and are
    trusted: an invitation link proved the address, an operator or support made the login."""

    def handle(self):
        user = self.login.user
        if user is not None and not EmailAddress.objects.filter(user=user).exists():
            return None, True
        return super().handle()


class AccountAdapter(DefaultAccountAdapter):
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "email_password_mismatch": errors.SIGN_IN_INVALID,
        "too_many_login_attempts": errors.SIGN_IN_THROTTLED,
    }

    def _get_login_attempts_cache_key(self, request, **credentials):
        """Failed sign-ins are counted per email alone. allauth prefixes the site's domain,
        which is the request's Host here (no sites framework): every allowed host name, and
        every port in front of the console, would count apart."""
        login = credentials.get("email", credentials.get("username", ""))
        return User.objects.normalize_email(login)

    def save_user(self, request, user, form, commit=True):
        """A new user and their first account, through the sign-up service (one transaction,
        with the events of both)."""
        data = form.cleaned_data
        user, _account = user_services.user_sign_up(
            email=data["email"],
            password=data["password1"],
            full_name=data.get("full_name", ""),
            account_name=data["account_name"],
            actor=Actor.from_request(request),
        )
        return user

    def get_login_stages(self):
        return [
            "accounts.signin.EmailVerificationStage"
            if path == "allauth.account.stages.EmailVerificationStage"
            else path
            for path in super().get_login_stages()
        ]


class MFAAdapter(DefaultMFAAdapter):
    def get_totp_label(self, user):
        return user.email


def _two_factor_changed(request, user, authenticator, enabled):
    user_services_two_factor.user_two_factor_changed(
        user=user,
        actor=Actor.from_request(request) if request is not None else Actor.for_user(user),
        kind=authenticator.type,
        enabled=enabled,
    )


def authenticator_added(sender=None, request=None, user=None, authenticator=None, **kwargs):
    """allauth's signal: a person set up an authenticator (its event in the log)."""
    _two_factor_changed(request, user, authenticator, True)


def authenticator_removed(sender=None, request=None, user=None, authenticator=None, **kwargs):
    _two_factor_changed(request, user, authenticator, False)


def signed_in(sender=None, request=None, user=None, **kwargs):
    """Django's user_logged_in: allauth has just recorded the session (and when it was last
    seen), so the last-seen middleware need not do it again for a while."""
    if request is not None and hasattr(request, "session"):
        request.session[LAST_SEEN_SESSION_KEY] = time.time()
