"""Accounts: support finds them, changes names and limits, and suspends, reactivates, closes
or upgrades them with actions that ask for a reason and go through the same services (and
cascade) as the console and the API. SIDs, tokens, status and balance are never edited as raw
fields."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db.models import Count, Q
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import urlencode

from .. import errors
from ..models import Account, AccountMembership, Event
from ..services import accounts as account_services
from ..services import ledger as ledger_services
from ..services import transfers as transfer_services
from ..services import trials as trial_services
from .base import ReadOnlyAdmin, ServiceAdmin, support

StatusSource = Account.StatusSource


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


class EventInline(admin.TabularInline):
    """The account's own recent activity (every event, newest first)."""

    model = Event
    fk_name = "account"
    extra = 0
    max_num = 0
    can_delete = False
    fields = ["event_date", "event_type", "actor_type", "actor_sid", "source", "event_data"]
    readonly_fields = fields
    ordering = ["-event_date", "-id"]
    verbose_name_plural = "Activity (status history included)"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor_user")


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
            raise forms.ValidationError(errors.SPEND_CAP_NEGATIVE)
        return cap


@admin.register(Account)
class AccountAdmin(ServiceAdmin):
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
        "own_balance",
        "auto_recharge_threshold",
        "auto_recharge_amount",
        "delete_closed_subaccounts",
        "parent",
        "subaccounts_summary",
        "ledger_link",
        "date_created",
        "date_updated",
        "date_closed",
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
                    "own_balance",
                    "ledger_link",
                    "monthly_spend_cap",
                    "auto_recharge_threshold",
                    "auto_recharge_amount",
                    "subaccount_limit",
                    "subaccounts_summary",
                    "delete_closed_subaccounts",
                ]
            },
        ),
        ("Dates", {"fields": ["date_created", "date_updated", "date_closed"]}),
    ]
    inlines = [AccountMembershipInline, EventInline]
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
        # Each change through its service (with its event): status and balance change
        # elsewhere, possibly while the page was open, and are never written from here.
        changed = form.changed_data
        if "friendly_name" in changed:
            self.run_service(
                request,
                account_services.account_rename,
                account=obj,
                friendly_name=form.cleaned_data["friendly_name"],
            )
        if "subaccount_limit" in changed:
            self.run_service(
                request,
                account_services.account_limits_set,
                account=obj,
                subaccount_limit=form.cleaned_data["subaccount_limit"],
            )
        if "monthly_spend_cap" in changed:
            # It locks as charges do and refuses a closed subaccount.
            self.run_service(
                request,
                ledger_services.spend_cap_set,
                subaccount=obj,
                cap=form.cleaned_data["monthly_spend_cap"],
            )

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
        paying = obj.paying_account
        entries = (
            reverse("admin:accounts_ledgerentry_changelist") + "?" + urlencode({"q": paying.sid})
        )
        add = (
            reverse("admin:accounts_ledgerentry_add")
            + "?"
            + urlencode({"paying_account": paying.pk})
        )
        return format_html(
            '<a href="{}">Ledger entries</a> · <a href="{}">Add funds or adjust the balance</a>{}',
            entries,
            add,
            " (of the parent account, whose balance this subaccount shares)"
            if paying.pk != obj.pk
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
                            actor=support(request),
                            source=StatusSource.SUPPORT,
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
            service=account_services.account_suspend,
        )

    @admin.action(description="Reactivate selected accounts")
    def reactivate_accounts(self, request, queryset):
        return self._status_action(
            request,
            queryset,
            title="Reactivate accounts",
            verb="Reactivated",
            service=account_services.account_reactivate,
        )

    @admin.action(description="Close selected accounts (permanent)")
    def close_accounts(self, request, queryset):
        return self._status_action(
            request,
            queryset,
            title="Close accounts (permanent)",
            verb="Closed",
            # A subaccount with its own balance returns it to its parent as it closes.
            service=transfer_services.account_close,
        )

    @admin.action(description="Upgrade selected accounts to Full")
    def upgrade_accounts(self, request, queryset):
        done = 0
        for account in queryset:
            try:
                trial_services.account_upgrade(account=account, actor=support(request))
                done += 1
            except errors.AccountError as error:
                self.message_user(request, f"{account.sid}: {error.message}", messages.ERROR)
        if done:
            self.message_user(request, f"Upgraded {done} account(s) to Full.", messages.SUCCESS)


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    """The activity log, read-only: find an event by its SID, or every event about an account
    or resource by theirs."""

    list_display = [
        "event_date",
        "event_type",
        "account_sid",
        "resource_sid",
        "actor_type",
        "actor_sid",
        "source",
        "source_ip_address",
    ]
    list_filter = ["source", "actor_type", "resource_type"]
    search_fields = ["=sid", "=account_sid", "=resource_sid", "=actor_sid", "event_type"]
    show_full_result_count = False
    readonly_fields = [
        "sid",
        "event_date",
        "event_type",
        "account_sid",
        "organization",
        "resource_type",
        "resource_sid",
        "actor_type",
        "actor_sid",
        "actor_user",
        "source",
        "source_ip_address",
        "event_data",
        "description",
    ]
    fields = readonly_fields

    def has_change_permission(self, request, obj=None):
        # The change page is where an event is read; nothing on it can be saved.
        return obj is not None and request.method in ("GET", "HEAD")
