"""The form of the Usage triggers page: a new trigger, checked by its service."""

from django import forms

from .. import errors
from ..models import UsageTrigger
from ..models.usage import category_label, reported_categories
from ..services import triggers as trigger_services


def _category_choices():
    return [(name, f"{category_label(name)} ({name})") for name in reported_categories()]


class UsageTriggerForm(forms.Form):
    friendly_name = forms.CharField(label="Friendly name", max_length=64, required=False)
    usage_category = forms.ChoiceField(label="Usage category", choices=_category_choices)
    trigger_by = forms.ChoiceField(
        label="Watch",
        choices=UsageTrigger.TriggerBy.choices,
        initial=UsageTrigger.TriggerBy.PRICE,
        help_text="Count: calls, messages or numbers. Usage: minutes or messages. "
        "Price: dollars spent.",
    )
    trigger_value = forms.CharField(
        label="Fire at",
        max_length=20,
        help_text="A value such as 50, or +50 for 50 more than the value now.",
        error_messages={"required": errors.TRIGGER_VALUE_REQUIRED},
    )
    recurring = forms.ChoiceField(
        label="Period",
        choices=UsageTrigger.Recurring.choices,
        initial=UsageTrigger.Recurring.MONTHLY,
        help_text="It fires at most once in each period (GMT).",
    )
    callback_url = forms.CharField(
        label="Callback URL",
        max_length=1000,
        widget=forms.URLInput(attrs={"placeholder": "https://example.com/usage-alert"}),
        error_messages={"required": errors.TRIGGER_CALLBACK_URL_REQUIRED},
        help_text="Called with Twilio's parameters, signed with this account's auth token "
        "(X-Twilio-Signature).",
    )
    callback_method = forms.ChoiceField(
        label="Method", choices=UsageTrigger.Method.choices, initial=UsageTrigger.Method.POST
    )

    def save(self, *, account, actor):
        """The new trigger, or None with the service's refusal on the form."""
        data = self.cleaned_data
        try:
            return trigger_services.usage_trigger_create(
                account=account,
                friendly_name=data["friendly_name"],
                usage_category=data["usage_category"],
                trigger_by=data["trigger_by"],
                trigger_value=data["trigger_value"],
                recurring=data["recurring"],
                callback_url=data["callback_url"],
                callback_method=data["callback_method"],
                actor=actor,
            )
        except errors.UsageTriggerError as refusal:
            self.add_error(_field_of(refusal.message), refusal.message)
            return None


def _field_of(message):
    """The field a refusal of the service is about, to show it there."""
    if "callback URL" in message:
        return "callback_url"
    if "trigger value" in message:
        return "trigger_value"
    if "friendly name" in message:
        return "friendly_name"
    return None
