"""Console pages about accounts: the accounts list, the switcher, the dashboard, settings."""

from decimal import Decimal

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect, trigger_client_event

from .. import errors, roles
from ..forms.accounts import (
    AccountCloseForm,
    AccountCreateForm,
    AccountRenameForm,
    AutoDeletionForm,
    OwnBalanceForm,
    SpendCapForm,
)
from ..selectors import accounts as account_selectors
from ..selectors import events as event_selectors
from ..selectors import ledger as ledger_selectors
from ..selectors.versions import family_version_as_read
from ..services import two_factor as two_factor_services
from ..sessions import switcher_rows_read_with_session
from ..templatetags.cached_urls import cached_reverse
from .common import (
    ACCOUNT_CHANGED,
    CURRENT_ACCOUNT_CHANGED,
    FORM_ERROR_STATUS,
    LAST_ACCOUNT_SESSION_KEY,
    RECENT_ACCOUNTS_SESSION_KEY,
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

SWITCHER_LIMIT = 50
SWITCHER_SUBACCOUNTS_SHOWN = 10
# Stands for the SID in a reversed URL (a valid one, which no account has: all zeros).
SID_SLOT = "AC" + "0" * 32
# Pages that exist on every account; switching from any other page lands on the dashboard.
PAGES_ON_EVERY_ACCOUNT = {
    "account_dashboard",
    "account_settings",
    "phone_number_list",
    "billing",
    "user_list",
    "activity",
    "credentials",
}
# Pages that only main accounts have; switching to a subaccount from them lands on its dashboard.
PAGES_ON_MAIN_ACCOUNTS = {"subaccount_list", "usage"}


@require_GET
def home(request):
    if not request.user.is_authenticated:
        return redirect("login")
    sid = account_selectors.account_landing_for_user(
        user=request.user, last_sid=request.session.get(LAST_ACCOUNT_SESSION_KEY)
    )
    if sid:
        return redirect("console:account_dashboard", sid=sid)
    return redirect("console:account_list")


def _account_list_context(request, form=None, **extra):
    user = request.user
    query = search_query(request)
    rows, owned = account_selectors.account_list_rows(user=user, query=query)
    return {
        "accounts": when_rendered(
            lambda: [account_selectors.AccountListEntry(*row) for row in rows]
        ),
        "query": query,
        # Built only by the Create new account dialog (the list itself asks for none).
        "form": form or when_rendered(AccountCreateForm),
        "owned_count": owned,
        "at_limit": owned >= user.account_limit,
        "account_limit": user.account_limit,
        "page": "account_list",
        # Unfiltered, the whole page is remembered (base.html) by all it shows: the rows as
        # just read, and the reader's count and limit; a search, or a form that was sent,
        # is rendered as it is.
        "report_key": None
        if query or form
        else ("account_list", rows, user.pk, owned, user.account_limit),
        **extra,
    }


@login_required
@vary_on_headers("HX-Request")
@require_http_methods(["GET", "POST"])
def account_list(request):
    """Every account the user can reach, searchable by name or SID; POST creates one."""
    if request.method == "POST":
        form = AccountCreateForm(request.POST)
        account = form.submit(owner=request.user, actor=actor(request))
        if account:
            messages.success(request, f"Created account “{account.friendly_name}”.")
            url = reverse("console:account_dashboard", args=[account.sid])
            if request.htmx:
                return HttpResponseClientRedirect(url)
            return redirect(url)
        context = _account_list_context(request, form=form)
        return render_page_or_partial(
            request, "accounts/account_create.html", "create", context, status=FORM_ERROR_STATUS
        )
    return render_page_or_partial(
        request, "accounts/account_list.html", "results", _account_list_context(request)
    )


@login_required
@vary_on_headers("HX-Request")
@require_GET
def account_create(request):
    """The Create new account form: a dialog over HTMX, a page without JavaScript. It posts
    to the Accounts page."""
    return render_page_or_partial(
        request, "accounts/account_create.html", "dialog", _account_list_context(request)
    )


@login_required
@require_GET
def account_switcher(request, sid):
    """The switcher's panel (HTMX): recent accounts grouped by organization, the current main
    account's subaccounts, and a filter by name or SID."""
    current = current_account(request, sid)
    account = current.account
    if request.GET.get("part") == "current":
        # The top bar's current account and the banners, after something changed.
        context = {"current": current, "account": account}
        return render(request, "accounts/switcher_current.html", context)
    main = account.main_account
    query = search_query(request)
    from_page = request.GET.get("from", "account_dashboard")
    partial = "results" if request.GET.get("part") == "results" else "panel"
    main_rows = account_selectors.switcher_main_accounts(
        user=request.user,
        query=query,
        limit=SWITCHER_LIMIT,
        read_already=switcher_rows_read_with_session(request, SWITCHER_LIMIT),
    )
    recent = tuple(request.session.get(RECENT_ACCOUNTS_SESSION_KEY, []))

    def listing():
        subaccounts, more_subaccounts = account_selectors.switcher_subaccounts(
            user=request.user,
            main=main,
            query=query,
            shown=SWITCHER_SUBACCOUNTS_SHOWN,
            all_subaccounts=current.reaches_parent,
        )
        top_level = [account_selectors.SwitcherEntry(*row) for row in main_rows]
        rank = {sid: index for index, sid in enumerate(recent)}
        top_level.sort(key=lambda a: (rank.get(a.sid, len(rank)), a.friendly_name.lower()))
        groups = {}
        for candidate in top_level:
            name = candidate.organization_name or "Personal accounts"
            groups.setdefault(name, []).append(candidate)
        for candidate in [*top_level, *subaccounts]:
            candidate.switch_url = _switch_url(candidate, from_page, request)
        return {
            "groups": groups,
            "subaccounts": subaccounts,
            "more_subaccounts": more_subaccounts,
            "main_listed": any(candidate.pk == main.pk for candidate in top_level),
        }

    context = {
        "current": current,
        "account": account,
        "main": main,
        "listing": when_rendered(listing),
        "query": query,
        "from_page": from_page,
        # Unfiltered, the panel is remembered by all it shows: the main accounts' rows as
        # just read, the family's version (the main account and its subaccounts), and who
        # is looking from where; a filter's answers are rendered as they are.
        "switcher_key": None
        if query
        else (
            main_rows,
            family_version_as_read(account),
            account.sid,
            request.user.pk,
            current.reaches_parent,
            recent,
            from_page,
        ),
    }
    return render(request, f"accounts/switcher.html#{partial}", context)


def _switch_url(target, from_page, request):
    """Where the switcher's link to `target` goes: the page it was opened on, if `target`
    has it, else its dashboard. One reverse a page (remembered), the SID put in after."""
    page = "account_dashboard"
    if from_page in PAGES_ON_EVERY_ACCOUNT or (
        from_page in PAGES_ON_MAIN_ACCOUNTS and not target.is_subaccount
    ):
        page = from_page
    pattern = cached_reverse(f"console:{page}", [SID_SLOT], request=request)
    return pattern.replace(SID_SLOT, target.sid)


def _dashboard_context(current, form=None):
    account = current.account
    context = {
        "current": current,
        "account": account,
        "open_subaccount_count": None if account.is_subaccount else account.open_subaccount_count,
        # Built only when the page is (a remembered dashboard asks for none).
        "form": form
        or when_rendered(
            AccountRenameForm,
            initial={"friendly_name": account.friendly_name},
            saved_name=account.friendly_name,
        ),
        "page": "account_dashboard",
    }
    if account.is_trial and not account.is_subaccount:
        context["trial_credit_left"] = when_rendered(
            ledger_selectors.trial_credit_remaining, account
        )
    return context


@login_required
@require_GET
def account_dashboard(request, sid):
    """The account at a glance: remembered by its family's version (`report_key`)."""
    current = current_account(request, sid)
    remember_account(request, current.account)
    context = _dashboard_context(current)
    context["report_key"] = report_key(request, current)
    return render(request, "accounts/account_dashboard.html", context)


@login_required
@require_POST
def account_rename(request, sid):
    """Rename the current account, from the dashboard (inline, over HTMX) or Settings. A
    refusal without JavaScript shows the page it came from again, with the error and what was
    typed."""
    current = current_account(request, sid, scope=roles.ACCOUNT_SETTINGS)
    account = current.account
    form = AccountRenameForm(request.POST, saved_name=account.friendly_name)
    renamed = form.submit(account=account, actor=actor(request))
    from_settings = request.POST.get("next_page") == reverse("console:account_settings", args=[sid])
    if renamed:
        messages.success(request, f"Renamed the account to “{renamed.friendly_name}”.")
        if not request.htmx:
            dashboard = reverse("console:account_dashboard", args=[sid])
            return redirect(local_url(request, request.POST.get("next_page"), dashboard))
        current.account = renamed
        context = {
            "current": current,
            "account": renamed,
            "form": AccountRenameForm(
                initial={"friendly_name": renamed.friendly_name}, saved_name=renamed.friendly_name
            ),
            "renamed": True,
        }
        response = render(request, "accounts/account_dashboard.html#name", context)
        trigger_client_event(response, ACCOUNT_CHANGED)
        return trigger_client_event(response, CURRENT_ACCOUNT_CHANGED)
    if request.htmx:
        context = {"current": current, "account": account, "form": form}
        return render(
            request, "accounts/account_dashboard.html#name", context, status=FORM_ERROR_STATUS
        )
    if from_settings:
        context = _settings_context(current, rename_form=form)
        return render(request, "accounts/account_settings.html", context, status=FORM_ERROR_STATUS)
    context = _dashboard_context(current, form=form)
    return render(request, "accounts/account_dashboard.html", context, status=FORM_ERROR_STATUS)


@login_required
@require_GET
def account_settings(request, sid):
    current = current_account(request, sid)
    account = current.account
    remember_account(request, account)
    return render(request, "accounts/account_settings.html", _settings_context(current))


def _settings_context(current, spend_cap_form=None, rename_form=None):
    account = current.account
    context = {
        "current": current,
        "account": account,
        "form": rename_form or AccountRenameForm(initial={"friendly_name": account.friendly_name}),
        "events": event_selectors.status_history(account=account),
        "page": "account_settings",
    }
    if account.is_subaccount:
        cap = account.monthly_spend_cap
        context["spend_cap_form"] = spend_cap_form or SpendCapForm(
            initial={"monthly_spend_cap": None if cap is None else cap.quantize(Decimal("0.01"))}
        )
        context["spent_this_month"] = ledger_selectors.spent_this_month(account)
        context["deletes_on"] = account_selectors.deletion_date(subaccount=account)
    else:
        closed, total = account_selectors.closed_subaccount_list(main=account)
        context |= {
            "closed_subaccounts": closed,
            "closed_subaccount_total": total,
            "deletion_days": settings.CLOSED_SUBACCOUNT_DELETION_DAYS,
        }
    return context


@login_required
@require_POST
def account_spend_cap(request, sid):
    """Owners, Administrators and Billing Managers cap a subaccount's monthly spending."""
    current = current_account(request, sid, scope=roles.BILLING_WRITE)
    form = SpendCapForm(request.POST)
    if form.submit(subaccount=current.account, actor=actor(request)):
        messages.success(request, "Spend cap saved.")
        return redirect("console:account_settings", sid=sid)
    return render(
        request,
        "accounts/account_settings.html",
        _settings_context(current, spend_cap_form=form),
        status=FORM_ERROR_STATUS,
    )


@login_required
@require_POST
def account_own_balance(request, sid):
    """A subaccount that shares its parent's balance gets its own (billing:write, which on a
    subaccount comes from its parent). One-way."""
    current = current_account(request, sid, scope=roles.BILLING_WRITE)
    form = OwnBalanceForm(request.POST)
    if form.submit(subaccount=current.account, actor=actor(request)):
        messages.success(
            request,
            "This subaccount now has its own balance, at $0.00: transfer funds to it from its "
            "parent's Billing page.",
        )
    else:
        messages.error(request, form.first_error)
    return redirect("console:account_settings", sid=sid)


@login_required
@require_POST
def account_auto_deletion(request, sid):
    """Owners and Administrators choose whether closed subaccounts are deleted some days
    after closing."""
    current = current_account(request, sid, scope=roles.ACCOUNT_SETTINGS)
    form = AutoDeletionForm(request.POST)
    if form.submit(account=current.account, actor=actor(request)):
        messages.success(
            request,
            "Closed subaccounts will be deleted automatically."
            if form.cleaned_data["delete_closed_subaccounts"]
            else "Closed subaccounts are kept.",
        )
    else:
        messages.error(request, form.first_error)
    return redirect("console:account_settings", sid=sid)


@login_required
@require_POST
def account_two_factor(request, sid):
    """Owners and Administrators require (or stop requiring) two-factor of everyone with a
    role on the account."""
    current = current_account(request, sid, scope=roles.ACCOUNT_SETTINGS)
    required = request.POST.get("require_two_factor") == "yes"
    try:
        two_factor_services.account_two_factor_required_set(
            account=current.account, required=required, actor=actor(request)
        )
    except errors.AccountError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            "Two-factor authentication is now required on this account."
            if required
            else "Two-factor authentication is no longer required on this account.",
        )
    return redirect("console:account_settings", sid=sid)


@login_required
@vary_on_headers("HX-Request")
@require_http_methods(["GET", "POST"])
@reauthentication_required(allow_get=True)
def account_close(request, sid):
    """Close the current account (owner only for a main account): a page that shows what
    closing does (the subaccounts that close with it, the numbers released, the keys that stop
    working, the balance left) and, for a main account, asks for its name; then the POST."""
    current = current_account(request, sid)
    account = current.account
    current.require(roles.SUBACCOUNTS_WRITE if account.is_subaccount else roles.ACCOUNT_CLOSE)
    form = AccountCloseForm(request.POST if request.method == "POST" else None, account=account)
    if form.is_bound and form.submit(account=account, actor=actor(request)):
        messages.success(request, f"Closed “{account.friendly_name}” ({account.sid}).")
        url = reverse(
            "console:account_list" if not account.is_subaccount else "console:subaccount_list",
            args=[] if not account.is_subaccount else [account.parent.sid],
        )
        if request.htmx:
            return HttpResponseClientRedirect(url)
        return redirect(url)
    context = {
        "current": current,
        "account": account,
        "form": form,
        "impact": account_selectors.close_impact(account=account, actor_user_id=request.user.pk),
        "open_subaccount_count": None if account.is_subaccount else account.open_subaccount_count,
        "page": "account_settings",
    }
    return render(
        request,
        "accounts/account_close.html",
        context,
        status=FORM_ERROR_STATUS if form.is_bound else 200,
    )
