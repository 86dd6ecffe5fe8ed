"""Every page of the console, with data on it: the scene the whole-console browser tests
(accessibility, phone layout, click-through, Content-Security-Policy, screenshots) walk."""

from dataclasses import dataclass

from django.core import mail

from accounts import roles
from accounts.services import accounts as account_services
from accounts.services import invitations as invitation_services
from accounts.services import ledger as ledger_services
from accounts.services import organizations as organization_services
from accounts.services.events import Actor

from . import scenes


@dataclass
class Tour:
    owner: object
    main: object
    customer: object  # an active subaccount with a number, usage and a spend cap
    suspended: object
    closed: object
    number: object
    developer: object
    organization: object
    org_member: object
    invitation_token: str

    def pages(self):
        """(name, path) of every page, dialogs' own pages included (what a browser without
        JavaScript shows for them)."""
        m, c, o = self.main.sid, self.customer.sid, self.organization.sid
        return [
            ("accounts", "/console/accounts/"),
            ("account-create", "/console/accounts/new/"),
            ("dashboard", f"/console/{m}/"),
            ("subaccounts", f"/console/{m}/subaccounts/"),
            ("subaccounts-search", f"/console/{m}/subaccounts/?q=customer"),
            ("subaccount-create", f"/console/{m}/subaccounts/new/"),
            ("subaccount-detail", f"/console/{m}/subaccounts/{c}/"),
            ("subaccount-close", f"/console/{m}/subaccounts/{c}/close/"),
            ("subaccounts-bulk", f"/console/{m}/subaccounts/bulk/?action=suspend&all=1"),
            ("phone-numbers", f"/console/{m}/phone-numbers/"),
            ("phone-number-buy", f"/console/{m}/phone-numbers/buy/"),
            ("phone-number-release", f"/console/{m}/phone-numbers/{self.number.sid}/release/"),
            ("phone-number-transfer", f"/console/{m}/phone-numbers/{self.number.sid}/transfer/"),
            ("usage", f"/console/{m}/usage/"),
            ("billing", f"/console/{m}/billing/"),
            ("funds-add", f"/console/{m}/billing/add-funds/"),
            ("users", f"/console/{m}/users/"),
            ("users-invited", f"/console/{m}/users/?tab=invited"),
            ("user-invite", f"/console/{m}/users/invite/"),
            ("user-remove", f"/console/{m}/users/{self.developer.pk}/remove/"),
            ("settings", f"/console/{m}/settings/"),
            ("account-close", f"/console/{m}/close/"),
            ("sub-dashboard", f"/console/{c}/"),
            ("sub-settings", f"/console/{c}/settings/"),
            ("sub-billing", f"/console/{c}/billing/"),
            ("sub-phone-numbers", f"/console/{c}/phone-numbers/"),
            ("organizations", "/orgs/"),
            ("organization-create", "/orgs/new/"),
            ("organization", f"/orgs/{o}/"),
            ("organization-accounts", f"/orgs/{o}/accounts/"),
            ("organization-account-add", f"/orgs/{o}/accounts/new/"),
            ("organization-members", f"/orgs/{o}/members/"),
            ("organization-invited", f"/orgs/{o}/members/?tab=invited"),
            ("organization-invite", f"/orgs/{o}/members/invite/"),
            ("organization-member-remove", f"/orgs/{o}/members/{self.org_member.pk}/remove/"),
            ("organization-owner", f"/orgs/{o}/owner/"),
            ("invitation", f"/invitations/{self.invitation_token}/"),
        ]

    # Dialogs, opened over the page they belong to: (name, page path, opener's accessible name).
    def dialogs(self):
        m, o = self.main.sid, self.organization.sid
        return [
            ("dialog-account-create", "/console/accounts/", "Create new account"),
            ("dialog-subaccount-create", f"/console/{m}/subaccounts/", "Create subaccount"),
            ("dialog-subaccount-close", f"/console/{m}/subaccounts/{self.customer.sid}/", "Close…"),
            ("dialog-number-release", f"/console/{m}/phone-numbers/", "Release…"),
            ("dialog-number-transfer", f"/console/{m}/phone-numbers/", "Transfer…"),
            ("dialog-user-invite", f"/console/{m}/users/", "Invite user"),
            ("dialog-organization-invite", f"/orgs/{o}/members/", "Invite member"),
        ]


SIGNED_OUT_PAGES = [
    ("sign-in", "/signin/"),
    ("sign-up", "/signup/"),
    ("password-reset", "/password/reset/"),
]


def build(make_user):
    """The scene: a funded main account with subaccounts in every status, numbers, usage,
    people and invitations, and an organization with a member and an invitation."""
    owner = make_user(email="olive@example.com", full_name="Olive Owner")
    scene = scenes.family(
        owner,
        name="Acme Messaging",
        subaccounts=["Acme — Customer A", "Acme — Customer B", "Acme — Staging", "Acme — Old"],
        numbers=3,
        balance="26.61",
    )
    main = scene.main
    customer = scene.subaccounts["Acme — Customer A"]
    suspended = scene.subaccounts["Acme — Staging"]
    closed = scene.subaccounts["Acme — Old"]
    account_services.account_suspend(account=suspended, actor=scenes.SYSTEM, reason="Paused")
    account_services.account_close(account=closed, actor=scenes.SYSTEM, reason="Customer left")
    scenes.buy(customer)
    scenes.usage_this_month(customer, "sms", "4.74")
    scenes.usage_this_month(customer, "calls", "6.30")
    scenes.usage_this_month(main, "sms", "0.40")
    ledger_services.spend_cap_set(subaccount=customer, cap="20", actor=scenes.SYSTEM)
    account_services.account_create(
        owner=owner, friendly_name="Acme Voice Lab", actor=scenes.SYSTEM
    )
    developer = scenes.member(make_user, main, roles.DEVELOPER, email="dev@example.com")
    invitation_services.invitation_create(
        account=main,
        email="pending@example.com",
        roles_=[roles.SUPPORT],
        actor=scenes.SYSTEM,
        base_url="http://testserver/",
    )
    organization = scenes.organization(owner)
    organization_services.organization_account_create(
        organization=organization, friendly_name="Acme Retail", actor=Actor.for_user(owner)
    )
    org_member = make_user(email="member@example.com")
    organization_services.organization_member_add(
        organization=organization, user=org_member, role="member", actor=Actor.for_user(owner)
    )
    invitation = invitation_services.invitation_create(
        organization=organization,
        email="org-invitee@example.com",
        roles_=["member"],
        actor=Actor.for_user(owner),
        base_url="http://testserver/",
    )
    token = _token(invitation)
    mail.outbox.clear()
    for account in (main, customer, suspended, closed):
        account.refresh_from_db()
    return Tour(
        owner=owner,
        main=main,
        customer=customer,
        suspended=suspended,
        closed=closed,
        number=scene.numbers[0],
        developer=developer,
        organization=organization,
        org_member=org_member,
        invitation_token=token,
    )


def _token(invitation):
    message = mail.outbox[-1]
    return message.body.split("/invitations/")[1].split("/")[0]
