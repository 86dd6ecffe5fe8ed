"""Forms of the organization pages (console only: the API has no organization endpoints)."""

from django import forms

from .. import errors
from ..models import Account, Organization, OrganizationMembership, User
from ..selectors.organizations import organization_importable_accounts
from ..services import invitations as invitation_services
from ..services import organizations as organization_services
from .accounts import FriendlyNameForm
from .base import ServiceForm

OrgRole = OrganizationMembership.Role
INVITABLE_ROLE_CHOICES = [
    (OrgRole.ADMINISTRATOR, OrgRole.ADMINISTRATOR.label),
    (OrgRole.MEMBER, OrgRole.MEMBER.label),
]


class OrganizationServiceForm(ServiceForm):
    # The organization pages check the role first; a role lost in between is a 403 too.
    not_permitted_is_forbidden = True


class OrganizationForm(OrganizationServiceForm):
    name = forms.CharField(
        label="Organization name",
        max_length=Organization._meta.get_field("name").max_length,
        strip=True,
        error_messages={"required": errors.ORGANIZATION_NAME_REQUIRED},
    )

    def perform(self, *, owner, actor):
        return organization_services.organization_create(
            name=self.cleaned_data["name"], owner=owner, actor=actor
        )


class OrganizationInvitationForm(OrganizationServiceForm):
    refusal_field = "email"
    email = forms.EmailField(label="Email address")
    role = forms.ChoiceField(label="Role", choices=INVITABLE_ROLE_CHOICES, initial=OrgRole.MEMBER)

    def perform(self, *, organization, actor, base_url):
        return invitation_services.invitation_create(
            email=self.cleaned_data["email"],
            organization=organization,
            roles_=[self.cleaned_data["role"]],
            actor=actor,
            base_url=base_url,
        )


class MemberRoleForm(OrganizationServiceForm):
    role = forms.ChoiceField(label="Role", choices=INVITABLE_ROLE_CHOICES)

    def perform(self, *, organization, user, actor):
        return organization_services.organization_member_role_set(
            organization=organization, user=user, role=self.cleaned_data["role"], actor=actor
        )


class _UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.full_name} ({obj.email})" if obj.full_name else obj.email


class OwnerTransferForm(OrganizationServiceForm):
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
        self.organization = organization

    def perform(self, *, actor):
        return organization_services.organization_ownership_transfer(
            organization=self.organization, new_owner=self.cleaned_data["new_owner"], actor=actor
        )


class AccountImportForm(OrganizationServiceForm):
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

    def perform(self, *, organization, actor):
        return organization_services.organization_account_import(
            organization=organization, account=self.cleaned_data["account"], actor=actor
        )


class OrganizationAccountCreateForm(FriendlyNameForm):
    not_permitted_is_forbidden = True

    def perform(self, *, organization, actor):
        return organization_services.organization_account_create(
            organization=organization,
            friendly_name=self.cleaned_data["friendly_name"],
            actor=actor,
        )
