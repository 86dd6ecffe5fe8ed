"""Support staff's tools, one module per area. Every change goes through a service (with its
event, actor "support", source "admin"); nothing is edited as a raw field."""

from django.contrib import admin

from . import accounts, money, organizations, users  # noqa: F401  (they register the pages)

admin.site.site_header = "Console support"
admin.site.site_title = "Console support"
admin.site.index_title = "Accounts, users and organizations"
