"""The Users page of an account (Owner and Administrator) and accepting invitations."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import trigger_client_event

from .. import errors, roles
from ..forms.auth import InvitationSignUpForm
from ..forms.memberships import InvitationForm, RolesForm
from ..models import User
from ..selectors import memberships as membership_selectors
from ..services import invitations as invitation_services
from ..services import memberships as membership_services
from ..signin import BACKEND
from .common import (
    ACCOUNT_CHANGED,
    FORM_ERROR_STATUS,
    USERS_CHANGED,
    actor,
    current_account,
    reauthentication_required,
    remember_account,
    render_page_or_partial,
)


def _base_url(request):
    return request.build_absolute_uri("/")


def _context(request, current, *, invite_form=None, tab=None):
    account = current.account
    tab = tab or request.GET.get("tab", "active")
    users = membership_selectors.account_people(
        account=account, with_parents_users=current.reaches_parent
    )
    return {
        "current": current,
        "account": account,
        "page": "user_list",
        "tab": tab,
        "users": users,
        "invitations": membership_selectors.account_invitation_list(account=account),
        "invite_form": invite_form or InvitationForm(),
        "role_choices": [(r, label) for r, label in roles.ROLE_CHOICES if r != roles.OWNER],
        "role_options": [
            (r, label, roles.ROLE_DESCRIPTIONS[r])
            for r, label in roles.ROLE_CHOICES
            if r != roles.OWNER
        ],
        "transfer_candidates": [
            entry["user"] for entry in users if not entry["inherited"] and not entry["is_owner"]
        ],
        "is_owner": request.user.pk == account.owner_id and not account.is_subaccount,
    }


@login_required
@vary_on_headers("HX-Request")
@require_http_methods(["GET", "POST"])
def user_list(request, sid):
    current = current_account(request, sid, scope=roles.USERS_WRITE)
    if request.method == "POST":
        return _invite(request, current)
    remember_account(request, current.account)
    return render_page_or_partial(
        request, "accounts/user_list.html", "panel", _context(request, current)
    )


@login_required
@vary_on_headers("HX-Request")
@require_GET
def user_invite(request, sid):
    """The Invite user form: a dialog over HTMX, a page without JavaScript. It posts to the
    Users page."""
    current = current_account(request, sid, scope=roles.USERS_WRITE)
    if current.account.is_closed:
        raise PermissionDenied(errors.ACCOUNT_CLOSED)
    return render_page_or_partial(
        request, "accounts/user_invite.html", "dialog", _context(request, current)
    )


def _invite(request, current):
    form = InvitationForm(request.POST)
    invitation = form.submit(
        account=current.account, actor=actor(request), base_url=_base_url(request)
    )
    if invitation:
        messages.success(request, f"Invitation sent to {invitation.email}.")
        if not request.htmx:
            url = reverse("console:user_list", args=[current.account.sid]) + "?tab=invited"
            return redirect(url)
    context = _context(request, current, invite_form=None if invitation else form)
    context["invited"] = invitation
    response = render_page_or_partial(
        request,
        "accounts/user_invite.html",
        "invite",
        context,
        status=200 if invitation else FORM_ERROR_STATUS,
    )
    if invitation:
        trigger_client_event(response, ACCOUNT_CHANGED)
        trigger_client_event(response, USERS_CHANGED)
    return response


def _member(current, user_id):
    return membership_selectors.account_member_get(account=current.account, user_id=user_id)


def _done(request, current, message, *, error=False):
    (messages.error if error else messages.success)(request, message)
    return redirect("console:user_list", sid=current.account.sid)


@login_required
@require_POST
def user_roles(request, sid, user_id):
    current = current_account(request, sid, scope=roles.USERS_WRITE)
    member = _member(current, user_id)
    form = RolesForm(request.POST)
    if form.submit(account=current.account, user=member, actor=actor(request)) is None:
        return _done(request, current, f"{member.email}: {form.first_error}", error=True)
    return _done(request, current, f"Updated the roles of {member.email}.")


@login_required
@vary_on_headers("HX-Request")
@require_http_methods(["GET", "POST"])
def user_remove(request, sid, user_id):
    current = current_account(request, sid, scope=roles.USERS_WRITE)
    member = _member(current, user_id)
    if request.method == "POST":
        try:
            membership_services.account_member_remove(
                account=current.account, user=member, actor=actor(request)
            )
        except errors.AccountError as error:
            return _done(request, current, error.message, error=True)
        return _done(request, current, f"Removed {member.email} from this account.")
    context = {
        "current": current,
        "account": current.account,
        "member": member,
        "page": "user_list",
    }
    return render_page_or_partial(request, "accounts/user_remove.html", "dialog", context)


@login_required
@require_POST
@reauthentication_required
def ownership_transfer(request, sid):
    current = current_account(request, sid, scope=roles.ACCOUNT_TRANSFER)
    try:
        new_owner = _member(current, int(request.POST.get("new_owner", "0")))
    except ValueError:
        raise Http404("No such user on this account.") from None
    try:
        membership_services.account_ownership_transfer(
            account=current.account, new_owner=new_owner, actor=actor(request)
        )
    except errors.NotPermitted as error:
        raise PermissionDenied(error.message) from None
    except errors.AccountError as error:
        return _done(request, current, error.message, error=True)
    return _done(
        request,
        current,
        f"{new_owner.email} now owns this account; you are an Administrator of it.",
    )


def _invitation(current, pk):
    return membership_selectors.account_invitation_get(account=current.account, pk=pk)


@login_required
@require_POST
def invitation_resend(request, sid, pk):
    current = current_account(request, sid, scope=roles.USERS_WRITE)
    invitation = _invitation(current, pk)
    try:
        invitation_services.invitation_resend(
            invitation=invitation, actor=actor(request), base_url=_base_url(request)
        )
    except errors.AccountError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Sent the invitation to {invitation.email} again.")
    return redirect(reverse("console:user_list", args=[sid]) + "?tab=invited")


@login_required
@require_POST
def invitation_revoke(request, sid, pk):
    current = current_account(request, sid, scope=roles.USERS_WRITE)
    invitation = _invitation(current, pk)
    try:
        invitation_services.invitation_revoke(invitation=invitation, actor=actor(request))
    except errors.AccountError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Revoked the invitation of {invitation.email}.")
    return redirect(reverse("console:user_list", args=[sid]) + "?tab=invited")


# --- Accepting ----------------------------------------------------------------------------


def _landing(invitation):
    if invitation.account_id:
        return reverse("console:account_dashboard", args=[invitation.account.sid])
    return reverse("organizations:organization_overview", args=[invitation.organization.sid])


@require_http_methods(["GET", "POST"])
def invitation_accept(request, token):
    """The emailed link. Signed in as the invited address: accept. Signed out: sign up (new
    person) or sign in (existing user). Signed in as someone else: say so."""
    try:
        invitation = invitation_services.invitation_for_token(token)
    except errors.InvitationError as error:
        return render(request, "invitations/invalid.html", {"error": error.message}, status=410)

    existing_user = User.objects.filter(email__iexact=invitation.email).exists()
    signup_form = None
    error = None
    if request.method == "POST":
        try:
            if request.user.is_authenticated:
                invitation_services.invitation_accept(
                    token=token, user=request.user, actor=actor(request)
                )
                messages.success(request, "Invitation accepted. Welcome!")
                return redirect(_landing(invitation))
            if existing_user:
                raise errors.InvitationError(
                    errors.INVITATION_WRONG_USER.format(email=invitation.email)
                )
            signup_form = InvitationSignUpForm(request.POST, email=invitation.email)
            if signup_form.is_valid():
                user, invitation = invitation_services.user_sign_up_from_invitation(
                    token=token,
                    email=invitation.email,
                    password=signup_form.cleaned_data["password1"],
                    full_name=signup_form.cleaned_data["full_name"],
                    actor=actor(request),
                )
                login(request, user, backend=BACKEND)
                messages.success(request, "Welcome! Your login is ready.")
                return redirect(_landing(invitation))
        except (errors.InvitationError, errors.EmailTaken) as refusal:
            error = refusal.message
    wrong_user = (
        request.user.is_authenticated and request.user.email.lower() != invitation.email.lower()
    )
    if not request.user.is_authenticated and not existing_user and signup_form is None:
        signup_form = InvitationSignUpForm(email=invitation.email)
    context = {
        "invitation": invitation,
        "target": invitation.target,
        "existing_user": existing_user,
        "wrong_user": wrong_user,
        "signup_form": signup_form,
        "error": error,
        "token": token,
    }
    status = (
        FORM_ERROR_STATUS if (error or (signup_form is not None and signup_form.errors)) else 200
    )
    return render(request, "invitations/accept.html", context, status=status)
