"""Signing in and out, signing up, passwords, two-factor and sessions: django-allauth.

allauth's own pages live under /accounts/ (two-factor at /accounts/2fa/, sessions at
/accounts/sessions/, re-authentication, email confirmation, the password reset link). The
pages people type or bookmark keep their paths here, under both allauth's names and Django's
(login, logout, signup, password_reset, password_change); being listed after
`allauth.urls`, these are what `{% url %}` gives for either name.
"""

from allauth.account import views as allauth_views
from django.urls import include, path

from ..views import auth

urlpatterns = [
    path("accounts/", include("allauth.urls")),
]

for route, view, names in [
    ("signin/", auth.sign_in, ["account_login", "login"]),
    ("signup/", auth.sign_up, ["account_signup", "signup"]),
    ("signout/", allauth_views.logout, ["account_logout", "logout"]),
    ("password/reset/", allauth_views.password_reset, ["account_reset_password", "password_reset"]),
    (
        "password/reset/sent/",
        allauth_views.password_reset_done,
        ["account_reset_password_done", "password_reset_done"],
    ),
    ("password/", allauth_views.password_change, ["account_change_password", "password_change"]),
]:
    urlpatterns += [path(route, view, name=name) for name in names]
