"""The Subaccounts page of a main account: list, search, filter, create, and per-row actions."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import trigger_client_event

from .. import roles
from ..forms.accounts import AccountRenameForm, SubaccountCreateForm, SubaccountStatusForm
from ..models import Account
from ..selectors import accounts as account_selectors
from .common import (
    FORM_ERROR_STATUS,
    actor,
    current_account,
    local_url,
    reauthentication_required,
    remember_account,
    render_page_or_partial,
    search_query,
)

PAGE_SIZE = 50


def _main_account(request, sid, *, scope=roles.SUBACCOUNTS_READ):
    current = current_account(request, sid, scope=scope)
    if current.account.is_subaccount:
        # A subaccount has no subaccounts page; its parent's is the one to show.
        raise Http404("Subaccounts cannot have subaccounts.")
    return current


def _subaccount(current, subaccount_sid):
    return account_selectors.subaccount_get(parent=current.account, sid=subaccount_sid)


def _listing(request, parent):
    query = search_query(request)
    status = request.GET.get("status", "")
    subaccounts = account_selectors.subaccount_list(parent=parent, query=query, status=status)
    page = Paginator(subaccounts, PAGE_SIZE).get_page(request.GET.get("page"))
    return {
        "page_obj": page,
        "query": query,
        "status": status,
        "statuses": Account.Status.choices,
        "used": account_selectors.open_subaccount_count(account=parent),
    }


def _context(request, current, form=None):
    return {
        "current": current,
        "account": current.account,
        "form": form or SubaccountCreateForm(),
        "page": "subaccount_list",
        **_listing(request, current.account),
    }


@login_required
@vary_on_headers("HX-Request")
@require_http_methods(["GET", "POST"])
def subaccount_list(request, sid):
    current = _main_account(request, sid)
    if request.method == "POST":
        return _subaccount_create(request, current)
    remember_account(request, current.account)
    return render_page_or_partial(
        request, "accounts/subaccount_list.html", "results", _context(request, current)
    )


def _subaccount_create(request, current):
    current.require(roles.SUBACCOUNTS_WRITE)
    form = SubaccountCreateForm(request.POST)
    created = form.submit(parent=current.account, actor=actor(request))
    if created and not request.htmx:
        messages.success(request, f"Created subaccount “{created.friendly_name}” ({created.sid}).")
        return redirect("console:subaccount_list", sid=current.account.sid)
    context = _context(request, current, form=None if created else form)
    context["created"] = created
    response = render_page_or_partial(
        request,
        "accounts/subaccount_list.html",
        "create",
        context,
        status=200 if created else FORM_ERROR_STATUS,
    )
    if created:
        trigger_client_event(response, "accountChanged")
    return response


def _row_response(request, current, subaccount, *, error=None, done=None):
    """The updated row (with the usage counter, which a close changes), or the row with the
    refusal in it."""
    context = {
        "current": current,
        "account": current.account,
        "sub": subaccount,
        "row_error": error,
        "row_done": done,
        "used": account_selectors.open_subaccount_count(account=current.account),
    }
    return render(
        request,
        "accounts/subaccount_list.html#row_update",
        context,
        status=FORM_ERROR_STATUS if error else 200,
    )


@login_required
@require_POST
def subaccount_rename(request, sid, subaccount_sid):
    current = _main_account(request, sid, scope=roles.SUBACCOUNTS_WRITE)
    subaccount = _subaccount(current, subaccount_sid)
    form = AccountRenameForm(request.POST)
    subaccount = form.submit(account=subaccount, actor=actor(request)) or subaccount
    return _after_row_action(request, current, subaccount, form.first_error, "Renamed")


@login_required
@require_POST
@reauthentication_required(when=lambda request: request.POST.get("action") == "close")
def subaccount_status(request, sid, subaccount_sid):
    current = _main_account(request, sid, scope=roles.SUBACCOUNTS_WRITE)
    subaccount = _subaccount(current, subaccount_sid)
    form = SubaccountStatusForm(request.POST)
    subaccount = form.submit(subaccount=subaccount, actor=actor(request)) or subaccount
    verb = form.verb if form.is_valid() else None
    return _after_row_action(request, current, subaccount, form.first_error, verb)


def _after_row_action(request, current, subaccount, error, verb):
    if request.htmx:
        return _row_response(
            request, current, subaccount, error=error, done=None if error else verb
        )
    if error:
        messages.error(request, f"{subaccount.friendly_name} ({subaccount.sid}): {error}")
    else:
        messages.success(request, f"{verb} “{subaccount.friendly_name}” ({subaccount.sid}).")
    listing = reverse("console:subaccount_list", args=[current.account.sid])
    return redirect(local_url(request, request.POST.get("next"), listing))


@login_required
@require_http_methods(["GET"])
def subaccount_close_confirm(request, sid, subaccount_sid):
    """Close asks first, and says what it does. A dialog with HTMX, a page without."""
    current = _main_account(request, sid, scope=roles.SUBACCOUNTS_WRITE)
    subaccount = _subaccount(current, subaccount_sid)
    context = {
        "current": current,
        "account": current.account,
        "sub": subaccount,
        "page": "subaccount_list",
        "next": request.GET.get("next", ""),
    }
    return render_page_or_partial(request, "accounts/subaccount_close.html", "dialog", context)
