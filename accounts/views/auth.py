"""Signing in and up are allauth's views, behind one rule of ours: a signed-in visitor is
redirected away from these pages only when they came from this site (or typed the address).
A redirect that happens only when signed in would let another site find out, by loading
/signin/?next=<an image> in a hidden tag, whether its visitor is signed in here; to other
sites the page answers the same either way."""

from allauth.account import views as allauth_views
from allauth.account.adapter import get_adapter
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.shortcuts import redirect, render
from django.urls import reverse

# Sec-Fetch-Site values of a navigation started on this site or by the person themselves.
OWN_NAVIGATION = {"same-origin", "none"}


def _signed_in_page(view):
    def wrapper(request, *args, **kwargs):
        if request.user.is_authenticated and request.method == "GET":
            next_url = request.GET.get(REDIRECT_FIELD_NAME, "")
            if not get_adapter().is_safe_url(next_url):
                next_url = reverse("console:home")
            if request.headers.get("Sec-Fetch-Site") in OWN_NAVIGATION:
                return redirect(next_url)
            return render(request, "account/signed_in.html", {"next_url": next_url})
        return view(request, *args, **kwargs)

    wrapper.__doc__ = view.__doc__
    return wrapper


sign_in = _signed_in_page(allauth_views.login)
sign_up = _signed_in_page(allauth_views.signup)
