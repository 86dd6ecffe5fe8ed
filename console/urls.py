from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Console support"
admin.site.site_title = "Console support"
admin.site.index_title = "Accounts, users and organizations"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("2010-04-01/", include("accounts.api.urls")),
    path("", include("accounts.urls")),
]
