"""Forms of the Billing page: the ledger's filter, adding funds, the upgrade, auto-recharge,
and transfers between a main account and its subaccounts with their own balance. Each
`submit()` calls its service; a refusal shows on the form."""

import uuid
from decimal import Decimal

from django import forms
from django.conf import settings

from .. import errors
from ..models import BalanceTransfer, LedgerEntry
from ..services import payments as payment_services
from ..services import transfers as transfer_services
from .base import ServiceForm

DEFAULT_FIRST_PAYMENT = Decimal("20.00")  # Twilio's suggested first payment
DEFAULT_RECHARGE_THRESHOLD = Decimal("10.00")  # Twilio's default: refill below $10
DEFAULT_RECHARGE_AMOUNT = Decimal("20.00")


class LedgerFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label="Kind",
        required=False,
        choices=[("", "All kinds"), *LedgerEntry.Kind.choices],
    )


def _amount_help():
    return (
        f"From ${settings.PAYMENT_MINIMUM:,.2f} to ${settings.PAYMENT_MAXIMUM:,.2f}, in "
        "dollars and cents."
    )


class AmountField(forms.DecimalField):
    """Dollars and cents; the service checks the bounds (PAYMENT_MINIMUM, PAYMENT_MAXIMUM)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 12)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault(
            "error_messages",
            {
                "required": errors.AMOUNT_NOT_A_NUMBER,
                "invalid": errors.AMOUNT_NOT_A_NUMBER,
                "max_decimal_places": errors.PAYMENT_AMOUNT_CENTS,
                "max_digits": errors.AMOUNT_TOO_LARGE,
                "max_whole_digits": errors.AMOUNT_TOO_LARGE,
            },
        )
        kwargs.setdefault("widget", forms.NumberInput(attrs={"step": "0.01", "min": "0"}))
        super().__init__(**kwargs)


class IdempotentForm(ServiceForm):
    """A form whose POST may arrive twice (a double click, a retry): the key it was rendered
    with makes the second one do nothing more."""

    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=100, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", uuid.uuid4().hex)

    def key(self):
        return self.cleaned_data.get("idempotency_key") or None


class AddFundsForm(IdempotentForm):
    refusal_field = "amount"
    amount = AmountField(label="Amount (USD)")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["amount"].help_text = _amount_help()

    def perform(self, *, account, actor):
        return payment_services.payment_request(
            account=account,
            amount=self.cleaned_data["amount"],
            actor=actor,
            idempotency_key=self.key(),
        )


class AutoRechargeForm(ServiceForm):
    refusal_field = None
    enabled = forms.BooleanField(label="Recharge automatically", required=False)
    threshold = AmountField(
        label="When the balance falls below (USD)",
        required=False,
        initial=DEFAULT_RECHARGE_THRESHOLD,
    )
    amount = AmountField(label="Add (USD)", required=False, initial=DEFAULT_RECHARGE_AMOUNT)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("enabled"):
            for name in ("threshold", "amount"):
                if cleaned.get(name) is None and name not in self.errors:
                    self.add_error(name, errors.AUTO_RECHARGE_BOTH)
        return cleaned

    def perform(self, *, account, actor):
        data = self.cleaned_data
        on = data["enabled"]
        return payment_services.auto_recharge_set(
            account=account,
            threshold=data["threshold"] if on else None,
            amount=data["amount"] if on else None,
            actor=actor,
        )


class UpgradeForm(IdempotentForm, AutoRechargeForm):
    """The upgrade: who pays and where, the first payment, and auto-recharge if wanted."""

    refusal_field = None
    contact_name = forms.CharField(label="Billing contact", max_length=100)
    contact_email = forms.EmailField(
        label="Billing email", error_messages={"invalid": errors.BILLING_EMAIL_INVALID}
    )
    company_name = forms.CharField(label="Company (optional)", max_length=100, required=False)
    address_line1 = forms.CharField(label="Street address", max_length=200)
    address_line2 = forms.CharField(
        label="Address, second line (optional)", max_length=200, required=False
    )
    city = forms.CharField(label="City", max_length=100)
    region = forms.CharField(label="State or region (optional)", max_length=100, required=False)
    postal_code = forms.CharField(label="Postal code", max_length=20)
    country = forms.CharField(
        label="Country",
        max_length=2,
        min_length=2,
        initial="US",
        help_text="Its two-letter code: US, CA, GB, DE…",
        error_messages={
            "min_length": errors.BILLING_COUNTRY_INVALID,
            "max_length": errors.BILLING_COUNTRY_INVALID,
        },
    )
    first_payment = AmountField(label="First payment (USD)", initial=DEFAULT_FIRST_PAYMENT)

    field_order = [
        "contact_name",
        "contact_email",
        "company_name",
        "address_line1",
        "address_line2",
        "city",
        "region",
        "postal_code",
        "country",
        "first_payment",
        "enabled",
        "threshold",
        "amount",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["first_payment"].help_text = (
            _amount_help() + " It becomes the balance: what is left of the trial credit goes."
        )
        for name in payment_services.BILLING_FIELDS:
            field = self.fields[name]
            words = payment_services.BILLING_FIELDS[name][0]
            field.error_messages["required"] = errors.BILLING_FIELD_REQUIRED.format(field=words)

    def perform(self, *, account, actor):
        data = self.cleaned_data
        on = data["enabled"]
        return payment_services.account_upgrade_request(
            account=account,
            actor=actor,
            billing={name: data[name] for name in payment_services.BILLING_FIELDS},
            amount=data["first_payment"],
            idempotency_key=self.key(),
            auto_recharge_threshold=data["threshold"] if on else None,
            auto_recharge_amount=data["amount"] if on else None,
        )


class TransferForm(IdempotentForm):
    """Money between a main account and one of its subaccounts with its own balance. On a
    main account's page `subaccount` is chosen; on a subaccount's it is that one."""

    refusal_field = None
    subaccount = forms.ChoiceField(label="Subaccount")
    direction = forms.ChoiceField(
        label="Direction",
        choices=BalanceTransfer.Direction.choices,
        initial=BalanceTransfer.Direction.TO_SUBACCOUNT,
        widget=forms.RadioSelect,
    )
    amount = AmountField(label="Amount (USD)")
    reason = forms.CharField(label="Note (optional)", max_length=200, required=False)

    def __init__(self, *args, subaccounts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.subaccounts = {sub.sid: sub for sub in subaccounts}
        self.fields["subaccount"].choices = [
            (sub.sid, f"{sub.friendly_name} ({sub.sid})") for sub in subaccounts
        ]
        self.fields["subaccount"].error_messages["required"] = errors.TRANSFER_SUBACCOUNT_REQUIRED
        self.fields["subaccount"].error_messages["invalid_choice"] = (
            errors.TRANSFER_SUBACCOUNT_REQUIRED
        )
        if len(self.subaccounts) == 1 and not self.is_bound:
            self.initial["subaccount"] = next(iter(self.subaccounts))

    def perform(self, *, main, actor):
        data = self.cleaned_data
        sub = self.subaccounts[data["subaccount"]]
        to_sub = data["direction"] == BalanceTransfer.Direction.TO_SUBACCOUNT
        return transfer_services.balance_transfer(
            source=main if to_sub else sub,
            target=sub if to_sub else main,
            amount=data["amount"],
            reason=data["reason"],
            actor=actor,
            idempotency_key=self.key(),
        )


class TransferReverseForm(ServiceForm):
    reason = forms.CharField(label="Note (optional)", max_length=200, required=False)

    def perform(self, *, transfer, actor):
        return transfer_services.balance_transfer_reverse(
            transfer=transfer, reason=self.cleaned_data["reason"], actor=actor
        )
