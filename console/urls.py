from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("2010-04-01/", include("accounts.urls.api_v2010")),
    path("v1/", include("accounts.urls.monitor_v1")),
    path("v1/", include("accounts.urls.accounts_v1")),
    # The console's pages before the sign-in pages (a dozen paths no console page matches):
    # the most visited paths are resolved first, after the API's prefixes.
    path("", include("accounts.urls.console")),
    path("orgs/", include("accounts.urls.organizations")),
    path("", include("accounts.urls.auth")),
]

# The console's own error pages; Twilio's JSON error body for the API (accounts/views/errors.py).
handler400 = "accounts.views.errors.bad_request"
handler500 = "accounts.views.errors.server_error"
