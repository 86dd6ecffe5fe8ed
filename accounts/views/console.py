from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from .. import selectors

LAST_ACCOUNT_SESSION_KEY = "last_account_sid"


@require_GET
def home(request):
    if not request.user.is_authenticated:
        return redirect("login")
    sid = request.session.get(LAST_ACCOUNT_SESSION_KEY)
    if sid and selectors.account_list_for_user(user=request.user).filter(sid=sid).exists():
        return redirect("account_dashboard", sid=sid)
    first = selectors.account_list_for_user(user=request.user).top_level().order_by("pk").first()
    if first:
        return redirect("account_dashboard", sid=first.sid)
    return redirect("account_list")


@login_required
@require_GET
def account_list(request):
    accounts = selectors.account_list_for_user(user=request.user).order_by("parent_id", "pk")
    return render(request, "accounts/account_list.html", {"accounts": accounts})


@login_required
@require_GET
def account_dashboard(request, sid):
    account = selectors.account_get_for_user(user=request.user, sid=sid)
    request.session[LAST_ACCOUNT_SESSION_KEY] = account.sid
    return render(request, "accounts/account_dashboard.html", {"account": account})
