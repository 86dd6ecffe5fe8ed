"""The Twilio-compatible 2010-04-01 REST API (see issue 4), mounted at /2010-04-01/."""

from django.urls import path, re_path

from . import views

urlpatterns = [
    path("Accounts.json", views.account_list, name="api_account_list"),
    path("Accounts/<str:sid>.json", views.account_detail, name="api_account_detail"),
    path("Accounts/<str:sid>/Balance.json", views.account_balance, name="api_account_balance"),
    re_path(r"^(?P<path>.*)$", views.not_found, name="api_not_found"),
]
