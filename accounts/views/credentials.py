"""The "API keys & credentials" page of an account (and of each subaccount, which its
parent's users reach): API keys, and the auth tokens with their rotation.

Revealing a token, creating a key and promoting a token ask for the password again first
(allauth's re-authentication) unless it was confirmed in the last few minutes.

Everyone with `credentials:read` (Owner, Administrator, Developer) sees the page and may
reveal the auth token; `credentials:write` (Owner, Administrator) creates, renames and
revokes keys and rotates the token. A key's secret is shown once, in the answer to the
request that created it, and is stored nowhere (not in the session either).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from .. import errors, roles
from ..forms.credentials import KeyCreateForm, KeyRenameForm
from ..selectors import keys as key_selectors
from ..services import credentials as credential_services
from .common import (
    FORM_ERROR_STATUS,
    actor,
    current_account,
    reauthentication_required,
    render_page_or_partial,
)

PAGE = "credentials"


def _context(current, **extra):
    account = current.account
    return {
        "current": current,
        "account": account,
        "page": PAGE,
        "keys": key_selectors.key_list_all(account=account),
        "key_form": KeyCreateForm(),
        "can_manage": current.can(roles.CREDENTIALS_WRITE) and not account.is_closed,
        **extra,
    }


def _back(current):
    return redirect("console:credentials", sid=current.account.sid)


@login_required
@require_GET
def credentials(request, sid):
    current = current_account(request, sid, scope=roles.CREDENTIALS_READ)
    return render(request, "credentials/credentials.html", _context(current))


@login_required
@never_cache
@require_GET
@reauthentication_required
def auth_token_reveal(request, sid):
    """The auth token (or, with ?token=secondary, the secondary one) in clear text, on a page
    of its own that no cache keeps."""
    current = current_account(request, sid, scope=roles.CREDENTIALS_READ)
    which = "secondary" if request.GET.get("token") == "secondary" else "primary"
    account = current.account
    token = account.secondary_auth_token if which == "secondary" else account.auth_token
    if not token:
        return _back(current)
    context = _context(current, revealed=which, revealed_token=token)
    return render(request, "credentials/credentials.html", context)


@login_required
@never_cache
@require_POST
@reauthentication_required
def key_create(request, sid):
    current = current_account(request, sid, scope=roles.CREDENTIALS_WRITE)
    form = KeyCreateForm(request.POST)
    if form.is_valid():
        try:
            key, secret = credential_services.key_create(
                account=current.account,
                friendly_name=form.cleaned_data["friendly_name"],
                key_type=form.cleaned_data["key_type"],
                actor=actor(request),
            )
        except errors.AccountError as error:
            form.add_error(None, error.message)
        else:
            # Shown in this answer only: a reload asks to post again, which makes another key.
            context = {
                "current": current,
                "account": current.account,
                "page": PAGE,
                "key": key,
                "secret": secret,
                "warning": errors.KEY_SECRET_SHOWN_ONCE,
            }
            return render(request, "credentials/key_created.html", context, status=201)
    context = _context(current, key_form=form)
    return render(request, "credentials/credentials.html", context, status=FORM_ERROR_STATUS)


@login_required
@require_POST
def key_rename(request, sid, key_sid):
    current = current_account(request, sid, scope=roles.CREDENTIALS_WRITE)
    key = key_selectors.key_get(account=current.account, sid=key_sid)
    form = KeyRenameForm(request.POST)
    if form.is_valid():
        try:
            credential_services.key_rename(
                key=key, friendly_name=form.cleaned_data["friendly_name"], actor=actor(request)
            )
        except errors.AccountError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, "Key renamed.")
    else:
        messages.error(request, form.errors["friendly_name"][0])
    return _back(current)


@login_required
@require_http_methods(["GET", "POST"])
def key_revoke(request, sid, key_sid):
    """Revoking asks first (a dialog with HTMX, a page without)."""
    current = current_account(request, sid, scope=roles.CREDENTIALS_WRITE)
    key = key_selectors.key_get(account=current.account, sid=key_sid)
    if request.method == "POST":
        try:
            credential_services.key_delete(key=key, actor=actor(request))
        except errors.AccountError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"Revoked the key {key.sid}. It no longer authenticates.")
        return _back(current)
    context = {"current": current, "account": current.account, "page": PAGE, "key": key}
    return render_page_or_partial(request, "credentials/key_revoke.html", "dialog", context)


@login_required
@require_POST
def secondary_auth_token_create(request, sid):
    current = current_account(request, sid, scope=roles.CREDENTIALS_WRITE)
    try:
        credential_services.auth_token_secondary_create(
            account=current.account, actor=actor(request)
        )
    except errors.AccountError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            "Created a secondary auth token. Both tokens work until you promote or delete it.",
        )
    return _back(current)


@login_required
@require_http_methods(["GET", "POST"])
def secondary_auth_token_delete(request, sid):
    current = current_account(request, sid, scope=roles.CREDENTIALS_WRITE)
    if request.method == "POST":
        try:
            credential_services.auth_token_secondary_delete(
                account=current.account, actor=actor(request)
            )
        except errors.AccountError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, "Deleted the secondary auth token. It no longer works.")
        return _back(current)
    context = {"current": current, "account": current.account, "page": PAGE}
    return render_page_or_partial(
        request, "credentials/secondary_auth_token_delete.html", "dialog", context
    )


@login_required
@require_http_methods(["GET", "POST"])
@reauthentication_required(allow_get=True)
def auth_token_promote(request, sid):
    """Promoting asks first, and says that the old token stops working at once."""
    current = current_account(request, sid, scope=roles.CREDENTIALS_WRITE)
    if request.method == "POST":
        try:
            credential_services.auth_token_promote(account=current.account, actor=actor(request))
        except errors.AccountError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                "The secondary auth token is now the primary. The old one no longer works.",
            )
        return _back(current)
    if not current.account.secondary_auth_token:
        messages.error(request, errors.NO_SECONDARY_AUTH_TOKEN)
        return _back(current)
    context = {"current": current, "account": current.account, "page": PAGE}
    return render(request, "credentials/auth_token_promote.html", context)
