"""Console pages about organizations: the list, an organization's overview (with the change
of owner), its accounts (create, import) and its members (invite, roles, removal).

Any member sees an organization; anyone else gets 404. Writes need the Organization Owner or
an Organization Administrator (the change of owner: the owner alone); others get 403. The
services check the same rules again: their `NotPermitted` is a 403 too, and any other refusal
is shown in place (status 422), like every form of the console.
"""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect, retarget, trigger_client_event

from .. import errors
from ..forms.organizations import (
    INVITABLE_ROLE_CHOICES,
    AccountImportForm,
    MemberRoleForm,
    OrganizationAccountCreateForm,
    OrganizationForm,
    OrganizationInvitationForm,
    OwnerTransferForm,
)
from ..models import Organization, OrganizationMembership
from ..selectors import organizations as selectors
from ..services import invitations as invitation_services
from ..services import organizations as organization_services
from ..services import two_factor as two_factor_services
from ..services.organizations import MANAGING_ROLES
from .common import FORM_ERROR_STATUS, actor, reauthentication_required, render_page_or_partial

OrgRole = OrganizationMembership.Role
PAGE_SIZE = 50
CHANGED_EVENT = "organizationChanged"


# --- The organization a page is about -------------------------------------------------------


@dataclass
class CurrentOrganization:
    """The organization named in the URL and the signed-in user's role in it."""

    organization: Organization
    role: str

    @property
    def role_label(self):
        return OrgRole(self.role).label

    @property
    def is_owner(self):
        return self.role == OrgRole.OWNER

    @property
    def can_manage(self):
        return self.role in MANAGING_ROLES

    def require_manage(self):
        if not self.can_manage:
            raise PermissionDenied(errors.ORGANIZATION_ADMIN_ONLY)

    def require_owner(self):
        if not self.is_owner:
            raise PermissionDenied(errors.ORGANIZATION_OWNER_ONLY)


def current_organization(request, org_sid):
    """The organization in the URL if the user is a member (404 otherwise)."""
    organization = selectors.organization_get_for_user(user=request.user, sid=org_sid)
    return CurrentOrganization(organization=organization, role=organization.my_role)


def _refusal_message(error):
    """A service refusal as a message to show in place; a missing role is a 403."""
    if isinstance(error, errors.NotPermitted):
        raise PermissionDenied(error.message)
    return error.message


def _context(current, page, **extra):
    # No `account` here: the console's account switcher and sidebar are for account pages.
    return {
        "current": current,
        "organization": current.organization,
        "page": page,
        "role_choices": INVITABLE_ROLE_CHOICES,
        **extra,
    }


# --- Organizations list ----------------------------------------------------------------------


def _organization_list_context(request, form=None, created=None):
    organizations = list(selectors.organization_list_for_user(user=request.user))
    for organization in organizations:
        organization.my_role_label = OrgRole(organization.my_role).label
    return {
        "organizations": organizations,
        "form": form or OrganizationForm(),
        "created": created,
        "page": "organization_list",
    }


@login_required
@vary_on_headers("HX-Request")
@require_http_methods(["GET", "POST"])
def organization_list(request):
    """The organizations the user belongs to; POST creates one, with the user as its owner."""
    if request.method == "POST":
        form = OrganizationForm(request.POST)
        created = form.submit(owner=request.user, actor=actor(request))
        if created and not request.htmx:
            messages.success(request, f"Created organization “{created.name}”.")
            return redirect("organizations:organization_list")
        context = _organization_list_context(
            request, form=None if created else form, created=created
        )
        if created:
            messages.success(request, f"Created organization “{created.name}”.")
        response = render_page_or_partial(
            request,
            "organizations/organization_create.html",
            "create",
            context,
            status=200 if created else FORM_ERROR_STATUS,
        )
        if created:
            trigger_client_event(response, CHANGED_EVENT)
        return response
    return render_page_or_partial(
        request,
        "organizations/organization_list.html",
        "rows",
        _organization_list_context(request),
    )


@login_required
@vary_on_headers("HX-Request")
@require_GET
def organization_create(request):
    """The Create organization form: a dialog over HTMX, a page without JavaScript. It posts
    to the list of organizations."""
    return render_page_or_partial(
        request,
        "organizations/organization_create.html",
        "dialog",
        _organization_list_context(request),
    )


# --- Overview and change of owner ------------------------------------------------------------


def _overview_context(current, *, transfer_form=None, transferred_to=None):
    organization = current.organization
    return _context(
        current,
        "organization_overview",
        transfer_form=(
            transfer_form or OwnerTransferForm(organization=organization)
            if current.is_owner
            else None
        ),
        transferred_to=transferred_to,
    )


@login_required
@require_http_methods(["GET"])
def organization_overview(request, org_sid):
    current = current_organization(request, org_sid)
    return render(request, "organizations/organization_overview.html", _overview_context(current))


@login_required
@require_POST
def organization_two_factor(request, org_sid):
    """The owner and administrators require (or stop requiring) two-factor of every member."""
    current = current_organization(request, org_sid)
    current.require_manage()
    required = request.POST.get("require_two_factor") == "yes"
    try:
        two_factor_services.organization_two_factor_required_set(
            organization=current.organization, required=required, actor=actor(request)
        )
    except errors.NotPermitted as error:
        raise PermissionDenied(error.message) from None
    messages.success(
        request,
        "Two-factor authentication is now required of every member."
        if required
        else "Two-factor authentication is no longer required of members.",
    )
    return redirect("organizations:organization_overview", org_sid=org_sid)


@login_required
@require_POST
def organization_leave(request, org_sid):
    """A member who is not the owner leaves; they land on their list of organizations."""
    current = current_organization(request, org_sid)
    organization = current.organization
    try:
        organization_services.organization_leave(
            organization=organization, user=request.user, actor=actor(request)
        )
    except errors.AccountError as error:
        messages.error(request, error.message)
        return redirect("organizations:organization_overview", org_sid=organization.sid)
    messages.success(request, f"You left “{organization.name}”.")
    return redirect("organizations:organization_list")


@login_required
@vary_on_headers("HX-Request")
@require_http_methods(["GET", "POST"])
@reauthentication_required(allow_get=True)
def organization_owner_transfer(request, org_sid):
    """Change organization owner (the owner only): a GET asks for confirmation (a dialog with
    HTMX, a page without), the POST does it and the old owner becomes an administrator."""
    current = current_organization(request, org_sid)
    current.require_owner()
    organization = current.organization
    if request.method == "POST" or "new_owner" in request.GET:
        data = request.POST if request.method == "POST" else request.GET
        form = OwnerTransferForm(data, organization=organization)
    else:
        form = OwnerTransferForm(organization=organization)
    if request.method == "POST" and form.submit(actor=actor(request)):
        new_owner = form.cleaned_data["new_owner"]
        if not request.htmx:
            messages.success(
                request,
                f"{new_owner.email} is now the owner of “{organization.name}”. "
                "You are an Organization Administrator.",
            )
            return redirect("organizations:organization_overview", org_sid=organization.sid)
        current = current_organization(request, org_sid)
        response = render(
            request,
            "organizations/organization_overview.html#owner",
            _overview_context(current, transferred_to=new_owner),
        )
        return trigger_client_event(response, CHANGED_EVENT)
    context = _context(current, "organization_overview", form=form)
    response = render_page_or_partial(
        request,
        "organizations/owner_transfer.html",
        "dialog",
        context,
        status=FORM_ERROR_STATUS if form.errors else 200,
    )
    if request.htmx and request.method == "POST":
        # Refused from the dialog: show why in the dialog, not behind it.
        retarget(response, "#modal-body")
    return response


# --- Accounts ----------------------------------------------------------------------------------


def _accounts_context(request, current, *, create_form=None, import_form=None, done=None):
    organization = current.organization
    accounts = selectors.organization_account_list(organization=organization, user=request.user)
    in_use = selectors.organization_open_account_count(organization=organization)
    extra = {
        "page_obj": Paginator(accounts, PAGE_SIZE).get_page(request.GET.get("page")),
        "in_use": in_use,
        "at_limit": in_use >= organization.account_limit,
        "limit_message": errors.ORGANIZATION_ACCOUNT_LIMIT_REACHED.format(
            limit=errors.limit_text(organization.account_limit)
        ),
        "done": done,
    }
    if current.can_manage:
        extra["create_form"] = create_form or OrganizationAccountCreateForm()
        extra["import_form"] = import_form or AccountImportForm(user=request.user)
        extra["can_import"] = extra["import_form"].fields["account"].queryset.exists()
    return _context(current, "organization_accounts", **extra)


def _accounts_write_response(request, current, *, done, create_form=None, import_form=None):
    """After creating or importing: a redirect for a plain POST, else the forms' partial."""
    if done and not request.htmx:
        messages.success(request, done["message"])
        return redirect("organizations:organization_accounts", org_sid=current.organization.sid)

    context = _accounts_context(
        request,
        current,
        create_form=None if done else create_form,
        import_form=None if done else import_form,
        done=done,
    )
    if done:
        messages.success(request, done["message"])
    response = render_page_or_partial(
        request,
        "organizations/organization_account_add.html",
        "manage",
        context,
        status=200 if done else FORM_ERROR_STATUS,
    )
    if done:
        trigger_client_event(response, CHANGED_EVENT)
    return response


@login_required
@vary_on_headers("HX-Request")
@require_GET
def organization_account_add(request, org_sid):
    """The forms that create or import an account in the organization: a dialog over HTMX,
    a page without JavaScript."""
    current = current_organization(request, org_sid)
    current.require_manage()
    return render_page_or_partial(
        request,
        "organizations/organization_account_add.html",
        "dialog",
        _accounts_context(request, current),
    )


@login_required
@vary_on_headers("HX-Request")
@require_http_methods(["GET", "POST"])
def organization_accounts(request, org_sid):
    """The organization's accounts; POST creates a new account in it."""
    current = current_organization(request, org_sid)
    if request.method == "GET":
        return render_page_or_partial(
            request,
            "organizations/organization_accounts.html",
            "rows",
            _accounts_context(request, current),
        )
    current.require_manage()
    form = OrganizationAccountCreateForm(request.POST)
    done = None
    account = form.submit(organization=current.organization, actor=actor(request))
    if account:
        done = {"account": account, "message": f"Created account “{account.friendly_name}”."}
    return _accounts_write_response(request, current, done=done, create_form=form)


@login_required
@require_POST
def organization_account_import(request, org_sid):
    """Move one of the user's own personal main accounts (and its subaccounts) into the
    organization."""
    current = current_organization(request, org_sid)
    current.require_manage()
    form = AccountImportForm(request.POST, user=request.user)
    done = None
    account = form.submit(organization=current.organization, actor=actor(request))
    if account:
        done = {
            "account": account,
            "message": f"Imported account “{account.friendly_name}” into the organization.",
        }
    return _accounts_write_response(request, current, done=done, import_form=form)


# --- Members and invitations -------------------------------------------------------------------


def _members_context(request, current, *, form=None, invited=None):
    organization = current.organization
    # Pending invitations (other people's email addresses) are for those who manage members.
    invited_tab = current.can_manage and request.GET.get("tab") == "invited"
    tab = "invited" if invited_tab else "members"
    members = selectors.organization_member_list(organization=organization)
    invitations = selectors.organization_invitation_list(organization=organization)
    listed = invitations if tab == "invited" else members
    extra = {
        "tab": tab,
        "page_obj": Paginator(listed, PAGE_SIZE).get_page(request.GET.get("page")),
        "member_count": members.count(),
        "invitation_count": invitations.count() if current.can_manage else None,
        "invited": invited,
    }
    if current.can_manage:
        extra["form"] = form or OrganizationInvitationForm()
    return _context(current, "organization_members", **extra)


@login_required
@vary_on_headers("HX-Request")
@require_http_methods(["GET", "POST"])
def organization_members(request, org_sid):
    """Members (and, `?tab=invited`, pending invitations); POST invites someone by email."""
    current = current_organization(request, org_sid)
    if request.method == "GET":
        return render_page_or_partial(
            request,
            "organizations/organization_members.html",
            "panel",
            _members_context(request, current),
        )
    current.require_manage()
    form = OrganizationInvitationForm(request.POST)
    invitation = form.submit(
        organization=current.organization,
        actor=actor(request),
        base_url=request.build_absolute_uri("/"),
    )
    if invitation and not request.htmx:
        messages.success(request, f"Invitation sent to {invitation.email}.")
        return redirect(
            reverse("organizations:organization_members", args=[org_sid]) + "?tab=invited"
        )
    if invitation:
        messages.success(request, f"Invitation sent to {invitation.email}.")
    response = render_page_or_partial(
        request,
        "organizations/member_invite.html",
        "invite",
        _members_context(request, current, form=None if invitation else form, invited=invitation),
        status=200 if invitation else FORM_ERROR_STATUS,
    )
    if invitation:
        trigger_client_event(response, CHANGED_EVENT)
    return response


@login_required
@vary_on_headers("HX-Request")
@require_GET
def organization_member_invite(request, org_sid):
    """The Invite member form: a dialog over HTMX, a page without JavaScript."""
    current = current_organization(request, org_sid)
    current.require_manage()
    return render_page_or_partial(
        request,
        "organizations/member_invite.html",
        "dialog",
        _members_context(request, current),
    )


def _row_done(request, current, partial, context, *, error, done, tab="members"):
    """A row action's answer: the row (HTMX) or a redirect with a message."""
    if not request.htmx:
        if error:
            messages.error(request, error)
        else:
            messages.success(request, done)
        url = reverse("organizations:organization_members", args=[current.organization.sid])
        return redirect(url + ("?tab=invited" if tab == "invited" else ""))
    response = render(
        request,
        f"organizations/organization_members.html#{partial}",
        _context(current, "organization_members", row_error=error, row_done=done, **context),
        status=FORM_ERROR_STATUS if error else 200,
    )
    if not error:
        trigger_client_event(response, CHANGED_EVENT)
    return response


@login_required
@require_POST
def organization_member_role(request, org_sid, user_id):
    current = current_organization(request, org_sid)
    current.require_manage()
    member = selectors.organization_member_get(organization=current.organization, user_id=user_id)
    form = MemberRoleForm(request.POST)
    done = None
    changed = form.submit(organization=current.organization, user=member.user, actor=actor(request))
    if changed:
        member = changed
        done = f"{member.user.email} is now {member.get_role_display()}."
    error = form.first_error
    if member.user_id == request.user.pk:
        current = current_organization(request, org_sid)  # one may demote oneself
    failed = {"failed_id": member.user_id, "chosen_role": request.POST.get("role", "")}
    if error and not request.htmx:
        # Without JavaScript: the page again, the row's editor open with the refusal.
        context = _members_context(request, current)
        context.update(row_error=error, **failed)
        return render(
            request,
            "organizations/organization_members.html",
            context,
            status=FORM_ERROR_STATUS,
        )
    return _row_done(
        request,
        current,
        "member_row",
        {"member": member, **(failed if error else {})},
        error=error,
        done=done,
    )


@login_required
@vary_on_headers("HX-Request")
@require_http_methods(["GET", "POST"])
def organization_member_remove(request, org_sid, user_id):
    """Remove a member (never the owner): a confirmation first, then the POST. Their login,
    and the accounts they hold roles on, stay."""
    current = current_organization(request, org_sid)
    current.require_manage()
    member = selectors.organization_member_get(organization=current.organization, user_id=user_id)
    error = None
    if request.method == "POST":
        try:
            organization_services.organization_member_remove(
                organization=current.organization, user=member.user, actor=actor(request)
            )
        except errors.AccountError as refusal:
            error = _refusal_message(refusal)
        else:
            done = f"Removed {member.user.email} from the organization."
            if member.user_id == request.user.pk:
                # They left: the organization is no longer theirs to see.
                messages.success(request, f"You left “{current.organization.name}”.")
                url = reverse("organizations:organization_list")
                return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
            return _row_done(
                request,
                current,
                "member_row",
                {"member": member, "removed": True},
                error=None,
                done=done,
            )
    context = _context(current, "organization_members", member=member, error=error)
    response = render_page_or_partial(
        request,
        "organizations/member_remove.html",
        "dialog",
        context,
        status=FORM_ERROR_STATUS if error else 200,
    )
    if request.htmx and error:
        retarget(response, "#modal-body")
    return response


def _invitation_action(request, org_sid, pk, action):
    current = current_organization(request, org_sid)
    current.require_manage()
    invitation = selectors.organization_invitation_get(organization=current.organization, pk=pk)
    error = done = None
    try:
        if action == "resend":
            invitation = invitation_services.invitation_resend(
                invitation=invitation,
                actor=actor(request),
                base_url=request.build_absolute_uri("/"),
            )
            done = f"Invitation sent again to {invitation.email}."
        else:
            invitation = invitation_services.invitation_revoke(
                invitation=invitation, actor=actor(request)
            )
            done = f"Revoked the invitation of {invitation.email}."
    except errors.AccountError as refusal:
        error = _refusal_message(refusal)
    return _row_done(
        request,
        current,
        "invitation_row",
        {"invitation": invitation},
        error=error,
        done=done,
        tab="invited",
    )


@login_required
@require_POST
def organization_invitation_resend(request, org_sid, pk):
    return _invitation_action(request, org_sid, pk, "resend")


@login_required
@require_POST
def organization_invitation_revoke(request, org_sid, pk):
    return _invitation_action(request, org_sid, pk, "revoke")
