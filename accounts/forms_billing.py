"""Forms of the money pages: ledger filter, number search and purchase, transfer, usage range."""

import re

from django import forms
from django.utils import timezone

from .models import LedgerEntry

CONTAINS_INVALID = "Search with digits only, e.g. 415 or 555-01."
PHONE_NUMBER_REQUIRED = "Choose a number to buy."
TRANSFER_TARGET_REQUIRED = "Choose the account to move this number to."
DATE_INVALID = "Enter a date as YYYY-MM-DD."
START_REQUIRED = "Enter a start date."
END_REQUIRED = "Enter an end date."
RANGE_REVERSED = "The start date must be on or before the end date."


class LedgerFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label="Kind",
        required=False,
        choices=[("", "All kinds"), *LedgerEntry.Kind.choices],
    )


class AvailableNumberSearchForm(forms.Form):
    contains = forms.CharField(
        label="Number contains",
        required=False,
        max_length=20,
        strip=True,
        widget=forms.TextInput(
            attrs={"inputmode": "tel", "placeholder": "e.g. 415", "autocomplete": "off"}
        ),
    )

    def clean_contains(self):
        contains = self.cleaned_data["contains"]
        if contains and not re.fullmatch(r"[\d\s()+\-.]*", contains):
            raise forms.ValidationError(CONTAINS_INVALID)
        return contains


class NumberBuyForm(forms.Form):
    phone_number = forms.CharField(
        max_length=20, error_messages={"required": PHONE_NUMBER_REQUIRED}
    )


class NumberTransferForm(forms.Form):
    target = forms.CharField(
        label="Move to",
        max_length=34,
        error_messages={"required": TRANSFER_TARGET_REQUIRED},
    )


class UsageRangeForm(forms.Form):
    start = forms.DateField(
        label="From",
        input_formats=["%Y-%m-%d"],
        error_messages={"required": START_REQUIRED, "invalid": DATE_INVALID},
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    end = forms.DateField(
        label="To",
        input_formats=["%Y-%m-%d"],
        error_messages={"required": END_REQUIRED, "invalid": DATE_INVALID},
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    @classmethod
    def from_query(cls, query):
        """Bound to the URL's range when it names one, else this month so far."""
        if "start" in query or "end" in query:
            return cls({"start": query.get("start", ""), "end": query.get("end", "")})
        today = timezone.localdate()
        return cls({"start": today.replace(day=1).isoformat(), "end": today.isoformat()})

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and start > end:
            self.add_error("end", RANGE_REVERSED)
        return cleaned
