"""The console's account pages, under the `console:` namespace."""

from django.urls import include, path

from ..views import (
    accounts,
    activity,
    billing,
    credentials,
    numbers,
    subaccounts,
    triggers,
    usage,
    users,
)

app_name = "console"

account_pages = [
    path("", accounts.account_dashboard, name="account_dashboard"),
    path("switcher/", accounts.account_switcher, name="account_switcher"),
    path("rename/", accounts.account_rename, name="account_rename"),
    path("settings/", accounts.account_settings, name="account_settings"),
    path("close/", accounts.account_close, name="account_close"),
    path("two-factor/", accounts.account_two_factor, name="account_two_factor"),
    path("spend-cap/", accounts.account_spend_cap, name="account_spend_cap"),
    path("own-balance/", accounts.account_own_balance, name="account_own_balance"),
    path("auto-deletion/", accounts.account_auto_deletion, name="account_auto_deletion"),
    path("subaccounts/", subaccounts.subaccount_list, name="subaccount_list"),
    path("subaccounts/new/", subaccounts.subaccount_create, name="subaccount_create"),
    path("subaccounts/bulk/", subaccounts.subaccount_bulk, name="subaccount_bulk"),
    path(
        "subaccounts/<str:subaccount_sid>/",
        subaccounts.subaccount_detail,
        name="subaccount_detail",
    ),
    path(
        "subaccounts/<str:subaccount_sid>/rename/",
        subaccounts.subaccount_rename,
        name="subaccount_rename",
    ),
    path(
        "subaccounts/<str:subaccount_sid>/status/",
        subaccounts.subaccount_status,
        name="subaccount_status",
    ),
    path(
        "subaccounts/<str:subaccount_sid>/close/",
        subaccounts.subaccount_close_confirm,
        name="subaccount_close_confirm",
    ),
    path("users/", users.user_list, name="user_list"),
    path("users/invite/", users.user_invite, name="user_invite"),
    path("users/transfer/", users.ownership_transfer, name="ownership_transfer"),
    path("users/<int:user_id>/roles/", users.user_roles, name="user_roles"),
    path("users/<int:user_id>/remove/", users.user_remove, name="user_remove"),
    path("invitations/<int:pk>/resend/", users.invitation_resend, name="invitation_resend"),
    path("invitations/<int:pk>/revoke/", users.invitation_revoke, name="invitation_revoke"),
    path("credentials/", credentials.credentials, name="credentials"),
    path("credentials/auth-token/", credentials.auth_token_reveal, name="auth_token_reveal"),
    path(
        "credentials/auth-token/secondary/",
        credentials.secondary_auth_token_create,
        name="secondary_auth_token_create",
    ),
    path(
        "credentials/auth-token/secondary/delete/",
        credentials.secondary_auth_token_delete,
        name="secondary_auth_token_delete",
    ),
    path(
        "credentials/auth-token/promote/",
        credentials.auth_token_promote,
        name="auth_token_promote",
    ),
    path("credentials/keys/", credentials.key_create, name="key_create"),
    path("credentials/keys/<str:key_sid>/rename/", credentials.key_rename, name="key_rename"),
    path("credentials/keys/<str:key_sid>/revoke/", credentials.key_revoke, name="key_revoke"),
    path("billing/", billing.billing, name="billing"),
    path("billing/add-funds/", billing.funds_add, name="funds_add"),
    path("billing/upgrade/", billing.account_upgrade, name="account_upgrade"),
    path("billing/auto-recharge/", billing.auto_recharge, name="auto_recharge"),
    path("billing/transfers/", billing.balance_transfer, name="balance_transfer"),
    path(
        "billing/transfers/<str:transfer_sid>/reverse/",
        billing.balance_transfer_reverse,
        name="balance_transfer_reverse",
    ),
    path("usage/", usage.usage, name="usage"),
    path("usage-triggers/", triggers.usage_trigger_list, name="usage_trigger_list"),
    path(
        "usage-triggers/<str:trigger_sid>/",
        triggers.usage_trigger_deliveries,
        name="usage_trigger_deliveries",
    ),
    path(
        "usage-triggers/<str:trigger_sid>/delete/",
        triggers.usage_trigger_delete,
        name="usage_trigger_delete",
    ),
    path("activity/", activity.activity, name="activity"),
    path("phone-numbers/", numbers.phone_number_list, name="phone_number_list"),
    path("phone-numbers/buy/", numbers.phone_number_buy, name="phone_number_buy"),
    path(
        "phone-numbers/<str:number_sid>/rename/",
        numbers.phone_number_rename,
        name="phone_number_rename",
    ),
    path(
        "phone-numbers/<str:number_sid>/release/",
        numbers.phone_number_release,
        name="phone_number_release",
    ),
    path(
        "phone-numbers/<str:number_sid>/transfer/",
        numbers.phone_number_transfer,
        name="phone_number_transfer",
    ),
]

urlpatterns = [
    path("", accounts.home, name="home"),
    path("invitations/<str:token>/", users.invitation_accept, name="invitation_accept"),
    path("console/accounts/", accounts.account_list, name="account_list"),
    path("console/accounts/new/", accounts.account_create, name="account_create"),
    path("console/<str:sid>/", include(account_pages)),
]
