"""The Billing page: the balance and its ledger; adding funds, the upgrade of a trial
account and auto-recharge (payments:write: Owners and Billing Managers); transfers between a
main account and its subaccounts with their own balance (billing:write)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dates import MONTHS_3
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from .. import roles
from ..forms.ledger import (
    AddFundsForm,
    AutoRechargeForm,
    LedgerFilterForm,
    TransferForm,
    TransferReverseForm,
    UpgradeForm,
)
from ..models import Payment
from ..payments import backend_get
from ..selectors import ledger as ledger_selectors
from ..services.balances import money
from ..services.payments import BILLING_FIELDS
from ..templatetags.money import signed_usd, usd
from .common import (
    FORM_ERROR_STATUS,
    actor,
    current_account,
    remember_account,
    render_page_or_partial,
    report_key,
    when_rendered,
)

PAGE_SIZE = 50
Status = Payment.Status


def _transfer_form(current, data=None):
    """The transfer form of this page, or None where nobody may transfer: a main account
    chooses among its subaccounts with their own balance; such a subaccount transfers with
    its parent."""
    account = current.account
    if not current.can(roles.BILLING_WRITE) or account.is_closed:
        return None
    if account.parent_id is None:
        subaccounts = list(ledger_selectors.own_balance_subaccounts(main=account))
    elif account.own_balance:
        subaccounts = [account]
    else:
        return None
    if not subaccounts:
        return None
    return TransferForm(data, subaccounts=subaccounts)


def _auto_recharge_form(account, data=None):
    if data is not None:
        return AutoRechargeForm(data)
    return AutoRechargeForm(
        initial={
            "enabled": account.auto_recharge_on,
            **(
                {
                    "threshold": account.auto_recharge_threshold,
                    "amount": account.auto_recharge_amount,
                }
                if account.auto_recharge_on
                else {}
            ),
        }
    )


def _ledger_page(entries, number):
    """The page of the ledger asked for, each entry with what its row shows worked out once
    here (its date as "c", "M j, Y" and "H:i" in UTC; its amounts as money), rather than by
    five template filters per row."""
    page = Paginator(entries, PAGE_SIZE).get_page(number)
    page.object_list = list(page.object_list)
    months = {}
    for entry in page.object_list:
        when = timezone.localtime(entry.date_created)
        if when.month not in months:
            months[when.month] = str(MONTHS_3[when.month]).title()
        entry.when_iso = when.isoformat()
        entry.when_day = f"{months[when.month]} {when.day}, {when.year:04d}"
        entry.when_time = f"{when.hour:02d}:{when.minute:02d}"
        entry.amount_shown = signed_usd(entry.amount)
        entry.balance_after_shown = usd(entry.balance_after)
    return page


def _context(request, current, *, transfer_form=None, auto_recharge_form=None):
    """What the page shows, each part worked out only when the template asks for it (which
    it does not when it remembers the page: see `billing`)."""
    account = current.account
    filter_form = LedgerFilterForm(request.GET)
    kind = filter_form.cleaned_data["kind"] if filter_form.is_valid() else ""
    context = {
        "current": current,
        "account": account,
        "paying": when_rendered(lambda: account.paying_account),
        "filter_form": filter_form,
        "kind": kind,
        "page_obj": when_rendered(
            lambda: _ledger_page(
                ledger_selectors.ledger_entry_list(account=account, kind=kind),
                request.GET.get("page"),
            )
        ),
        "page": "billing",
    }
    if request.htmx and transfer_form is None and auto_recharge_form is None:
        return context  # the ledger's partial
    is_main = account.parent_id is None
    can_pay = is_main and current.can(roles.PAYMENTS_WRITE) and not account.is_closed
    context |= {
        "is_main": is_main,
        "can_pay": can_pay,
        "transfer_form": transfer_form or when_rendered(_transfer_form, current),
        "transfers": when_rendered(ledger_selectors.transfer_list, account=account)
        if is_main or account.own_balance
        else [],
        "can_transfer": current.can(roles.BILLING_WRITE) and not account.is_closed,
    }
    if account.parent_id and not account.own_balance and account.monthly_spend_cap is not None:
        context["spent_this_month"] = when_rendered(ledger_selectors.spent_this_month, account)
    if is_main:
        context |= {
            "payments": when_rendered(ledger_selectors.payment_list, account=account),
            "payments_waiting": when_rendered(ledger_selectors.payments_waiting, account=account),
            "auto_recharge_notice": when_rendered(
                ledger_selectors.auto_recharge_notice, account=account
            ),
            "auto_recharge_form": auto_recharge_form
            or (_auto_recharge_form(account) if can_pay else None),
        }
        if account.is_trial:
            context["trial_credit_left"] = when_rendered(
                ledger_selectors.trial_credit_remaining, account
            )
    return context


@login_required
@vary_on_headers("HX-Request")
@require_GET
def billing(request, sid):
    """The balance the account spends and the ledger behind it, with what may be done:
    remembered by the family's version (`report_key`), so that a second look builds
    nothing."""
    current = current_account(request, sid, scope=roles.BILLING_READ)
    if not request.htmx:
        remember_account(request, current.account)
    context = _context(request, current)
    context["report_key"] = report_key(
        request, current, request.GET.get("kind"), request.GET.get("page")
    )
    return render_page_or_partial(request, "billing/billing.html", "ledger", context)


def _main_for_payments(request, sid):
    current = current_account(request, sid, scope=roles.PAYMENTS_WRITE)
    if current.account.parent_id is not None:
        # A subaccount is funded by its parent: it has no payments of its own.
        raise Http404("Payments go to main accounts.")
    return current


def _announce(request, payment):
    """Say what happened to a payment that did not fail."""
    amount = money(payment.amount)
    if payment.status == Status.PENDING:
        messages.info(
            request,
            f"Your payment of ${amount} is waiting for support's approval: the balance "
            "changes once it is approved.",
        )
    elif payment.purpose == Payment.Purpose.UPGRADE:
        messages.success(
            request,
            f"Upgraded to Full: the trial limits are gone, and the balance is the ${amount} "
            "you paid." + (" Test money: no one was charged." if payment.test_money else ""),
        )
    else:
        messages.success(
            request,
            f"Added ${amount} to the balance."
            + (" Test money: no one was charged." if payment.test_money else ""),
        )


def _failed(form, payment):
    form.add_error(
        None,
        f"The payment of ${money(payment.amount)} did not go through: {payment.failure_message}",
    )


@login_required
@require_http_methods(["GET", "POST"])
def funds_add(request, sid):
    """Add funds to a Full main account through the payments backend."""
    current = _main_for_payments(request, sid)
    account = current.account
    if account.is_trial:
        return redirect("console:account_upgrade", sid=sid)
    form = AddFundsForm(request.POST if request.method == "POST" else None)
    status = 200
    if form.is_bound:
        if account.is_closed:
            raise Http404("A closed account's balance cannot change.")
        payment = form.submit(account=account, actor=actor(request))
        if payment is not None and payment.status == Status.FAILED:
            _failed(form, payment)
        elif payment is not None:
            _announce(request, payment)
            return redirect("console:billing", sid=sid)
        status = FORM_ERROR_STATUS
    context = {
        "current": current,
        "account": account,
        "form": form,
        "backend": backend_get(),
        "page": "billing",
    }
    return render(request, "billing/funds_add.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def account_upgrade(request, sid):
    """Upgrade a trial account: billing details, then the first payment."""
    current = _main_for_payments(request, sid)
    account = current.account
    if not account.is_trial:
        messages.info(request, "This account is already a Full account.")
        return redirect("console:billing", sid=sid)
    if account.is_closed:
        raise Http404("A closed account cannot be upgraded.")
    billing = getattr(account, "billing", None)
    if request.method == "POST":
        form = UpgradeForm(request.POST)
    else:
        if billing is not None:
            initial = {name: getattr(billing, name) for name in BILLING_FIELDS}
        else:
            initial = {"contact_name": request.user.full_name, "contact_email": request.user.email}
        form = UpgradeForm(initial=initial)
    status = 200
    if form.is_bound:
        payment = form.submit(account=account, actor=actor(request))
        if payment is not None and payment.status == Status.FAILED:
            _failed(form, payment)
        elif payment is not None:
            _announce(request, payment)
            if payment.status == Status.SUCCEEDED:
                return redirect("console:account_dashboard", sid=sid)
            return redirect("console:billing", sid=sid)
        status = FORM_ERROR_STATUS
    context = {
        "current": current,
        "account": account,
        "form": form,
        "waiting": account.payments.filter(
            purpose=Payment.Purpose.UPGRADE, status=Status.PENDING
        ).first(),
        "trial_credit_left": ledger_selectors.trial_credit_remaining(account),
        "backend": backend_get(),
        "page": "billing",
    }
    return render(request, "billing/account_upgrade.html", context, status=status)


@login_required
@require_POST
def auto_recharge(request, sid):
    """Turn auto-recharge on (threshold and amount) or off."""
    current = _main_for_payments(request, sid)
    form = _auto_recharge_form(current.account, request.POST)
    if form.submit(account=current.account, actor=actor(request)):
        on = form.cleaned_data["enabled"]
        messages.success(request, "Auto-recharge is on." if on else "Auto-recharge is off.")
        return redirect("console:billing", sid=sid)
    return render(
        request,
        "billing/billing.html",
        _context(request, current, auto_recharge_form=form),
        status=FORM_ERROR_STATUS,
    )


@login_required
@require_POST
def balance_transfer(request, sid):
    """Move money between a main account and one of its subaccounts with its own balance."""
    current = current_account(request, sid, scope=roles.BILLING_WRITE)
    form = _transfer_form(current, request.POST)
    if form is None:
        raise Http404("Nothing to transfer with.")
    account = current.account
    main = account if account.parent_id is None else account.parent
    transfer = form.submit(main=main, actor=actor(request))
    if transfer is not None:
        messages.success(request, _transferred(transfer))
        return redirect("console:billing", sid=sid)
    return render(
        request,
        "billing/billing.html",
        _context(request, current, transfer_form=form),
        status=FORM_ERROR_STATUS,
    )


def _transferred(transfer):
    amount = money(transfer.amount)
    if transfer.to_subaccount:
        return f"Transferred ${amount} to {transfer.subaccount_name}."
    return f"Transferred ${amount} from {transfer.subaccount_name} to its parent."


@login_required
@require_http_methods(["GET", "POST"])
def balance_transfer_reverse(request, sid, transfer_sid):
    """Reverse a transfer: a confirmation (a dialog with HTMX, a page without), then the POST
    that does it."""
    current = current_account(request, sid, scope=roles.BILLING_WRITE)
    transfer = ledger_selectors.transfer_get(account=current.account, sid=transfer_sid)
    form = TransferReverseForm(request.POST if request.method == "POST" else None)
    status = 200
    if form.is_bound:
        reversal = form.submit(transfer=transfer, actor=actor(request))
        if reversal is not None:
            messages.success(
                request, f"Reversed {transfer.sid}: ${money(transfer.amount)} went back."
            )
            return redirect("console:billing", sid=sid)
        status = FORM_ERROR_STATUS
    context = {
        "current": current,
        "account": current.account,
        "transfer": transfer,
        "form": form,
        "page": "billing",
    }
    return render_page_or_partial(
        request, "billing/transfer_reverse.html", "dialog", context, status=status
    )
