"""The Phone numbers pages: the numbers an account holds, buying, renaming, releasing and
moving them within the family."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import reswap, retarget, trigger_client_event

from .. import errors, roles
from ..forms.numbers import (
    AvailableNumberSearchForm,
    NumberBuyForm,
    NumberReleaseForm,
    NumberRenameForm,
    NumberTransferForm,
)
from ..selectors import accounts as account_selectors
from ..selectors import numbers as number_selectors
from ..templatetags.money import usd
from .common import (
    FORM_ERROR_STATUS,
    actor,
    current_account,
    remember_account,
    render_page_or_partial,
    search_query,
)

PAGE_SIZE = 50
NUMBERS_CHANGED = "phoneNumbersChanged"


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
    numbers_held = number_selectors.phone_number_list(account=current.account, query=query)
    return _row_context(
        request,
        current,
        query=query,
        page_obj=Paginator(numbers_held, PAGE_SIZE).get_page(request.GET.get("page")),
        **extra,
    )


def _number(current, number_sid):
    number = number_selectors.phone_number_get(account=current.account, sid=number_sid)
    if number is None:
        raise Http404(errors.NOT_YOUR_NUMBER)
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
    form = NumberRenameForm(request.POST)
    renamed = form.submit(number=number, actor=actor(request))
    if renamed:
        if request.htmx:
            return _row_response(request, current, renamed, row_done="Renamed")
        messages.success(request, f"Renamed {renamed.phone_number} to “{renamed.friendly_name}”.")
        return redirect("console:phone_number_list", sid=current.account.sid)
    state = {"row_error": form.first_error, "rename_value": request.POST.get("friendly_name", "")}
    if request.htmx:
        return _row_response(request, current, number, status=FORM_ERROR_STATUS, **state)
    context = _numbers_context(request, current, row_sid=number.sid, failed=number, **state)
    return render(request, "billing/phone_number_list.html", context, status=FORM_ERROR_STATUS)


def _confirm_or_act(request, current, number, form, *, template, done, message, **context):
    """A row action that asks first (release, transfer): the GET asks (a dialog over HTMX, a
    page without), the POST submits `form`. A refusal is shown in the dialog or page with what
    was chosen; success replaces the row over HTMX and redirects otherwise. `done` and
    `message` say what happened, from the valid form."""
    error = None
    if request.method == "POST":
        acted = form.submit(number=number, actor=actor(request), **context)
        if acted:
            if not request.htmx:
                messages.success(request, message(form))
                return redirect("console:phone_number_list", sid=current.account.sid)
            response = _row_response(request, current, acted, row_done=done(form), row_gone=True)
            retarget(response, f"#row-{acted.sid}")
            return reswap(response, "outerHTML")
        error = form.first_error
    page = _row_context(request, current, num=number, in_dialog=bool(request.htmx), error=error)
    if isinstance(form, NumberTransferForm):
        page["targets"] = account_selectors.transfer_targets(
            main=context["main"], exclude=current.account
        )
        page["chosen"] = request.POST.get("target", "")
    status = FORM_ERROR_STATUS if error else 200
    return render_page_or_partial(request, template, "dialog", page, status=status)


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
        NumberReleaseForm(request.POST if request.method == "POST" else None),
        template="billing/phone_number_release.html",
        done=lambda form: "Released",
        message=lambda form: f"Released {number.phone_number}.",
    )


@login_required
@vary_on_headers("HX-Request")
@require_http_methods(["GET", "POST"])
def phone_number_transfer(request, sid, number_sid):
    """Move a number to the main account or another of its subaccounts. Only the main account
    may ask, so the user needs phone_numbers:transfer there, not only on this subaccount."""
    current = current_account(request, sid)
    if not _can_transfer(request, current):
        raise PermissionDenied(errors.TRANSFER_NOT_PERMITTED)
    number = _number(current, number_sid)
    main = current.account.main_account
    form = NumberTransferForm(
        request.POST if request.method == "POST" else None,
        family=account_selectors.family_accounts(main=main),
    )

    def moved_to(form):
        target = form.cleaned_data["target"]
        return f"{target.friendly_name} ({target.sid})"

    return _confirm_or_act(
        request,
        current,
        number,
        form,
        template="billing/phone_number_transfer.html",
        done=lambda form: f"Moved to {form.cleaned_data['target'].friendly_name}",
        message=lambda form: f"Moved {number.phone_number} to {moved_to(form)}.",
        main=main,
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
        bought = form.submit(account=account, actor=actor(request))
        error = form.first_error
        if bought and not request.htmx:
            messages.success(
                request,
                f"Bought {bought.phone_number}. {_monthly(bought)} a month is charged to the "
                "balance.",
            )
            return redirect("console:phone_number_list", sid=account.sid)
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
        "available": (
            number_selectors.available_numbers(contains=contains) if search.is_valid() else []
        ),
        "bought": bought,
        "buy_error": error,
        "buy_number": request.POST.get("phone_number", ""),
        "trial_subaccount_numbers": errors.TRIAL_SUBACCOUNT_NUMBERS,
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
