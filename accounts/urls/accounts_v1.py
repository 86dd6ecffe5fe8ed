"""accounts.twilio.com's v1 APIs served from this host, mounted at /v1/ (namespace
`accounts_v1:`). No catch-all here: other v1 APIs (monitor's Events) share the prefix."""

from django.urls import path

from ..api.v1 import auth_tokens

app_name = "accounts_v1"

urlpatterns = [
    path(
        "AuthTokens/Secondary",
        auth_tokens.secondary_auth_token,
        name="secondary_auth_token",
    ),
    path("AuthTokens/Promote", auth_tokens.auth_token_promotion, name="auth_token_promotion"),
]
