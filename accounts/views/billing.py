"""The Billing page: the balance (a subaccount sees its parent's, read-only) and its ledger."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from .. import roles
from ..forms.ledger import LedgerFilterForm
from ..selectors import ledger as ledger_selectors
from .common import current_account, remember_account, render_page_or_partial

PAGE_SIZE = 50


@login_required
@vary_on_headers("HX-Request")
@require_GET
def billing(request, sid):
    """The balance (a subaccount sees its parent's, read-only) and the ledger behind it."""
    current = current_account(request, sid, scope=roles.BILLING_READ)
    account = current.account
    filter_form = LedgerFilterForm(request.GET)
    kind = filter_form.cleaned_data["kind"] if filter_form.is_valid() else ""
    entries = ledger_selectors.ledger_entry_list(account=account, kind=kind)
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
            context["spent_this_month"] = ledger_selectors.spent_this_month(account)
    return render_page_or_partial(request, "billing/billing.html", "ledger", context)
