"""The one way a console form changes something: `submit()` validates, calls the form's
service (`perform`) and shows a refusal as a form error, so a view only fetches, submits and
responds."""

from django import forms
from django.core.exceptions import PermissionDenied

from .. import errors


class ServiceForm(forms.Form):
    # The field a service's refusal is shown on; None shows it above the form.
    refusal_field = None
    # Pages whose access check can race with a role change answer the service's own refusal
    # of permission with a 403 rather than an error in the form.
    not_permitted_is_forbidden = False

    def perform(self, **context):
        """Call the service with the cleaned data and `context` (who asks, about what)."""
        raise NotImplementedError

    def submit(self, **context):
        """What the service returned, or None: the form is invalid, or the service refused
        (the refusal is then one of the form's errors)."""
        if not self.is_valid():
            return None
        try:
            return self.perform(**context)
        except errors.NotPermitted as refusal:
            if self.not_permitted_is_forbidden:
                raise PermissionDenied(refusal.message) from None
            self.add_error(self.refusal_field, refusal.message)
        except errors.AccountError as refusal:
            self.add_error(self.refusal_field, refusal.message)
        return None

    @property
    def first_error(self):
        """The first message, for a refusal shown in one line (a table row, a message)."""
        for messages in self.errors.values():
            return messages[0]
        return None
