"""Forms about the people of an account: roles and invitations."""

from django import forms

from .. import errors, roles
from ..services.memberships import roles_clean

ASSIGNABLE_ROLE_CHOICES = [
    (role, label) for role, label in roles.ROLE_CHOICES if role != roles.OWNER
]


class RolesField(forms.MultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs):
        kwargs.setdefault("choices", ASSIGNABLE_ROLE_CHOICES)
        kwargs.setdefault(
            "help_text",
            "Administrator includes everything but closing the account and transferring "
            "ownership, and cannot be combined. Developer, Billing Manager and Support combine.",
        )
        kwargs.setdefault("error_messages", {"required": errors.ROLES_REQUIRED})
        super().__init__(**kwargs)

    def clean(self, value):
        chosen = super().clean(value)
        try:
            return roles_clean(chosen)
        except errors.PeopleError as error:
            raise forms.ValidationError(error.message) from None


class InvitationForm(forms.Form):
    email = forms.EmailField(label="Email address")
    roles = RolesField(label="Roles")


class RolesForm(forms.Form):
    roles = RolesField(label="Roles")
