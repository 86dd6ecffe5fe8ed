"""Forms of the Phone numbers pages: search the inventory, buy, rename and move a number."""

import re

from django import forms

from .. import errors
from ..services import numbers as number_services
from .accounts import FriendlyNameForm
from .base import ServiceForm


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


class NumberBuyForm(ServiceForm):
    phone_number = forms.CharField(
        max_length=20, error_messages={"required": errors.PHONE_NUMBER_REQUIRED}
    )

    def perform(self, *, account, actor):
        return number_services.number_buy(
            account=account, phone_number=self.cleaned_data["phone_number"], actor=actor
        )


class NumberRenameForm(FriendlyNameForm):
    refusal_field = "friendly_name"

    def perform(self, *, number, actor):
        return number_services.number_rename(
            number=number, friendly_name=self.cleaned_data["friendly_name"], actor=actor
        )


class NumberTransferForm(ServiceForm):
    """Where to move a number: one of the family's accounts, looked up inside the family only
    (an unrelated SID and one that does not exist get the same refusal)."""

    target = forms.CharField(
        label="Move to",
        max_length=34,
        error_messages={"required": errors.TRANSFER_TARGET_REQUIRED},
    )

    def __init__(self, *args, family, **kwargs):
        super().__init__(*args, **kwargs)
        self.family = family

    def clean_target(self):
        target = self.family.filter(sid=self.cleaned_data["target"]).first()
        if target is None:
            raise forms.ValidationError(errors.TransferTargetUnrelated.message)
        return target

    def perform(self, *, number, main, actor):
        return number_services.number_transfer(
            number=number, target=self.cleaned_data["target"], acting_account=main, actor=actor
        )


class NumberReleaseForm(ServiceForm):
    """Release asks nothing more than the confirmation itself."""

    def perform(self, *, number, actor):
        return number_services.number_release(number=number, actor=actor)
