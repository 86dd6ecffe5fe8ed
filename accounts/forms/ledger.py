"""Forms of the Billing page."""

from django import forms

from ..models import LedgerEntry


class LedgerFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label="Kind",
        required=False,
        choices=[("", "All kinds"), *LedgerEntry.Kind.choices],
    )
