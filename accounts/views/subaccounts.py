"""The Subaccounts page of a main account: list, search, filter, create, a page per
subaccount, per-row actions and bulk actions with a preview of what they do."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import reswap, retarget, trigger_client_event

from .. import roles
from ..forms.accounts import (
    AccountRenameForm,
    SubaccountBulkForm,
    SubaccountCreateForm,
    SubaccountSelectionForm,
    SubaccountStatusForm,
)
from ..models import Account
from ..selectors import accounts as account_selectors
from ..selectors import events as event_selectors
from ..selectors import ledger as ledger_selectors
from ..selectors import numbers as number_selectors
from ..selectors import usage as usage_selectors
from .common import (
    ACCOUNT_CHANGED,
    FORM_ERROR_STATUS,
    SUBACCOUNTS_CHANGED,
    actor,
    current_account,
    local_url,
    reauthentication_required,
    remember_account,
    render_page_or_partial,
    report_key,
    search_query,
    when_rendered,
)
from .paging import WindowPage

PAGE_SIZE = 50
DETAIL_NUMBERS_SHOWN = 10
DETAIL_EVENTS_SHOWN = 10
# Where a row action came from: the list (its row) or the subaccount's own page.
DETAIL_VIEW = "detail"


# A SID-shaped placeholder: the rows' links are built from one reversed prefix per page.
_SID_PLACEHOLDER = "AC" + "0" * 32


def row_urls(parent):
    """The prefixes of a subaccount row's links, reversed once per page instead of eight
    times a row: `subaccount_base` + SID + "/" is its page (+ "rename/", "status/",
    "close/" its actions), `dashboard_base` + SID + "/" its dashboard."""
    detail = reverse("console:subaccount_detail", args=[parent.sid, _SID_PLACEHOLDER])
    dashboard = reverse("console:account_dashboard", args=[_SID_PLACEHOLDER])
    return {
        "subaccount_base": detail.removesuffix(f"{_SID_PLACEHOLDER}/"),
        "dashboard_base": dashboard.removesuffix(f"{_SID_PLACEHOLDER}/"),
    }


def _main_account(request, sid, *, scope=roles.SUBACCOUNTS_READ):
    current = current_account(request, sid, scope=scope)
    if current.account.is_subaccount:
        # A subaccount has no subaccounts page; its parent's is the one to show.
        raise Http404("Subaccounts cannot have subaccounts.")
    return current


def _subaccount(current, subaccount_sid):
    return account_selectors.subaccount_get(parent=current.account, sid=subaccount_sid)


def _can_write(current):
    return current.can(roles.SUBACCOUNTS_WRITE) and not current.account.is_closed


def _matches(request, parent, query, status):
    """The page of subaccounts asked for, and how many match ("50+" for a search)."""
    subaccounts = account_selectors.subaccount_list(parent=parent, query=query, status=status)
    if query:
        # A search is not counted (that would read every match): "50+" and a next link.
        page = WindowPage(subaccounts, request.GET.get("page"), PAGE_SIZE)
        matches = (page.count_text, page.count_is_plural)
    else:
        if not status:  # every visit: by SQL written once
            subaccounts = account_selectors.SubaccountPages(parent)
        page = Paginator(subaccounts, PAGE_SIZE).get_page(request.GET.get("page"))
        count = page.paginator.count
        matches = (f"{count:,}", count != 1)
    return page, (matches[0] if page.object_list else ""), matches[1]


def _listing(request, parent):
    query = search_query(request)
    status = request.GET.get("status", "")
    # Read when the results are rendered, not before: remembered results read nothing.
    matches = when_rendered(_matches, request, parent, query, status)
    return {
        "page_obj": when_rendered(lambda: matches()[0]),
        "match_count": when_rendered(lambda: matches()[1]),
        "match_plural": when_rendered(lambda: matches()[2]),
        "query": query,
        "status": status if status in Account.Status.values else "",
        "statuses": Account.Status.choices,
        # The account was read at the start of this request: its counter is current.
        "used": parent.open_subaccount_count,
        **row_urls(parent),
    }


def _with_row_state(context):
    """Every value a row reads, present even when empty: a row's key (`{% memo %}`) looks
    each one up once a row, and a missing name costs the template engine an exception and a
    log call each time."""
    context = {
        "failed": None,
        "row_done": "",
        "row_error": "",
        "rename_error": "",
        "rename_value": "",
        **context,
    }
    context["failed_pk"] = context["failed"].pk if context["failed"] else None
    return context


def _context(request, current, **extra):
    return _with_row_state(
        {
            "current": current,
            "account": current.account,
            "can_write": _can_write(current),
            "page": "subaccount_list",
            **_listing(request, current.account),
            **extra,
        }
    )


@login_required
@vary_on_headers("HX-Request")
@require_http_methods(["GET", "POST"])
def subaccount_list(request, sid):
    current = _main_account(request, sid)
    if request.method == "POST":
        return _subaccount_create(request, current)
    remember_account(request, current.account)
    # The results are remembered by the family's version (read here, before any of the
    # family): a second look at the same page of an unchanged family builds nothing.
    key = report_key(request, current, request.GET.urlencode())
    return render_page_or_partial(
        request,
        "accounts/subaccount_list.html",
        "results",
        _context(request, current, report_key=key),
    )


def _create_context(current, form=None, **extra):
    return {
        "current": current,
        "account": current.account,
        "form": form or SubaccountCreateForm(),
        "used": account_selectors.open_subaccount_count(account=current.account),
        "page": "subaccount_list",
        **extra,
    }


@login_required
@vary_on_headers("HX-Request")
@require_GET
def subaccount_create(request, sid):
    """The Create subaccount form: a dialog over HTMX, a page without JavaScript. It posts to
    the list (`subaccount_list`)."""
    current = _main_account(request, sid, scope=roles.SUBACCOUNTS_WRITE)
    return render_page_or_partial(
        request, "accounts/subaccount_create.html", "dialog", _create_context(current)
    )


def _subaccount_create(request, current):
    current.require(roles.SUBACCOUNTS_WRITE)
    form = SubaccountCreateForm(request.POST)
    created = form.submit(parent=current.account, actor=actor(request))
    if created:
        messages.success(request, f"Created subaccount “{created.friendly_name}” ({created.sid}).")
        if not request.htmx:
            return redirect("console:subaccount_list", sid=current.account.sid)
    context = _create_context(current, form=None if created else form, created=created)
    response = render_page_or_partial(
        request,
        "accounts/subaccount_create.html",
        "create",
        context,
        status=200 if created else FORM_ERROR_STATUS,
    )
    if created:
        trigger_client_event(response, ACCOUNT_CHANGED)
        trigger_client_event(response, SUBACCOUNTS_CHANGED)
    return response


# --- One subaccount ----------------------------------------------------------------------------


def _detail_context(current, subaccount, **extra):
    today = timezone.localdate()
    month_start = today.replace(day=1)
    # To the month's last day: a number's monthly charge is a record for the whole month.
    month_end = (month_start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    report = usage_selectors.usage_report(main=subaccount, start=month_start, end=month_end)
    numbers = number_selectors.phone_number_list(account=subaccount)
    spent = ledger_selectors.spent_this_month(subaccount)
    cap = subaccount.monthly_spend_cap
    cap_step = None
    if cap:
        cap_step = min(100, int(round(float(spent / cap) * 20)) * 5)
    return {
        "current": current,
        "account": current.account,
        "sub": subaccount,
        "can_write": _can_write(current),
        "page": "subaccount_list",
        "view": DETAIL_VIEW,
        "number_count": numbers.count(),
        "numbers": list(numbers[:DETAIL_NUMBERS_SHOWN]),
        "usage_rows": report.groups[0].rows if report.groups else [],
        "usage_total": report.total,
        "month_start": month_start,
        "today": today,
        "spent_this_month": spent,
        "cap_step": cap_step,
        "keys": account_selectors.keys_for(account=subaccount),
        "events": list(event_selectors.event_list(account=subaccount)[:DETAIL_EVENTS_SHOWN]),
        **extra,
    }


@login_required
@require_GET
def subaccount_detail(request, sid, subaccount_sid):
    """A subaccount's own page in its parent's console: what it is, holds, spends and did."""
    current = _main_account(request, sid)
    subaccount = _subaccount(current, subaccount_sid)
    remember_account(request, current.account)
    return render(request, "accounts/subaccount_detail.html", _detail_context(current, subaccount))


# --- Row actions (from the list or the subaccount's page) ----------------------------------


def _row_context(current, subaccount, **extra):
    return _with_row_state(
        {
            "current": current,
            "account": current.account,
            "sub": subaccount,
            "can_write": _can_write(current),
            # Read again: the row's action may just have closed a subaccount.
            "used": account_selectors.open_subaccount_count(account=current.account),
            **row_urls(current.account),
            **extra,
        }
    )


@login_required
@vary_on_headers("HX-Request")
@require_http_methods(["GET", "POST"])
def subaccount_rename(request, sid, subaccount_sid):
    """POST renames. GET is the list row's rename form, fetched when its Rename opens (the
    list does not carry 50 of them); without HTMX, the subaccount's page, which has one."""
    current = _main_account(request, sid, scope=roles.SUBACCOUNTS_WRITE)
    subaccount = _subaccount(current, subaccount_sid)
    if request.method == "GET":
        if not request.htmx:
            return redirect("console:subaccount_detail", current.account.sid, subaccount.sid)
        if subaccount.is_closed:
            raise Http404("A closed subaccount cannot be renamed.")
        return render(
            request,
            "accounts/subaccount_list.html#rename_form",
            _with_row_state({"sub": subaccount, **row_urls(current.account)}),
        )
    form = AccountRenameForm(request.POST)
    renamed = form.submit(account=subaccount, actor=actor(request))
    if renamed:
        return _after_row_action(request, current, renamed, done="Renamed")
    typed = request.POST.get("friendly_name", "")
    return _after_row_action(
        request, current, subaccount, rename_error=form.first_error, rename_value=typed
    )


@login_required
@require_POST
@reauthentication_required(when=lambda request: request.POST.get("action") == "close")
def subaccount_status(request, sid, subaccount_sid):
    current = _main_account(request, sid, scope=roles.SUBACCOUNTS_WRITE)
    subaccount = _subaccount(current, subaccount_sid)
    form = SubaccountStatusForm(request.POST)
    changed = form.submit(subaccount=subaccount, actor=actor(request))
    if changed:
        return _after_row_action(request, current, changed, done=form.verb)
    return _after_row_action(request, current, subaccount, row_error=form.first_error)


def _after_row_action(request, current, subaccount, *, done=None, **failure):
    """The answer to a row action: over HTMX the row (or the subaccount page's summary) with
    what happened or why not; without JavaScript a redirect with a message after success, or
    the whole page again with the refusal and what was typed."""
    on_detail = request.POST.get("view") == DETAIL_VIEW
    error = failure.get("rename_error") or failure.get("row_error")
    if done:
        messages.success(request, f"{done} “{subaccount.friendly_name}” ({subaccount.sid}).")
    if not request.htmx:
        if done:
            fallback = (
                reverse("console:subaccount_detail", args=[current.account.sid, subaccount.sid])
                if on_detail
                else reverse("console:subaccount_list", args=[current.account.sid])
            )
            return redirect(local_url(request, request.POST.get("next"), fallback))
        if on_detail:
            context = _detail_context(current, subaccount, **failure)
            template = "accounts/subaccount_detail.html"
        else:
            context = _context(request, current, failed=subaccount, **failure)
            template = "accounts/subaccount_list.html"
        return render(request, template, context, status=FORM_ERROR_STATUS)
    if on_detail:
        context = _detail_context(current, subaccount, row_done=done, **failure)
        response = render(
            request,
            "accounts/subaccount_detail.html#summary",
            context,
            status=FORM_ERROR_STATUS if error else 200,
        )
    else:
        context = _row_context(
            current, subaccount, row_done=done, failed=subaccount if error else None, **failure
        )
        response = render(
            request,
            "accounts/subaccount_list.html#row_update",
            context,
            status=FORM_ERROR_STATUS if error else 200,
        )
    if done:
        trigger_client_event(response, ACCOUNT_CHANGED)
    return response


@login_required
@vary_on_headers("HX-Request")
@require_GET
def subaccount_close_confirm(request, sid, subaccount_sid):
    """Close asks first, and shows what it does. A dialog with HTMX, a page without."""
    current = _main_account(request, sid, scope=roles.SUBACCOUNTS_WRITE)
    subaccount = _subaccount(current, subaccount_sid)
    context = {
        "current": current,
        "account": current.account,
        "sub": subaccount,
        "impact": account_selectors.close_impact(account=subaccount),
        "page": "subaccount_list",
        "view": DETAIL_VIEW if request.GET.get("view") == DETAIL_VIEW else "",
        "next": request.GET.get("next", ""),
    }
    return render_page_or_partial(request, "accounts/subaccount_close.html", "dialog", context)


# --- Bulk actions --------------------------------------------------------------------------------


def _bulk_page(request, current, context, *, status=200):
    context = {
        "current": current,
        "account": current.account,
        "page": "subaccount_list",
        "list_url": reverse("console:subaccount_list", args=[current.account.sid]),
        **context,
    }
    response = render_page_or_partial(
        request, "accounts/subaccount_bulk.html", "dialog", context, status=status
    )
    if request.htmx and request.method == "POST":
        # A refusal of the whole request (nothing chosen) stays in the dialog.
        retarget(response, "#modal-body")
        reswap(response, "innerHTML")
    return response


@login_required
@vary_on_headers("HX-Request")
@require_http_methods(["GET", "POST"])
def subaccount_bulk(request, sid):
    """Suspend, reactivate or close many subaccounts at once. The GET previews what would
    happen to each (done, already so, or refused and why; numbers released, keys stopped);
    the POST does it, one subaccount at a time, and says what was done and what refused."""
    current = _main_account(request, sid, scope=roles.SUBACCOUNTS_WRITE)
    parent = current.account
    if request.method == "GET":
        form = SubaccountSelectionForm(request.GET)
        if not form.is_valid():
            return _bulk_page(request, current, {"form": form}, status=FORM_ERROR_STATUS)
        subaccounts = list(form.selection(parent=parent))
        impact = account_selectors.status_change_impact(
            parent=parent, subaccounts=subaccounts, action=form.cleaned_data["action"]
        )
        context = {
            "form": form,
            "action": form.cleaned_data["action"],
            "impact": impact,
            "selected_count": len(subaccounts),
            "confirm_sids": ",".join(sub.sid for sub in impact.changing),
        }
        return _bulk_page(request, current, context)

    form = SubaccountBulkForm(request.POST)
    result = form.submit(parent=parent, actor=actor(request))
    if result is None:
        return _bulk_page(request, current, {"form": form}, status=FORM_ERROR_STATUS)
    summary = _bulk_summary(result)
    for level, text in summary:
        (messages.success if level == "success" else messages.warning)(request, text)
    if not request.htmx:
        listing = reverse("console:subaccount_list", args=[parent.sid])
        return redirect(local_url(request, request.POST.get("next"), listing))
    response = render(
        request,
        "accounts/subaccount_list.html#bulk_result",
        {"result": result, "verb": form.verb, "account": parent},
    )
    trigger_client_event(response, ACCOUNT_CHANGED)
    trigger_client_event(response, SUBACCOUNTS_CHANGED)
    return response


def _plural(count, noun):
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def _bulk_summary(result):
    """What a bulk action did, as messages: what changed, what already was, what refused."""
    verb = {"suspend": "Suspended", "reactivate": "Reactivated", "close": "Closed"}[result.action]
    lines = []
    if result.done:
        lines.append(("success", f"{verb} {_plural(len(result.done), 'subaccount')}."))
    if result.unchanged:
        lines.append(
            ("success", f"{_plural(len(result.unchanged), 'subaccount')} already were: no change.")
        )
    if result.refused:
        names = "; ".join(f"{sub.friendly_name}: {why}" for sub, why in result.refused[:5])
        more = len(result.refused) - 5
        lines.append(
            (
                "warning",
                f"Refused {_plural(len(result.refused), 'subaccount')} ({names}"
                + (f"; and {more} more" if more > 0 else "")
                + ").",
            )
        )
    if not lines:
        lines.append(("success", "Nothing to change."))
    return lines
