"""The Twilio-compatible 2010-04-01 REST API, mounted at /2010-04-01/ (namespace `api:`)."""

from django.urls import path, re_path

from ..api.v2010 import accounts, keys, numbers, usage

app_name = "api"

urlpatterns = [
    path("Accounts.json", accounts.account_list, name="account_list"),
    path("Accounts/<str:sid>.json", accounts.account_detail, name="account_detail"),
    path(
        "Accounts/<str:account_sid>/Balance.json",
        accounts.account_balance,
        name="account_balance",
    ),
    path(
        "Accounts/<str:account_sid>/IncomingPhoneNumbers.json",
        numbers.incoming_phone_number_list,
        name="incoming_phone_number_list",
    ),
    path(
        "Accounts/<str:account_sid>/IncomingPhoneNumbers/<str:sid>.json",
        numbers.incoming_phone_number_detail,
        name="incoming_phone_number_detail",
    ),
    path(
        "Accounts/<str:account_sid>/Usage/Records.json",
        usage.usage_record_list,
        name="usage_record_list",
    ),
    re_path(
        r"^Accounts/(?P<account_sid>[^/]+)/Usage/Records/"
        r"(?P<period>Daily|Monthly|Yearly|AllTime|Today|Yesterday|ThisMonth|LastMonth)\.json$",
        usage.usage_record_list,
        name="usage_record_period_list",
    ),
    path(
        "Accounts/<str:account_sid>/Usage/Triggers.json",
        usage.usage_trigger_list,
        name="usage_trigger_list",
    ),
    path(
        "Accounts/<str:account_sid>/Usage/Triggers/<str:sid>.json",
        usage.usage_trigger_detail,
        name="usage_trigger_detail",
    ),
    path("Accounts/<str:account_sid>/Keys.json", keys.key_list, name="key_list"),
    path("Accounts/<str:account_sid>/Keys/<str:sid>.json", keys.key_detail, name="key_detail"),
    path(
        "Accounts/<str:account_sid>/SigningKeys.json",
        keys.signing_key_list,
        name="signing_key_list",
    ),
    path(
        "Accounts/<str:account_sid>/SigningKeys/<str:sid>.json",
        keys.signing_key_detail,
        name="signing_key_detail",
    ),
    re_path(r"^(?P<path>.*)$", accounts.not_found, name="not_found"),
]
