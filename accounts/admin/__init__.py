"""Support staff's tools, one module per area. Every change goes through a service (with its
event, actor "support", source "admin"); nothing is edited as a raw field."""

from allauth.account.decorators import secure_admin_login
from django.contrib import admin

from . import accounts, money, organizations, users  # noqa: F401  (they register the pages)

admin.site.site_header = "Console support"
admin.site.site_title = "Console support"
admin.site.index_title = "Accounts, users and organizations"

# Support staff sign in through the console's own sign-in (its rate limits and two-factor),
# never through the admin's form: signed out, the admin sends them there; signed in without
# staff access, it refuses (403).
admin.site.login = secure_admin_login(admin.site.login)
