"""What every console view needs: the current account from the URL, the user's scopes on it,
and one convention for refusals and failed forms (status 422 with the re-rendered partial,
which the htmx config in base.html swaps in)."""

import functools
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit

from allauth.account.adapter import get_adapter as get_account_adapter
from allauth.account.internal.flows.reauthentication import is_reauthentication_required
from allauth.core.exceptions import ReauthenticationRequired
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django_htmx.http import HttpResponseClientRedirect

from .. import roles
from ..models import Account
from ..selectors import accounts as account_selectors
from ..selectors.versions import family_version_as_read
from ..services.events import Actor
from ..sessions import account_read_with_session

LAST_ACCOUNT_SESSION_KEY = "last_account_sid"
RECENT_ACCOUNTS_SESSION_KEY = "recent_account_sids"
RECENT_ACCOUNTS_KEPT = 10

FORM_ERROR_STATUS = 422

# Events (HX-Trigger) that widgets listen for to refresh themselves (hx-trigger="… from:body").
ACCOUNT_CHANGED = "accountChanged"  # accounts' names, statuses: the switcher lists them anew
CURRENT_ACCOUNT_CHANGED = "currentAccountChanged"  # the page's own account: top bar, banners
SUBACCOUNTS_CHANGED = "subaccountsChanged"  # the Subaccounts list and its counter
PHONE_NUMBERS_CHANGED = "phoneNumbersChanged"  # number counts
USERS_CHANGED = "usersChanged"  # the Users page's tabs and tables


@dataclass
class Current:
    """The account a console page is about, and what the signed-in user may do there."""

    account: Account
    roles: set = field(default_factory=set)
    scopes: frozenset = frozenset()
    # False for a user who holds a role on this subaccount only: they never see its parent.
    reaches_parent: bool = True

    def can(self, scope):
        return scope in self.scopes

    def require(self, scope):
        if not self.can(scope):
            raise PermissionDenied("Your role on this account does not allow this.")

    @property
    def read_only(self):
        return self.account.is_closed


def current_account(request, sid, *, scope=roles.ACCOUNT_READ):
    """The account named in the URL, if the user may reach it (404 otherwise, so that it
    looks like it does not exist), and may use `scope` on it (403 otherwise)."""
    account, held, scopes, reaches_parent = account_selectors.account_with_access_for_user(
        user=request.user, sid=sid, read_already=account_read_with_session(request, sid)
    )
    current = Current(account=account, roles=held, scopes=scopes, reaches_parent=reaches_parent)
    current.require(scope)
    return current


def when_rendered(function, *args, **kwargs):
    """A value of a template's context worked out when the template first asks for it
    (Django calls what is callable in a context) and then kept: a remembered fragment that
    asks for nothing costs nothing."""
    return functools.cache(functools.partial(function, *args, **kwargs))


def report_key(request, current, *values):
    """What a report remembered by its family's version (`{% memo report_key %}`) is
    remembered under: that version, the account, who is looking and what they may do there,
    the day (ranges and months start from it), and `values` (the page's query)."""
    return (
        family_version_as_read(current.account),
        current.account.sid,
        request.user.pk,
        current.scopes,
        current.reaches_parent,
        timezone.localdate(),
        *values,
    )


def reauthentication_required(view=None, *, allow_get=False, when=None):
    """Ask for the password again (allauth's re-authentication) before `view` acts, unless it
    was confirmed in the last few minutes. A plain request is suspended and carried out after
    the confirmation (allauth replays a POST); an HTMX request sends the browser to confirm
    and back to the page it was on. `allow_get` lets a confirmation page show first; `when`
    (a function of the request) limits it to some requests of the view."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            asks = not (allow_get and request.method == "GET") and (when is None or when(request))
            if asks and is_reauthentication_required(request, app=""):
                if request.htmx:
                    back = urlsplit(request.headers.get("HX-Current-URL", ""))
                    here = back.path + (f"?{back.query}" if back.query else "")
                    methods = get_account_adapter().get_reauthentication_methods(request.user)
                    if not methods:
                        raise PermissionDenied("Re-authentication is not available.")
                    query = urlencode({"next": local_url(request, here, request.path)})
                    return HttpResponseClientRedirect(f"{methods[0]['url']}?{query}")
                raise ReauthenticationRequired()
            return view(request, *args, **kwargs)

        return wrapper

    return decorator(view) if view is not None else decorator


def actor(request):
    """The signed-in person making this request, as the events record them."""
    return Actor.from_request(request)


def remember_account(request, account):
    """Land here after the next sign-in, and list it first among recent accounts."""
    session = request.session
    main_sid = account.main_account.sid
    recent = session.get(RECENT_ACCOUNTS_SESSION_KEY, [])
    remembered = [main_sid, *(sid for sid in recent if sid != main_sid)][:RECENT_ACCOUNTS_KEPT]
    # Assigned only when it changes: an assignment marks the session modified, and a session
    # written back on every page view is a database write (and a Set-Cookie) per GET.
    if session.get(LAST_ACCOUNT_SESSION_KEY) != account.sid:
        session[LAST_ACCOUNT_SESSION_KEY] = account.sid
    if recent != remembered:
        session[RECENT_ACCOUNTS_SESSION_KEY] = remembered


def render_page_or_partial(request, template, partial, context, status=200):
    """An HTMX request gets the partial; anything else the whole page (a history restore
    too: it replaces the whole page)."""
    partial_wanted = request.htmx and not request.htmx.history_restore_request
    name = f"{template}#{partial}" if partial_wanted else template
    return render(request, name, context, status=status)


def local_url(request, url, default):
    """`url` when it is a path on this site (a form's "come back to this page"), else
    `default`: a posted URL must never send people to another site, nor fail."""
    if (
        url
        and url.startswith("/")
        and url_has_allowed_host_and_scheme(
            url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return url
    return default


def _without_nul(text):
    # PostgreSQL refuses text with NUL characters outright; nothing stored can contain one.
    return text.replace("\x00", "")


# A cell starting with one of these is a formula to a spreadsheet; names and reasons are chosen
# by whoever holds an account's credentials, so such text is written as text (OWASP: a
# leading quote).
CSV_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_text(text):
    """Text for a CSV cell that no spreadsheet will run as a formula."""
    return "'" + text if text.startswith(CSV_FORMULA_STARTS) else text


def search_query(request):
    """The page's search box (`q`), as text that can go into a query."""
    return _without_nul(request.GET.get("q", "")).strip()
