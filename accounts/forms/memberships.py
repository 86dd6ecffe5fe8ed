"""Forms about the people of an account: roles and invitations."""

from django import forms

from .. import errors, roles
from ..services import invitations as invitation_services
from ..services import memberships as membership_services
from ..services.memberships import roles_clean
from .base import ServiceForm

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


class InvitationForm(ServiceForm):
    refusal_field = "email"
    email = forms.EmailField(label="Email address")
    roles = RolesField(label="Roles")

    def perform(self, *, account, actor, base_url):
        return invitation_services.invitation_create(
            account=account,
            email=self.cleaned_data["email"],
            roles_=self.cleaned_data["roles"],
            actor=actor,
            base_url=base_url,
        )


class RolesForm(ServiceForm):
    roles = RolesField(label="Roles")

    def perform(self, *, account, user, actor):
        return membership_services.account_member_roles_set(
            account=account, user=user, roles_=self.cleaned_data["roles"], actor=actor
        )
