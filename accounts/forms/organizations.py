"""Forms of the organization pages (console only: the API has no organization endpoints)."""

from django import forms

from .. import errors
from ..models import Account, Organization, OrganizationMembership, User
from ..selectors.organizations import organization_importable_accounts

OrgRole = OrganizationMembership.Role
INVITABLE_ROLE_CHOICES = [
    (OrgRole.ADMINISTRATOR, OrgRole.ADMINISTRATOR.label),
    (OrgRole.MEMBER, OrgRole.MEMBER.label),
]


class OrganizationForm(forms.Form):
    name = forms.CharField(
        label="Organization name",
        max_length=Organization._meta.get_field("name").max_length,
        strip=True,
        error_messages={"required": errors.ORGANIZATION_NAME_REQUIRED},
    )


class OrganizationInvitationForm(forms.Form):
    email = forms.EmailField(label="Email address")
    role = forms.ChoiceField(label="Role", choices=INVITABLE_ROLE_CHOICES, initial=OrgRole.MEMBER)


class MemberRoleForm(forms.Form):
    role = forms.ChoiceField(label="Role", choices=INVITABLE_ROLE_CHOICES)


class _UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.full_name} ({obj.email})" if obj.full_name else obj.email


class OwnerTransferForm(forms.Form):
    new_owner = _UserChoiceField(
        label="New owner",
        queryset=User.objects.none(),
        empty_label="Choose a member…",
        error_messages={
            "required": errors.CHOOSE_NEW_OWNER,
            "invalid_choice": errors.ORGANIZATION_TRANSFER_TO_MEMBER_ONLY,
        },
    )

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        # Only other members can be chosen: the owner is who asks.
        self.fields["new_owner"].queryset = User.objects.filter(
            organization_memberships__organization=organization,
            organization_memberships__role__in=[OrgRole.ADMINISTRATOR, OrgRole.MEMBER],
        ).order_by("email")


class AccountImportForm(forms.Form):
    account = forms.ModelChoiceField(
        label="Account to import",
        queryset=Account.objects.none(),
        to_field_name="sid",
        empty_label="Choose an account…",
        error_messages={
            "required": errors.CHOOSE_ACCOUNT_TO_IMPORT,
            "invalid_choice": errors.CHOOSE_ACCOUNT_TO_IMPORT,
        },
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = organization_importable_accounts(user=user)
        self.fields["account"].label_from_instance = lambda a: f"{a.friendly_name} ({a.sid})"
