"""Forms of the API keys & credentials page."""

from django import forms

from .. import errors
from ..models import ApiKey
from ..services.accounts import friendly_name_clean


class KeyNameField(forms.CharField):
    def clean(self, value):
        value = super().clean(value)
        if not value.strip():
            return ""
        try:
            return friendly_name_clean(value)
        except errors.InvalidFriendlyName as error:
            raise forms.ValidationError(error.message) from None


class KeyCreateForm(forms.Form):
    friendly_name = KeyNameField(
        label="Friendly name",
        required=False,
        help_text="What the key is for, e.g. “Production server”. Optional.",
    )
    key_type = forms.ChoiceField(
        label="Key type",
        choices=[
            (ApiKey.KeyType.STANDARD, "Standard: this account's resources, not accounts or keys"),
            (ApiKey.KeyType.MAIN, "Main: everything the auth token can do"),
        ],
        initial=ApiKey.KeyType.STANDARD,
        widget=forms.RadioSelect,
        error_messages={
            "required": errors.KEY_TYPE_UNKNOWN,
            "invalid_choice": errors.KEY_TYPE_UNKNOWN,
        },
    )


class KeyRenameForm(forms.Form):
    friendly_name = KeyNameField(label="Friendly name", required=False)
