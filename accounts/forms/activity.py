"""The Activity page's filters: event type, actor, resource, dates, and (on a main account)
one account of the family."""

import datetime
import re

from django import forms
from django.http import Http404

from .. import errors
from ..models import ACCOUNT_EVENT_TYPES
from ..selectors import accounts as account_selectors
from ..selectors.events import day_start

ACTOR_SID = re.compile(r"(US|AC|SK)[0-9a-f]{32}")
ANY_SID = re.compile(r"[A-Z]{2}[0-9a-f]{32}")

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
EVENT_TYPE_CHOICES = [("", "All events"), *ACCOUNT_EVENT_TYPES.items()]


class EventTypeSelect(forms.Select):
    """The event types' select, rendered once per selected type and kept: its options never
    change, and drawing them (one template each) was a good part of the page's cost."""

    _rendered = {}

    def render(self, name, value, attrs=None, renderer=None):
        if value not in ACCOUNT_EVENT_TYPES and value not in ("", None):
            return super().render(name, value, attrs, renderer)  # not kept: anything typed
        key = (
            name,
            value or "",
            tuple(sorted({**self.attrs, **(attrs or {})}.items())),
            renderer,
        )
        if key not in self._rendered:
            self._rendered[key] = super().render(name, value, attrs, renderer)
        return self._rendered[key]


def _sid(text):
    """A pasted SID as it is stored: two capital letters, then lowercase hex digits."""
    text = text.strip()
    return text[:2].upper() + text[2:].lower()


class ActivityFilterForm(forms.Form):
    event_type = forms.ChoiceField(
        label="Event",
        required=False,
        choices=EVENT_TYPE_CHOICES,
        widget=EventTypeSelect,
    )
    account = forms.CharField(
        label="Account",
        required=False,
        widget=forms.TextInput(attrs={"list": "activity-accounts", "placeholder": "All accounts"}),
    )
    actor = forms.CharField(
        label="Actor SID",
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "US… or AC…"}),
    )
    resource = forms.CharField(
        label="Resource SID",
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "AC…, PN…"}),
    )
    start = forms.DateField(
        label="From",
        required=False,
        input_formats=["%Y-%m-%d"],
        error_messages={"invalid": errors.DATE_INVALID},
        widget=DATE_WIDGET,
    )
    end = forms.DateField(
        label="To",
        required=False,
        input_formats=["%Y-%m-%d"],
        error_messages={"invalid": errors.DATE_INVALID},
        widget=DATE_WIDGET,
    )

    def __init__(self, data=None, *, account):
        super().__init__(data)
        self.log_account = account
        for name in ("account", "actor", "resource"):
            self.fields[name].widget.attrs.update(autocomplete="off", spellcheck="false")
        if account.is_subaccount:
            # A subaccount's log is its own: there is no other account to choose.
            del self.fields["account"]

    @classmethod
    def from_query(cls, query, *, account):
        """Bound to the URL's filters (an empty form is valid: no filter)."""
        return cls({name: query.get(name, "") for name in cls.base_fields}, account=account)

    def clean_account(self):
        sid = _sid(self.cleaned_data["account"])
        if not sid:
            return ""
        main = self.log_account
        if sid != main.sid:
            try:
                account_selectors.subaccount_get(parent=main, sid=sid)
            except Http404:
                raise forms.ValidationError(errors.ACTIVITY_ACCOUNT_INVALID) from None
        return sid

    def clean_actor(self):
        sid = _sid(self.cleaned_data["actor"])
        if sid and not ACTOR_SID.fullmatch(sid):
            raise forms.ValidationError(errors.ACTIVITY_ACTOR_INVALID)
        return sid

    def clean_resource(self):
        sid = _sid(self.cleaned_data["resource"])
        if sid and not ANY_SID.fullmatch(sid):
            raise forms.ValidationError(errors.ACTIVITY_RESOURCE_INVALID)
        return sid

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and start > end:
            self.add_error("end", errors.RANGE_REVERSED)
        return cleaned

    @property
    def is_filtered(self):
        return self.is_valid() and any(self.cleaned_data.values())

    def filters(self):
        """The valid filters as `event_filter` takes them (dates are whole UTC days)."""
        data = self.cleaned_data
        start, end = data["start"], data["end"]
        return {
            "event_type": data["event_type"],
            "actor_sid": data["actor"],
            "resource_sid": data["resource"],
            "start": day_start(start) if start else None,
            "before": day_start(end + datetime.timedelta(days=1)) if end else None,
        }
