from django.contrib.auth import login
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from .. import services
from ..forms import SignUpForm


@require_http_methods(["GET", "POST"])
def sign_up(request):
    if request.user.is_authenticated:
        return redirect("home")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user, account = services.user_sign_up(
            email=form.cleaned_data["email"],
            password=form.cleaned_data["password1"],
            full_name=form.cleaned_data["full_name"],
            account_name=form.cleaned_data["account_name"],
        )
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return redirect("account_dashboard", sid=account.sid)
    return render(request, "registration/signup.html", {"form": form})
