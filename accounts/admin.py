"""Support staff's tools. Status changes go through the services (same rules, same cascade)
with source "support"; SIDs, tokens, status and balance are never edited as raw fields."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import Count, Q
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import urlencode

from . import billing, errors, services
from .models import (
    Account,
    AccountMembership,
    AccountStatusEvent,
    AvailablePhoneNumber,
    IncomingPhoneNumber,
    LedgerEntry,
    Organization,
    OrganizationMembership,
    UsageRecord,
    User,
)


class SearchMixin:
    """Search terms without NUL characters: PostgreSQL refuses them in a query (a 500)."""

    def get_search_results(self, request, queryset, search_term):
        return super().get_search_results(request, queryset, search_term.replace("\x00", ""))


@admin.register(User)
class UserAdmin(SearchMixin, DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "account_limit", "is_staff", "is_active", "date_joined"]
    list_filter = ["is_staff", "is_superuser", "is_active"]
    search_fields = ["email", "full_name"]
    readonly_fields = ["date_joined", "last_login"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
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

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            fields += self.PERMISSION_FIELDS
        return fields

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)


class OrganizationMembershipFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        owners = sum(
            1
            for form in self.forms
            if form.cleaned_data
            and not form.cleaned_data.get("DELETE")
            and form.cleaned_data.get("role") == OrganizationMembership.Role.OWNER
        )
        if owners != 1:
            raise forms.ValidationError("An organization has exactly one Organization Owner.")


class OrganizationMembershipInline(admin.TabularInline):
    model = OrganizationMembership
    formset = OrganizationMembershipFormSet
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Organization)
class OrganizationAdmin(SearchMixin, admin.ModelAdmin):
    list_display = ["name", "sid", "account_limit", "date_created"]
    search_fields = ["name", "sid", "memberships__user__email"]
    readonly_fields = ["sid", "date_created", "date_updated"]
    inlines = [OrganizationMembershipInline]


class LevelFilter(admin.SimpleListFilter):
    title = "level"
    parameter_name = "level"

    def lookups(self, request, model_admin):
        return [("top", "Top-level accounts"), ("sub", "Subaccounts")]

    def queryset(self, request, queryset):
        if self.value() == "top":
            return queryset.filter(parent__isnull=True)
        if self.value() == "sub":
            return queryset.filter(parent__isnull=False)
        return queryset


class AccountMembershipInline(admin.TabularInline):
    model = AccountMembership
    extra = 0

    # Roles change through the console's Users and Members pages (and their services), which
    # keep one owner and the owner's protections; here support sees them.
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class AccountStatusEventInline(admin.TabularInline):
    model = AccountStatusEvent
    extra = 0
    can_delete = False
    fields = ["date_created", "old_status", "new_status", "source", "actor", "reason"]
    readonly_fields = fields
    ordering = ["-date_created", "-id"]
    verbose_name_plural = "Status history"

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")


class StatusChangeForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text="Recorded in the account's status history, which the customer can see.",
    )


class AccountAdminForm(forms.ModelForm):
    # The model and fields come from AccountAdmin (its fieldsets and read-only fields).

    def clean_monthly_spend_cap(self):
        cap = self.cleaned_data.get("monthly_spend_cap")
        if cap is not None and cap < 0:
            raise forms.ValidationError(billing.SPEND_CAP_NEGATIVE)
        return cap


@admin.register(Account)
class AccountAdmin(SearchMixin, admin.ModelAdmin):
    form = AccountAdminForm
    list_display = [
        "friendly_name",
        "sid",
        "owner",
        "status",
        "type",
        "parent_link",
        "date_created",
    ]
    list_filter = ["status", "type", LevelFilter]
    search_fields = ["=sid", "friendly_name", "owner__email"]
    list_select_related = ["owner", "parent"]
    show_full_result_count = False
    readonly_fields = [
        "sid",
        "auth_token",
        "status",
        "status_source",
        "balance",
        "parent",
        "subaccounts_summary",
        "ledger_link",
        "date_created",
        "date_updated",
    ]
    raw_id_fields = ["owner", "organization"]
    fieldsets = [
        (None, {"fields": ["sid", "friendly_name", "owner", "organization", "parent"]}),
        ("Status", {"fields": ["status", "status_source", "type"]}),
        ("Credentials", {"fields": ["auth_token"]}),
        (
            "Billing and limits",
            {
                "fields": [
                    "balance",
                    "ledger_link",
                    "monthly_spend_cap",
                    "subaccount_limit",
                    "subaccounts_summary",
                ]
            },
        ),
        ("Dates", {"fields": ["date_created", "date_updated"]}),
    ]
    inlines = [AccountMembershipInline, AccountStatusEventInline]
    actions = ["suspend_accounts", "reactivate_accounts", "close_accounts", "upgrade_accounts"]

    def has_add_permission(self, request):
        # Accounts are created by their owners, or with `manage.py create_account`, so that
        # limits and the owner's role are always applied.
        return False

    def has_delete_permission(self, request, obj=None):
        # SIDs are never reused and history must survive: close accounts instead.
        return False

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            fields += ["owner", "organization"]
            if obj.parent_id is not None:
                fields += ["subaccount_limit", "type"]
            else:
                fields += ["type", "monthly_spend_cap"]
            if obj.status == Account.Status.CLOSED:
                # Closed is final: not even renamed, nor its cap changed (the services refuse
                # both too).
                fields += ["friendly_name", "monthly_spend_cap"]
        return fields

    def save_model(self, request, obj, form, change):
        # Write only what this form edits: status and balance change through the services,
        # possibly while the page was open, and a full save would put back the old values.
        if not change:
            super().save_model(request, obj, form, change)
            return
        fields = [name for name in form.changed_data if name != "monthly_spend_cap"]
        if fields:
            obj.save(update_fields=[*fields, "date_updated"])
        if "monthly_spend_cap" in form.changed_data:
            # Through the service: it locks as charges do and refuses a closed subaccount.
            try:
                billing.spend_cap_set(
                    subaccount=obj,
                    cap=form.cleaned_data["monthly_spend_cap"],
                    acting_user=request.user,
                )
            except errors.AccountError as error:
                self.message_user(request, error.message, messages.ERROR)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("owner", "parent", "organization")

    @admin.display(description="Parent", ordering="parent__friendly_name")
    def parent_link(self, obj):
        if obj.parent_id is None:
            return "—"
        url = reverse("admin:accounts_account_change", args=[obj.parent_id])
        return format_html('<a href="{}">{}</a>', url, obj.parent.sid)

    @admin.display(description="Ledger")
    def ledger_link(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        main = obj.main_account
        entries = (
            reverse("admin:accounts_ledgerentry_changelist") + "?" + urlencode({"q": main.sid})
        )
        add = (
            reverse("admin:accounts_ledgerentry_add") + "?" + urlencode({"paying_account": main.pk})
        )
        return format_html(
            '<a href="{}">Ledger entries</a> · <a href="{}">Add funds or adjust the balance</a>{}',
            entries,
            add,
            " (of the parent account, whose balance this subaccount shares)"
            if obj.parent_id
            else "",
        )

    @admin.display(description="Subaccounts")
    def subaccounts_summary(self, obj):
        if obj is None or obj.parent_id is not None:
            return "— (a subaccount has no subaccounts)"
        counts = Account.objects.subaccounts_of(obj).aggregate(
            total=Count("pk"), open=Count("pk", filter=~Q(status="closed"))
        )
        url = (
            reverse("admin:accounts_account_changelist")
            + "?"
            + urlencode({"parent__id__exact": obj.pk})
        )
        return format_html(
            '<a href="{}">{} subaccounts</a> ({} open of a limit of {})',
            url,
            counts["total"],
            counts["open"],
            obj.subaccount_limit,
        )

    def _status_action(self, request, queryset, *, title, verb, service):
        """Ask for a reason, then run `service` on each account (one transaction each)."""
        if "apply" in request.POST:
            form = StatusChangeForm(request.POST)
            if form.is_valid():
                done, refused = 0, []
                for account in queryset.order_by("pk"):
                    try:
                        service(
                            account=account,
                            acting_user=request.user,
                            source=AccountStatusEvent.Source.SUPPORT,
                            reason=form.cleaned_data["reason"],
                        )
                        done += 1
                    except errors.AccountError as error:
                        refused.append(f"{account.sid}: {error.message}")
                if done:
                    self.message_user(request, f"{verb} {done} account(s).", messages.SUCCESS)
                for refusal in refused:
                    self.message_user(request, refusal, messages.ERROR)
                return None
        else:
            form = StatusChangeForm()
        return TemplateResponse(
            request,
            "admin/accounts/account/status_action.html",
            {
                **self.admin_site.each_context(request),
                "title": title,
                "accounts": queryset,
                "form": form,
                "action": request.POST.get("action"),
                "action_checkbox_name": ACTION_CHECKBOX_NAME,
                "opts": self.model._meta,
            },
        )

    @admin.action(description="Suspend selected accounts (and their subaccounts)")
    def suspend_accounts(self, request, queryset):
        return self._status_action(
            request,
            queryset,
            title="Suspend accounts",
            verb="Suspended",
            service=services.account_suspend,
        )

    @admin.action(description="Reactivate selected accounts")
    def reactivate_accounts(self, request, queryset):
        return self._status_action(
            request,
            queryset,
            title="Reactivate accounts",
            verb="Reactivated",
            service=services.account_reactivate,
        )

    @admin.action(description="Close selected accounts (permanent)")
    def close_accounts(self, request, queryset):
        return self._status_action(
            request,
            queryset,
            title="Close accounts (permanent)",
            verb="Closed",
            service=services.account_close,
        )

    @admin.action(description="Upgrade selected accounts to Full")
    def upgrade_accounts(self, request, queryset):
        done = 0
        for account in queryset:
            try:
                services.account_upgrade(account=account, acting_user=request.user)
                done += 1
            except errors.AccountError as error:
                self.message_user(request, f"{account.sid}: {error.message}", messages.ERROR)
        if done:
            self.message_user(request, f"Upgraded {done} account(s) to Full.", messages.SUCCESS)


@admin.register(AccountStatusEvent)
class AccountStatusEventAdmin(SearchMixin, admin.ModelAdmin):
    list_display = ["date_created", "account", "old_status", "new_status", "source", "actor"]
    list_filter = ["source", "new_status"]
    search_fields = ["=account__sid", "reason", "actor__email"]
    list_select_related = ["account", "actor"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# --- Money and resources (support) ---------------------------------------------------------


class LedgerEntryForm(forms.ModelForm):
    """Support adds funds, refunds or adjusts a balance: always a new entry, with a reason."""

    KIND_CHOICES = [
        (LedgerEntry.Kind.FUNDS_ADDED, "Add funds"),
        (LedgerEntry.Kind.REFUND, "Refund"),
        (LedgerEntry.Kind.ADJUSTMENT, "Adjustment (positive or negative)"),
    ]
    kind = forms.ChoiceField(choices=KIND_CHOICES)
    description = forms.CharField(
        label="Reason", max_length=300, help_text="Required; the customer sees it in their ledger."
    )

    class Meta:
        model = LedgerEntry
        fields = ["paying_account", "kind", "amount", "description"]
        labels = {"paying_account": "Account"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["paying_account"].queryset = Account.objects.top_level()
        self.fields["paying_account"].help_text = "A top-level account: it holds the balance."

    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            try:
                billing.entry_check(
                    account=cleaned["paying_account"],
                    kind=cleaned["kind"],
                    amount=cleaned["amount"],
                    reason=cleaned["description"],
                )
            except errors.AccountError as error:
                raise forms.ValidationError(error.message) from None
        return cleaned


@admin.register(LedgerEntry)
class LedgerEntryAdmin(SearchMixin, admin.ModelAdmin):
    form = LedgerEntryForm
    list_display = [
        "date_created",
        "paying_account",
        "account",
        "kind",
        "amount",
        "balance_after",
        "description",
        "actor",
    ]
    list_filter = ["kind"]
    search_fields = ["=paying_account__sid", "=account__sid", "description"]
    list_select_related = ["paying_account", "account", "actor"]
    raw_id_fields = ["paying_account"]
    show_full_result_count = False

    def has_change_permission(self, request, obj=None):
        # Entries are immutable; the change view is read-only.
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        entry = billing.entry_post(
            account=data["paying_account"],
            kind=data["kind"],
            amount=data["amount"],
            reason=data["description"],
            actor=request.user,
        )
        for field in LedgerEntry._meta.concrete_fields:
            setattr(obj, field.attname, getattr(entry, field.attname))


@admin.register(AvailablePhoneNumber)
class AvailablePhoneNumberAdmin(SearchMixin, admin.ModelAdmin):
    list_display = [
        "phone_number",
        "friendly_name",
        "region",
        "voice",
        "sms",
        "mms",
        "monthly_price",
    ]
    search_fields = ["phone_number", "region"]


@admin.register(IncomingPhoneNumber)
class IncomingPhoneNumberAdmin(SearchMixin, admin.ModelAdmin):
    list_display = [
        "phone_number",
        "sid",
        "account",
        "friendly_name",
        "date_created",
        "released_at",
    ]
    search_fields = ["=sid", "phone_number", "=account__sid"]
    list_select_related = ["account"]
    readonly_fields = [
        "sid",
        "account",
        "phone_number",
        "iso_country",
        "region",
        "voice",
        "sms",
        "mms",
        "monthly_price",
        "date_created",
        "date_updated",
        "released_at",
    ]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(UsageRecord)
class UsageRecordAdmin(SearchMixin, admin.ModelAdmin):
    list_display = ["account", "category", "quantity", "price", "start_date", "end_date"]
    list_filter = ["category"]
    search_fields = ["=account__sid"]
    list_select_related = ["account"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
