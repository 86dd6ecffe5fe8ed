"""Forms of the Phone numbers pages: search the inventory, buy, move a number."""

import re

from django import forms

from .. import errors


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
            raise forms.ValidationError(errors.CONTAINS_INVALID)
        return contains


class NumberBuyForm(forms.Form):
    phone_number = forms.CharField(
        max_length=20, error_messages={"required": errors.PHONE_NUMBER_REQUIRED}
    )


class NumberTransferForm(forms.Form):
    target = forms.CharField(
        label="Move to",
        max_length=34,
        error_messages={"required": errors.TRANSFER_TARGET_REQUIRED},
    )
