"""Organizations: support renames them, raises their limits and manages their members, always
through the services (which keep one owner and refuse to remove a member who still owns the
organization's accounts)."""

from django import forms
from django.contrib import admin

from ..models import Organization, OrganizationMembership
from ..services import organizations as organization_services
from .base import ServiceAdmin

OrgRole = OrganizationMembership.Role
OWNER_REQUIRED = "An organization has exactly one Organization Owner."
USER_CANNOT_CHANGE = "A membership cannot move to another user: remove it and add a new one."


class OrganizationMembershipFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        owners = 0
        for form in self.forms:
            if not form.cleaned_data or form.cleaned_data.get("DELETE"):
                continue
            if form.instance.pk and "user" in form.changed_data:
                raise forms.ValidationError(USER_CANNOT_CHANGE)
            owners += form.cleaned_data.get("role") == OrgRole.OWNER
        if owners != 1:
            raise forms.ValidationError(OWNER_REQUIRED)


class OrganizationMembershipForm(forms.ModelForm):
    def validate_constraints(self):
        # One owner per organization holds in the services (under the organization's lock)
        # and in the formset's clean(); checking the row alone against the database would
        # refuse every change of owner, whose old owner row is still there.
        pass


class OrganizationMembershipInline(admin.TabularInline):
    model = OrganizationMembership
    form = OrganizationMembershipForm
    formset = OrganizationMembershipFormSet
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Organization)
class OrganizationAdmin(ServiceAdmin):
    list_display = ["name", "sid", "account_limit", "date_created"]
    search_fields = ["name", "=sid", "memberships__user__email"]
    readonly_fields = ["sid", "date_created", "date_updated"]
    inlines = [OrganizationMembershipInline]

    def save_model(self, request, obj, form, change):
        # A new organization is created with its owner, who is among the members: see
        # save_related. An existing one changes here.
        if change:
            fields = {
                name: form.cleaned_data[name]
                for name in ("name", "account_limit")
                if name in form.changed_data
            }
            if fields:
                self.run_service(
                    request, organization_services.organization_update, organization=obj, **fields
                )

    def save_related(self, request, form, formsets, change):
        (members,) = formsets
        # What the admin's change message reads; the services below make the changes.
        members.new_objects, members.changed_objects, members.deleted_objects = [], [], []
        rows = [row for row in members.forms if row.cleaned_data]
        kept = [row for row in rows if not row.cleaned_data.get("DELETE")]
        owner_row = next(row for row in kept if row.cleaned_data["role"] == OrgRole.OWNER)
        organization = form.instance
        if not change:
            created = self.run_service(
                request,
                organization_services.organization_create,
                name=form.cleaned_data["name"],
                owner=owner_row.cleaned_data["user"],
            )
            if created is None:
                return
            organization.pk, organization.sid = created.pk, created.sid
            organization.date_created = created.date_created
            organization._state.adding = False
            if form.cleaned_data["account_limit"] != created.account_limit:
                self.run_service(
                    request,
                    organization_services.organization_update,
                    organization=created,
                    account_limit=form.cleaned_data["account_limit"],
                )
        for row in kept:
            user, role = row.cleaned_data["user"], row.cleaned_data["role"]
            if row.instance.pk is None and not (not change and row is owner_row):
                # Added as a plain member or administrator; the owner's row becomes one
                # through the change of owner below.
                self.run_service(
                    request,
                    organization_services.organization_member_add,
                    organization=organization,
                    user=user,
                    role=OrgRole.MEMBER if role == OrgRole.OWNER else role,
                )
        if change and "role" in owner_row.changed_data:
            self.run_service(
                request,
                organization_services.organization_ownership_transfer,
                organization=organization,
                new_owner=owner_row.cleaned_data["user"],
            )
        for row in kept:
            role = row.cleaned_data["role"]
            if row.instance.pk and role != OrgRole.OWNER and "role" in row.changed_data:
                self.run_service(
                    request,
                    organization_services.organization_member_role_set,
                    organization=organization,
                    user=row.cleaned_data["user"],
                    role=role,
                )
        for row in rows:
            if row.cleaned_data.get("DELETE") and row.instance.pk:
                self.run_service(
                    request,
                    organization_services.organization_member_remove,
                    organization=organization,
                    user=row.instance.user,
                )
