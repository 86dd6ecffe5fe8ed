"""Support staff and users: logins, their account limits, access to the admin (a user's
groups and permissions, and the groups themselves: superusers only)."""

from django.contrib import admin
from django.contrib.admin.options import csrf_protect_m
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect

from ..models import User
from ..services import users as user_services
from ..services.events import service_transaction
from .base import SearchMixin, ServiceAdmin, support

# What support edits on the change form; the rest (password, groups) has its own ways.
EDITABLE_FIELDS = ["email", "full_name", "account_limit", "is_active", "is_staff", "is_superuser"]


@admin.register(User)
class UserAdmin(SearchMixin, DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "account_limit", "is_staff", "is_active", "date_joined"]
    list_filter = ["is_staff", "is_superuser", "is_active"]
    search_fields = ["=sid", "email", "full_name"]
    readonly_fields = ["sid", "date_joined", "last_login"]
    fieldsets = [
        (None, {"fields": ["sid", "email", "password"]}),
        ("Profile", {"fields": ["full_name", "account_limit"]}),
        (
            "Permissions",
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "full_name", "password1", "password2"]}),
    ]
    # Support staff have every permission on this app, users included: without these limits
    # they could make themselves superusers, or take over a superuser's login.
    PERMISSION_FIELDS = ["is_staff", "is_superuser", "groups", "user_permissions"]

    changeform_view = ServiceAdmin.changeform_view

    @csrf_protect_m
    def add_view(self, request, form_url="", extra_context=None):
        # Like the change form: the service is the transaction (see ServiceAdmin).
        return self._add_view(request, form_url, extra_context)

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            fields += self.PERMISSION_FIELDS
        return fields

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        if not change:
            user = user_services.user_create_by_support(
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password1"],
                full_name=form.cleaned_data.get("full_name", ""),
                actor=support(request),
            )
            obj.pk, obj.sid, obj.password = user.pk, user.sid, user.password
            obj._state.adding = False
            return
        fields = {
            name: form.cleaned_data[name] for name in EDITABLE_FIELDS if name in form.changed_data
        }
        user_services.user_update(user=obj, actor=support(request), **fields)

    def save_related(self, request, form, formsets, change):
        # Groups and permissions through the service (recorded), not the form's save_m2m;
        # only a superuser's form has them (they are read-only for support staff).
        access = {
            name: form.cleaned_data[name]
            for name in ("groups", "user_permissions")
            if name in form.changed_data
        }
        if access:
            user_services.user_access_set(user=form.instance, actor=support(request), **access)
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def user_change_password(self, request, id, form_url=""):
        # Only superusers set someone's password here; support sends a reset link instead.
        if not request.user.is_superuser:
            raise PermissionDenied("Only superusers can set a password in the admin.")
        if request.method != "POST":
            return super().user_change_password(request, id, form_url)
        with service_transaction():
            response = super().user_change_password(request, id, form_url)
            if isinstance(response, HttpResponseRedirect):
                user_services.user_password_changed(
                    user=User.objects.get(pk=id), actor=support(request)
                )
        return response


admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(DjangoGroupAdmin):
    """Groups of admin users and their permissions, changed through the services (each change
    recorded). Support staff hold no permission on groups: only superusers see this page."""

    changeform_view = ServiceAdmin.changeform_view

    @csrf_protect_m
    def delete_view(self, request, object_id, extra_context=None):
        # Django wraps the deletion in a transaction; the service is that transaction.
        return self._delete_view(request, object_id, extra_context)

    def save_model(self, request, obj, form, change):
        fields = {"name": form.cleaned_data["name"], "actor": support(request)}
        permissions = form.cleaned_data["permissions"]
        if change:
            user_services.group_update(group=obj, permissions=permissions, **fields)
        else:
            obj.pk = user_services.group_create(permissions=permissions, **fields).pk
            obj._state.adding = False

    def save_related(self, request, form, formsets, change):
        pass  # the permissions were set by the service, with its event

    def delete_model(self, request, obj):
        user_services.group_delete(group=obj, actor=support(request))

    def delete_queryset(self, request, queryset):
        for group in queryset:
            self.delete_model(request, group)
