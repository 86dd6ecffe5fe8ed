"""What every console view needs: the current account from the URL, the user's scopes on it,
and one convention for refusals and failed forms (status 422 with the re-rendered partial,
which the htmx config in base.html swaps in)."""

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme

from .. import roles
from ..models import Account
from ..selectors import accounts as account_selectors
from ..services.events import Actor

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
    account = account_selectors.account_get_for_user(user=request.user, sid=sid)
    held, scopes, reaches_parent = account_selectors.account_access_for_user(
        user=request.user, account=account
    )
    current = Current(account=account, roles=held, scopes=scopes, reaches_parent=reaches_parent)
    current.require(scope)
    return current


def actor(request):
    """The signed-in person making this request, as the events record them."""
    return Actor.from_request(request)


def remember_account(request, account):
    """Land here after the next sign-in, and list it first among recent accounts."""
    request.session[LAST_ACCOUNT_SESSION_KEY] = account.sid
    main_sid = account.main_account.sid
    recent = [
        sid for sid in request.session.get(RECENT_ACCOUNTS_SESSION_KEY, []) if sid != main_sid
    ]
    request.session[RECENT_ACCOUNTS_SESSION_KEY] = [main_sid, *recent][:RECENT_ACCOUNTS_KEPT]


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


def search_query(request):
    """The page's search box (`q`), as text that can go into a query."""
    return _without_nul(request.GET.get("q", "")).strip()
