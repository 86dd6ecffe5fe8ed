"""Organization pages, under /orgs/ and the `organizations:` namespace."""

from django.urls import path

from ..views import organizations

app_name = "organizations"

urlpatterns = [
    path("", organizations.organization_list, name="organization_list"),
    path("new/", organizations.organization_create, name="organization_create"),
    path("<str:org_sid>/", organizations.organization_overview, name="organization_overview"),
    path("<str:org_sid>/leave/", organizations.organization_leave, name="organization_leave"),
    path(
        "<str:org_sid>/two-factor/",
        organizations.organization_two_factor,
        name="organization_two_factor",
    ),
    path(
        "<str:org_sid>/owner/",
        organizations.organization_owner_transfer,
        name="organization_owner_transfer",
    ),
    path(
        "<str:org_sid>/accounts/",
        organizations.organization_accounts,
        name="organization_accounts",
    ),
    path(
        "<str:org_sid>/accounts/new/",
        organizations.organization_account_add,
        name="organization_account_add",
    ),
    path(
        "<str:org_sid>/accounts/import/",
        organizations.organization_account_import,
        name="organization_account_import",
    ),
    path(
        "<str:org_sid>/members/",
        organizations.organization_members,
        name="organization_members",
    ),
    path(
        "<str:org_sid>/members/invite/",
        organizations.organization_member_invite,
        name="organization_member_invite",
    ),
    path(
        "<str:org_sid>/members/<int:user_id>/role/",
        organizations.organization_member_role,
        name="organization_member_role",
    ),
    path(
        "<str:org_sid>/members/<int:user_id>/remove/",
        organizations.organization_member_remove,
        name="organization_member_remove",
    ),
    path(
        "<str:org_sid>/invitations/<int:pk>/resend/",
        organizations.organization_invitation_resend,
        name="organization_invitation_resend",
    ),
    path(
        "<str:org_sid>/invitations/<int:pk>/revoke/",
        organizations.organization_invitation_revoke,
        name="organization_invitation_revoke",
    ),
]
