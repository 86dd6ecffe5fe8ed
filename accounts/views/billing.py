"""Console pages about money: Billing (balance and ledger), Phone numbers, Usage."""

import csv
from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import reswap, retarget, trigger_client_event

from .. import billing as billing_services
from .. import errors, numbers, roles, selectors_billing
from ..forms import FriendlyNameForm
from ..forms_billing import (
    AvailableNumberSearchForm,
    LedgerFilterForm,
    NumberBuyForm,
    NumberTransferForm,
    UsageRangeForm,
)
from ..templatetags.money import usd
from .common import (
    FORM_ERROR_STATUS,
    current_account,
    remember_account,
    render_page_or_partial,
    search_query,
)

PAGE_SIZE = 50
NUMBERS_CHANGED = "phoneNumbersChanged"
NOT_YOUR_NUMBER = "No such phone number on this account."

# The usage chart's geometry (SVG user units; the SVG scales to its container).
CHART_ROW = 26
CHART_LABEL_WIDTH = 230
CHART_BAR_WIDTH = 380
CHART_VALUE_WIDTH = 110
CHART_PADDING = 6


# Billing ------------------------------------------------------------------------------------


@login_required
@vary_on_headers("HX-Request")
@require_GET
def billing(request, sid):
    """The balance (a subaccount sees its parent's, read-only) and the ledger behind it."""
    current = current_account(request, sid, scope=roles.BILLING_READ)
    account = current.account
    filter_form = LedgerFilterForm(request.GET)
    kind = filter_form.cleaned_data["kind"] if filter_form.is_valid() else ""
    entries = selectors_billing.ledger_entry_list(account=account, kind=kind)
    context = {
        "current": current,
        "account": account,
        "paying": account.main_account,
        "filter_form": filter_form,
        "kind": kind,
        "page_obj": Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page")),
        "page": "billing",
    }
    if not request.htmx:
        remember_account(request, account)
        if account.is_subaccount and account.monthly_spend_cap is not None:
            context["spent_this_month"] = billing_services.spent_this_month(account)
    return render_page_or_partial(request, "billing/billing.html", "ledger", context)


# Phone numbers ------------------------------------------------------------------------------


def _can_transfer(request, current):
    """Numbers move only at the main account's request: phone_numbers:transfer is one of the
    parent's powers, held by its Owner and Administrators (see roles.PARENT_SCOPES)."""
    return current.can(roles.PHONE_NUMBERS_TRANSFER) and not current.account.is_closed


def _row_context(request, current, **extra):
    can_write = current.can(roles.PHONE_NUMBERS_WRITE) and not current.account.is_closed
    return {
        "current": current,
        "account": current.account,
        "can_write": can_write,
        # Only an active account buys numbers (the service refuses the others).
        "can_buy": can_write and current.account.is_active,
        "can_transfer": _can_transfer(request, current),
        "page": "phone_number_list",
        **extra,
    }


def _numbers_context(request, current, **extra):
    query = search_query(request)
    numbers_held = selectors_billing.phone_number_list(account=current.account, query=query)
    return _row_context(
        request,
        current,
        query=query,
        page_obj=Paginator(numbers_held, PAGE_SIZE).get_page(request.GET.get("page")),
        **extra,
    )


def _number(current, number_sid):
    number = selectors_billing.phone_number_get(account=current.account, sid=number_sid)
    if number is None:
        raise Http404(NOT_YOUR_NUMBER)
    return number


@login_required
@vary_on_headers("HX-Request")
@require_GET
def phone_number_list(request, sid):
    current = current_account(request, sid)
    if not request.htmx:
        remember_account(request, current.account)
    return render_page_or_partial(
        request,
        "billing/phone_number_list.html",
        "results",
        _numbers_context(request, current),
    )


def _row_response(request, current, number, *, status=200, **state):
    """The number's row after an action: done (with what happened) or refused (with why)."""
    context = _row_context(request, current, num=number, row_sid=number.sid, **state)
    response = render(request, "billing/phone_number_list.html#row", context, status=status)
    if status == 200:
        trigger_client_event(response, NUMBERS_CHANGED)
    return response


@login_required
@require_POST
def phone_number_rename(request, sid, number_sid):
    current = current_account(request, sid, scope=roles.PHONE_NUMBERS_WRITE)
    number = _number(current, number_sid)
    form = FriendlyNameForm(request.POST)
    error = None
    if form.is_valid():
        try:
            number = numbers.number_rename(
                number=number, friendly_name=form.cleaned_data["friendly_name"]
            )
        except errors.AccountError as refusal:
            error = refusal.message
    else:
        error = form.errors["friendly_name"][0]
    if error is None:
        if request.htmx:
            return _row_response(request, current, number, row_done="Renamed")
        messages.success(request, f"Renamed {number.phone_number} to “{number.friendly_name}”.")
        return redirect("phone_number_list", sid=current.account.sid)
    state = {"row_error": error, "rename_value": request.POST.get("friendly_name", "")}
    if request.htmx:
        return _row_response(request, current, number, status=FORM_ERROR_STATUS, **state)
    context = _numbers_context(request, current, row_sid=number.sid, failed=number, **state)
    return render(request, "billing/phone_number_list.html", context, status=FORM_ERROR_STATUS)


def _confirm_or_act(request, current, number, *, template, action, done, message, extra=None):
    """A row action that asks first (release, transfer): the GET asks (a dialog over HTMX, a
    page without), the POST acts. A refusal is shown in the dialog or page with what was
    chosen; success replaces the row over HTMX and redirects otherwise."""
    if request.method == "POST" and not (extra or {}).get("error"):
        try:
            number = action()
        except errors.AccountError as refusal:
            extra = {**(extra or {}), "error": refusal.message}
        else:
            if not request.htmx:
                messages.success(request, message)
                return redirect("phone_number_list", sid=current.account.sid)
            response = _row_response(request, current, number, row_done=done, row_gone=True)
            retarget(response, f"#row-{number.sid}")
            return reswap(response, "outerHTML")
    context = _row_context(
        request, current, num=number, in_dialog=bool(request.htmx), **(extra or {})
    )
    status = FORM_ERROR_STATUS if context.get("error") else 200
    return render_page_or_partial(request, template, "dialog", context, status=status)


@login_required
@vary_on_headers("HX-Request")
@require_http_methods(["GET", "POST"])
def phone_number_release(request, sid, number_sid):
    """Release asks first: the number goes back to the inventory and stops working here."""
    current = current_account(request, sid, scope=roles.PHONE_NUMBERS_WRITE)
    number = _number(current, number_sid)
    return _confirm_or_act(
        request,
        current,
        number,
        template="billing/phone_number_release.html",
        action=lambda: numbers.number_release(number=number, acting_user=request.user),
        done="Released",
        message=f"Released {number.phone_number}.",
    )


@login_required
@vary_on_headers("HX-Request")
@require_http_methods(["GET", "POST"])
def phone_number_transfer(request, sid, number_sid):
    """Move a number to the main account or another of its subaccounts. Only the main account
    may ask, so the user needs phone_numbers:transfer there, not only on this subaccount."""
    current = current_account(request, sid)
    if not _can_transfer(request, current):
        raise PermissionDenied("Only users who manage the main account's numbers can move them.")
    number = _number(current, number_sid)
    main = current.account.main_account
    form = NumberTransferForm(request.POST if request.method == "POST" else None)
    extra = {
        "targets": selectors_billing.transfer_targets(main=main, exclude=current.account),
        "chosen": request.POST.get("target", ""),
    }
    target = None
    if request.method == "POST":
        if form.is_valid():
            # Looked up inside the family only: an unrelated SID and one that does not exist
            # get the same refusal.
            target = (
                selectors_billing.family_accounts(main=main)
                .filter(sid=form.cleaned_data["target"])
                .first()
            )
            if target is None:
                extra["error"] = numbers.TransferTargetUnrelated.message
        else:
            extra["error"] = form.errors["target"][0]
    moved_to = f"{target.friendly_name} ({target.sid})" if target else ""
    return _confirm_or_act(
        request,
        current,
        number,
        template="billing/phone_number_transfer.html",
        action=lambda: numbers.number_transfer(
            number=number, target=target, acting_account=main, acting_user=request.user
        ),
        done=f"Moved to {target.friendly_name}" if target else "",
        message=f"Moved {number.phone_number} to {moved_to}.",
        extra=extra,
    )


@login_required
@vary_on_headers("HX-Request")
@require_http_methods(["GET", "POST"])
def phone_number_buy(request, sid):
    """Search the inventory and buy a number; its first month is charged at once."""
    current = current_account(request, sid, scope=roles.PHONE_NUMBERS_WRITE)
    account = current.account
    source = request.POST if request.method == "POST" else request.GET
    search = AvailableNumberSearchForm(source)
    contains = search.cleaned_data["contains"] if search.is_valid() else ""
    bought = error = None
    status = 200
    if request.method == "POST":
        form = NumberBuyForm(request.POST)
        if form.is_valid():
            try:
                bought = numbers.number_buy(
                    account=account,
                    phone_number=form.cleaned_data["phone_number"],
                    acting_user=request.user,
                )
            except errors.AccountError as refusal:
                error = refusal.message
        else:
            error = form.errors["phone_number"][0]
        if bought and not request.htmx:
            messages.success(
                request,
                f"Bought {bought.phone_number}. {_monthly(bought)} a month is charged to the "
                "balance.",
            )
            return redirect("phone_number_list", sid=account.sid)
        status = FORM_ERROR_STATUS if error else 200
        if bought:
            account.refresh_from_db(fields=["balance"])
            if account.parent_id:
                account.parent.refresh_from_db(fields=["balance"])
    elif not search.is_valid():
        status = FORM_ERROR_STATUS
    if not request.htmx:
        remember_account(request, account)
    context = {
        "current": current,
        "account": account,
        "search": search,
        "contains": contains,
        "available": numbers.available_numbers(contains=contains) if search.is_valid() else [],
        "bought": bought,
        "buy_error": error,
        "buy_number": request.POST.get("phone_number", ""),
        "page": "phone_number_list",
    }
    response = render_page_or_partial(
        request, "billing/phone_number_buy.html", "available", context, status=status
    )
    if bought:
        trigger_client_event(response, NUMBERS_CHANGED)
    return response


def _monthly(number):
    return usd(number.monthly_price)


# Usage --------------------------------------------------------------------------------------


@login_required
@vary_on_headers("HX-Request")
@require_GET
def usage(request, sid):
    """Usage of a main account and its subaccounts over any date range, as a table, a chart
    and a CSV download."""
    current = current_account(request, sid, scope=roles.USAGE_READ)
    account = current.account
    if account.is_subaccount:
        # Usage is reported for the whole family on the main account's page.
        raise Http404("Subaccounts have no usage page of their own.")
    form = UsageRangeForm.from_query(request.GET)
    report = None
    if form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
        report = selectors_billing.usage_report(main=account, start=start, end=end)
        if request.GET.get("format") == "csv":
            return _usage_csv(account, start, end, report)
    if not request.htmx:
        remember_account(request, account)
    context = {
        "current": current,
        "account": account,
        "form": form,
        "report": report,
        # The totals and the chart cover every account; the table shows 50 accounts a page.
        "groups_page": Paginator(report.groups, PAGE_SIZE).get_page(request.GET.get("page"))
        if report
        else None,
        "chart": _chart_geometry(report.chart) if report else None,
        "presets": _range_presets(),
        "page": "usage",
    }
    return render_page_or_partial(
        request,
        "billing/usage.html",
        "report",
        context,
        status=200 if report else FORM_ERROR_STATUS,
    )


def _range_presets():
    today = timezone.localdate()
    first = today.replace(day=1)
    last_month_end = first - timedelta(days=1)
    return [
        ("This month", first, today),
        ("Last month", last_month_end.replace(day=1), last_month_end),
        ("This year", today.replace(month=1, day=1), today),
    ]


CSV_HEADER = ["account_sid", "friendly_name", "category", "quantity", "price"]
# A cell starting with one of these is a formula to a spreadsheet; a subaccount's name is
# chosen by whoever holds its credentials, so it is written as text (OWASP: a leading quote).
CSV_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _csv_text(text):
    return "'" + text if text.startswith(CSV_FORMULA_STARTS) else text


def _usage_csv(account, start, end, report):
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="usage-{account.sid}-{start.isoformat()}-{end.isoformat()}.csv"'
    )
    writer = csv.writer(response)
    writer.writerow(CSV_HEADER)
    for group in report.groups:
        for row in group.rows:
            writer.writerow(
                [
                    group.sid,
                    _csv_text(group.friendly_name),
                    row["category"],
                    row["quantity"],
                    row["cost"],
                ]
            )
    return response


def _chart_geometry(bars):
    """Where each bar goes in the SVG: one row per account, widths relative to the largest."""
    for index, bar in enumerate(bars):
        bar["y"] = CHART_PADDING + index * CHART_ROW
        bar["text_y"] = bar["y"] + CHART_ROW / 2 + 4
        bar["x"] = CHART_LABEL_WIDTH
        bar["width"] = round(max(bar["share"] * CHART_BAR_WIDTH, 1 if bar["cost"] else 0), 1)
        bar["value_x"] = CHART_LABEL_WIDTH + bar["width"] + 6
    return {
        "bars": bars,
        "width": CHART_LABEL_WIDTH + CHART_BAR_WIDTH + CHART_VALUE_WIDTH,
        "height": CHART_PADDING * 2 + len(bars) * CHART_ROW,
        "bar_height": CHART_ROW - 8,
        "label_x": CHART_LABEL_WIDTH - 8,
    }
