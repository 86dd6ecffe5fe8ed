"""The Twilio-compatible 2010-04-01 REST API (see issues 4 and 6), mounted at /2010-04-01/."""

from django.urls import path, re_path

from . import views, views_numbers

urlpatterns = [
    path("Accounts.json", views.account_list, name="api_account_list"),
    path("Accounts/<str:sid>.json", views.account_detail, name="api_account_detail"),
    path("Accounts/<str:sid>/Balance.json", views.account_balance, name="api_account_balance"),
    path(
        "Accounts/<str:account_sid>/IncomingPhoneNumbers.json",
        views_numbers.incoming_phone_number_list,
        name="api_incoming_phone_number_list",
    ),
    path(
        "Accounts/<str:account_sid>/IncomingPhoneNumbers/<str:sid>.json",
        views_numbers.incoming_phone_number_detail,
        name="api_incoming_phone_number_detail",
    ),
    re_path(r"^(?P<path>.*)$", views.not_found, name="api_not_found"),
]
