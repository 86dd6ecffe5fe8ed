"""The Usage triggers page of an account: its triggers (value, current value, last fired,
last delivery), a form to create one, deleting one, and the deliveries of one trigger with
each try. Reading needs usage_triggers:read, changing usage_triggers:write (roles.py)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.views.decorators.http import require_GET, require_http_methods
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import trigger_client_event

from .. import errors, roles
from ..forms.triggers import UsageTriggerForm
from ..models.usage import category_label, category_units
from ..selectors import triggers as selectors
from ..services import triggers as trigger_services
from .common import (
    FORM_ERROR_STATUS,
    actor,
    current_account,
    remember_account,
    render_page_or_partial,
)

PAGE_SIZE = 50
DELIVERIES_PAGE_SIZE = 20


def _with_units(triggers):
    """Each trigger's current value with the unit of what it watches (for `measured`)."""
    triggers = list(triggers)
    selectors.current_values_attach(triggers)
    for trigger in triggers:
        count_unit, usage_unit = category_units(trigger.usage_category)
        trigger.unit = {"price": "usd", "count": count_unit, "usage": usage_unit}[
            trigger.trigger_by
        ]
        trigger.category_label = category_label(trigger.usage_category)
    return triggers


def _list_context(request, current, form):
    account = current.account
    page = Paginator(selectors.usage_trigger_list(account=account), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    page.object_list = _with_units(page.object_list)
    return {
        "current": current,
        "account": account,
        "form": form,
        "page_obj": page,
        "can_write": current.can(roles.USAGE_TRIGGERS_WRITE) and not account.is_closed,
        "page": "usage_triggers",
    }


@login_required
@vary_on_headers("HX-Request")
@require_http_methods(["GET", "POST"])
def usage_trigger_list(request, sid):
    """GET: the triggers and the form. POST: create one (usage_triggers:write)."""
    current = current_account(request, sid, scope=roles.USAGE_TRIGGERS_READ)
    form = UsageTriggerForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        current.require(roles.USAGE_TRIGGERS_WRITE)
        if current.account.is_closed:
            form.add_error(None, errors.TRIGGER_ACCOUNT_CLOSED)
        trigger = (
            form.save(account=current.account, actor=actor(request)) if form.is_valid() else None
        )
        if trigger is None:
            status = FORM_ERROR_STATUS
        elif not request.htmx:
            messages.success(request, f"Created the usage trigger {trigger.sid}.")
            return redirect("console:usage_trigger_list", sid=current.account.sid)
        else:
            form = UsageTriggerForm()
    elif not request.htmx:
        remember_account(request, current.account)
    response = render_page_or_partial(
        request,
        "billing/usage_trigger_list.html",
        "triggers",
        _list_context(request, current, form),
        status=status,
    )
    if request.method == "POST" and status == 200:
        trigger_client_event(response, "usageTriggersChanged")
    return response


@login_required
@vary_on_headers("HX-Request")
@require_http_methods(["GET", "POST"])
def usage_trigger_delete(request, sid, trigger_sid):
    """GET asks first; POST deletes the trigger with its deliveries."""
    current = current_account(request, sid, scope=roles.USAGE_TRIGGERS_WRITE)
    trigger = selectors.usage_trigger_get(account=current.account, sid=trigger_sid)
    if request.method == "POST":
        trigger_services.usage_trigger_delete(trigger=trigger, actor=actor(request))
        messages.success(request, f"Deleted the usage trigger {trigger.sid}.")
        return redirect("console:usage_trigger_list", sid=current.account.sid)
    _with_units([trigger])
    return render_page_or_partial(
        request,
        "billing/usage_trigger_delete.html",
        "dialog",
        {
            "current": current,
            "account": current.account,
            "trigger": trigger,
            "in_dialog": bool(request.htmx),
            "page": "usage_triggers",
        },
    )


@login_required
@vary_on_headers("HX-Request")
@require_GET
def usage_trigger_deliveries(request, sid, trigger_sid):
    """One trigger's deliveries, newest first, with every try: when, status, time, error."""
    current = current_account(request, sid, scope=roles.USAGE_TRIGGERS_READ)
    trigger = selectors.usage_trigger_get(account=current.account, sid=trigger_sid)
    _with_units([trigger])
    page = Paginator(
        selectors.usage_trigger_delivery_list(trigger=trigger), DELIVERIES_PAGE_SIZE
    ).get_page(request.GET.get("page"))
    return render_page_or_partial(
        request,
        "billing/usage_trigger_deliveries.html",
        "deliveries",
        {
            "current": current,
            "account": current.account,
            "trigger": trigger,
            "page_obj": page,
            "can_write": current.can(roles.USAGE_TRIGGERS_WRITE) and not current.account.is_closed,
            "page": "usage_triggers",
        },
    )
