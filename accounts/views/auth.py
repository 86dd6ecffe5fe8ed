"""Signing up (signing in, out and resetting a password are Django's own views)."""

from django.contrib.auth import login
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from .. import errors
from ..forms.auth import SignUpForm
from ..services import users as user_services
from .common import actor


@require_http_methods(["GET", "POST"])
def sign_up(request):
    if request.user.is_authenticated:
        return redirect("console:home")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user, account = user_services.user_sign_up(
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password1"],
                full_name=form.cleaned_data["full_name"],
                account_name=form.cleaned_data["account_name"],
                actor=actor(request),
            )
        except errors.EmailTaken as refusal:
            # Someone signed up with this email since the form checked it.
            form.add_error("email", refusal.message)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            return redirect("console:account_dashboard", sid=account.sid)
    return render(request, "registration/signup.html", {"form": form})
