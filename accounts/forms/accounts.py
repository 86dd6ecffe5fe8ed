"""Forms about accounts: names and spend caps."""

from django import forms

from .. import errors
from ..services.accounts import friendly_name_clean


class FriendlyNameForm(forms.Form):
    # No max_length: the browser would cut a pasted name silently; the service's check says
    # what is wrong instead.
    friendly_name = forms.CharField(
        label="Friendly name",
        strip=True,
        error_messages={"required": errors.FRIENDLY_NAME_REQUIRED},
    )

    def clean_friendly_name(self):
        try:
            return friendly_name_clean(self.cleaned_data["friendly_name"])
        except errors.InvalidFriendlyName as error:
            raise forms.ValidationError(error.message) from None


class SpendCapForm(forms.Form):
    monthly_spend_cap = forms.DecimalField(
        label="Monthly spend cap (USD)",
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=2,
        help_text="Usage charges that would take this subaccount past it in a calendar month "
        "(UTC) are refused. Leave empty for no cap.",
    )
