"""Money and resources: support adds funds, refunds or adjusts a balance with a new ledger
entry (never an edit), and sees numbers and usage."""

from django import forms
from django.contrib import admin

from .. import errors
from ..models import Account, AvailablePhoneNumber, IncomingPhoneNumber, LedgerEntry, UsageRecord
from ..services import ledger as ledger_services
from ..services import numbers as number_services
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
        self.fields["paying_account"].queryset = Account.objects.top_level()
        self.fields["paying_account"].help_text = "A top-level account: it holds the balance."

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
        "kind",
        "amount",
        "balance_after",
        "description",
        "actor",
    ]
    list_filter = ["kind"]
    search_fields = ["=sid", "=paying_account__sid", "=account__sid", "description"]
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
