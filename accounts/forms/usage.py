"""Forms of the Usage page."""

from django import forms
from django.utils import timezone

from .. import errors


class UsageRangeForm(forms.Form):
    start = forms.DateField(
        label="From",
        input_formats=["%Y-%m-%d"],
        error_messages={"required": errors.START_REQUIRED, "invalid": errors.DATE_INVALID},
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    end = forms.DateField(
        label="To",
        input_formats=["%Y-%m-%d"],
        error_messages={"required": errors.END_REQUIRED, "invalid": errors.DATE_INVALID},
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    include_subaccounts = forms.BooleanField(label="Include subaccounts", required=False)

    @classmethod
    def from_query(cls, query):
        """Bound to the URL's range when it names one, else this month so far (GMT).
        Subaccounts are included unless the URL says `subaccounts=exclude` (the page's
        checkbox sends a hidden "exclude" then, when ticked, "include": the last one wins)."""
        include = "on" if query.get("subaccounts", "include") != "exclude" else ""
        if "start" in query or "end" in query:
            return cls(
                {
                    "start": query.get("start", ""),
                    "end": query.get("end", ""),
                    "include_subaccounts": include,
                }
            )
        today = timezone.localdate()
        return cls(
            {
                "start": today.replace(day=1).isoformat(),
                "end": today.isoformat(),
                "include_subaccounts": include,
            }
        )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and start > end:
            self.add_error("end", errors.RANGE_REVERSED)
        return cleaned
