"""Money and resources: support adds funds, refunds or adjusts a balance with a new ledger
entry (never an edit), approves or declines manual payments (four eyes above
PAYMENTS_FOUR_EYES_ABOVE), transfers money between a main account and its subaccounts with
their own balance and reverses transfers, and sees numbers and usage."""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db.models import Q
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse

from .. import errors
from ..models import (
    Account,
    AvailablePhoneNumber,
    BalanceTransfer,
    IncomingPhoneNumber,
    LedgerEntry,
    Payment,
    UsageRecord,
)
from ..services import ledger as ledger_services
from ..services import numbers as number_services
from ..services import payments as payment_services
from ..services import transfers as transfer_services
from .base import ReadOnlyAdmin, ServiceAdmin, support


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
        self.fields["paying_account"].queryset = Account.objects.filter(
            Q(parent__isnull=True) | Q(own_balance=True)
        )
        self.fields[
            "paying_account"
        ].help_text = (
            "An account that holds a balance: a top-level account, or a subaccount with its own."
        )

    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            try:
                ledger_services.entry_check(
                    account=cleaned["paying_account"],
                    kind=cleaned["kind"],
                    amount=cleaned["amount"],
                    reason=cleaned["description"],
                )
            except errors.AccountError as error:
                raise forms.ValidationError(error.message) from None
        return cleaned


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ServiceAdmin):
    form = LedgerEntryForm
    list_display = [
        "date_created",
        "paying_account",
        "account",
        "incurred_by_sid",
        "kind",
        "amount",
        "balance_after",
        "test_money",
        "description",
        "actor",
    ]
    list_filter = ["kind", "test_money"]
    search_fields = [
        "=sid",
        "=paying_account__sid",
        "=account__sid",
        "=incurred_by_sid",
        "=paid_from_sid",
        "description",
    ]
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
        entry = ledger_services.entry_post(
            account=data["paying_account"],
            kind=data["kind"],
            amount=data["amount"],
            reason=data["description"],
            actor=support(request),
        )
        for field in LedgerEntry._meta.concrete_fields:
            setattr(obj, field.attname, getattr(entry, field.attname))


@admin.register(AvailablePhoneNumber)
class AvailablePhoneNumberAdmin(ReadOnlyAdmin):
    """The inventory, as `manage.py load_numbers` filled it (purchases and releases move
    numbers in and out of it)."""

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
class IncomingPhoneNumberAdmin(ServiceAdmin):
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

    def save_model(self, request, obj, form, change):
        if "friendly_name" in form.changed_data:
            self.run_service(
                request,
                number_services.number_rename,
                number=obj,
                friendly_name=form.cleaned_data["friendly_name"],
            )


@admin.register(UsageRecord)
class UsageRecordAdmin(ReadOnlyAdmin):
    list_display = ["account", "category", "quantity", "price", "start_date", "end_date"]
    list_filter = ["category"]
    search_fields = ["=account__sid"]
    list_select_related = ["account"]


class DeclineForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text="The customer sees it on their Billing page.",
    )


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    """Payments, and support's decision on the manual ones: approve (a second, different
    staff member too above PAYMENTS_FOUR_EYES_ABOVE) or decline with a reason. Each through
    its service, one payment at a time."""

    list_display = [
        "date_created",
        "sid",
        "account",
        "purpose",
        "amount",
        "status",
        "approvals",
        "backend",
        "test_money",
        "requested_by",
    ]
    list_filter = ["status", "purpose", "needs_approval", "test_money"]
    search_fields = ["=sid", "=account__sid"]
    list_select_related = ["account", "requested_by", "first_approver"]
    show_full_result_count = False
    actions = ["approve_payments", "decline_payments"]
    fields = [
        "sid",
        "account",
        "purpose",
        "amount",
        "status",
        "backend",
        "needs_approval",
        "test_money",
        "reference",
        "failure_message",
        "decline_reason",
        "requested_by",
        "first_approver",
        "second_approver",
        "decided_by",
        "ledger_entry",
        "date_created",
        "date_decided",
    ]
    readonly_fields = fields

    def has_view_permission(self, request, obj=None):
        return (
            request.user.is_active
            and request.user.is_staff
            and super().has_view_permission(request, obj)
        )

    def has_decide_permission(self, request):
        return request.user.has_perm("accounts.change_payment")

    @admin.display(description="Approvals")
    def approvals(self, obj):
        if not obj.needs_approval:
            return "—"
        given = (obj.first_approver_id is not None) + (obj.second_approver_id is not None)
        return str(given)

    @admin.action(description="Approve selected payments", permissions=["decide"])
    def approve_payments(self, request, queryset):
        for payment in queryset.order_by("pk"):
            try:
                result = payment_services.payment_approve(payment=payment, actor=support(request))
            except errors.AccountError as refusal:
                self.message_user(request, f"{payment.sid}: {refusal.message}", messages.ERROR)
                continue
            if result.status == Payment.Status.SUCCEEDED:
                self.message_user(
                    request,
                    f"{payment.sid}: approved; ${result.amount:,.2f} added to "
                    f"{result.account.friendly_name}.",
                    messages.SUCCESS,
                )
            else:
                self.message_user(
                    request,
                    f"{payment.sid}: your approval is recorded. Over "
                    f"${settings.PAYMENTS_FOUR_EYES_ABOVE:,.2f}, a second staff "
                    "member must approve it too.",
                    messages.WARNING,
                )

    @admin.action(description="Decline selected payments", permissions=["decide"])
    def decline_payments(self, request, queryset):
        if "apply" in request.POST:
            form = DeclineForm(request.POST)
            if form.is_valid():
                for payment in queryset.order_by("pk"):
                    try:
                        payment_services.payment_decline(
                            payment=payment,
                            reason=form.cleaned_data["reason"],
                            actor=support(request),
                        )
                    except errors.AccountError as refusal:
                        self.message_user(
                            request, f"{payment.sid}: {refusal.message}", messages.ERROR
                        )
                    else:
                        self.message_user(request, f"{payment.sid}: declined.", messages.SUCCESS)
                return None
        else:
            form = DeclineForm()
        return TemplateResponse(
            request,
            "admin/accounts/payment/decline.html",
            {
                **self.admin_site.each_context(request),
                "title": "Decline payments",
                "payments": queryset.select_related("account"),
                "form": form,
                "action_checkbox_name": ACTION_CHECKBOX_NAME,
                "opts": self.model._meta,
            },
        )


class BalanceTransferForm(forms.ModelForm):
    """Support moves money between a main account and one of its subaccounts with its own
    balance: the same service (and rules) as the console."""

    source = forms.ModelChoiceField(
        queryset=Account.objects.filter(Q(parent__isnull=True) | Q(own_balance=True)),
        widget=admin.widgets.ForeignKeyRawIdWidget(
            Account._meta.get_field("parent").remote_field, admin.site
        ),
        help_text="The account the money comes from.",
    )
    target = forms.ModelChoiceField(
        queryset=Account.objects.filter(Q(parent__isnull=True) | Q(own_balance=True)),
        widget=admin.widgets.ForeignKeyRawIdWidget(
            Account._meta.get_field("parent").remote_field, admin.site
        ),
        help_text="Its parent, or one of its subaccounts with its own balance.",
    )

    class Meta:
        model = BalanceTransfer
        fields = ["amount", "reason"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].required = True
        self.fields["reason"].help_text = "Kept with both ledger entries."

    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            try:
                transfer_services.transfer_check(
                    source=cleaned["source"], target=cleaned["target"], amount=cleaned["amount"]
                )
            except errors.AccountError as refusal:
                raise forms.ValidationError(refusal.message) from None
        return cleaned


@admin.register(BalanceTransfer)
class BalanceTransferAdmin(ServiceAdmin):
    list_display = [
        "date_created",
        "sid",
        "main_account",
        "subaccount_sid",
        "subaccount_name",
        "direction",
        "amount",
        "reverses",
        "reason",
    ]
    list_filter = ["direction"]
    search_fields = ["=sid", "=main_account__sid", "=subaccount_sid"]
    list_select_related = ["main_account", "reverses"]
    show_full_result_count = False
    actions = ["reverse_transfers"]

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = BalanceTransferForm
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["source", "target", "amount", "reason"]
        return [field.name for field in BalanceTransfer._meta.concrete_fields if field.name != "id"]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.get_fields(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if change:
            return
        data = form.cleaned_data
        transfer = self.run_service(
            request,
            transfer_services.balance_transfer,
            source=data["source"],
            target=data["target"],
            amount=data["amount"],
            reason=data["reason"],
        )
        if transfer is not None:
            obj.pk = transfer.pk
            obj.sid = transfer.sid

    def log_addition(self, request, obj, message):
        if obj.pk is not None:
            return super().log_addition(request, obj, message)
        return None

    def response_add(self, request, obj, post_url_continue=None):
        if obj.pk is None:
            # The service refused under its locks (its message is shown): the form again.
            return HttpResponseRedirect(request.path)
        return super().response_add(request, obj, post_url_continue)

    # A reversal is a new transfer: only staff who may make transfers reverse them.
    @admin.action(description="Reverse selected transfers", permissions=["add"])
    def reverse_transfers(self, request, queryset):
        for transfer in queryset.order_by("pk"):
            reversal = self.run_service(
                request, transfer_services.balance_transfer_reverse, transfer=transfer
            )
            if reversal is not None:
                self.message_user(
                    request, f"{transfer.sid}: reversed by {reversal.sid}.", messages.SUCCESS
                )
