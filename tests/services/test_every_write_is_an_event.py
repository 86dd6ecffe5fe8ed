"""Every public service records its event: the right type, about the right resource, with the
actor, door and address of whoever asked, and the previous and updated values it changed.

Each case below sets the scene, calls one service as a distinctive actor, and names the event
it must record. A new service without a case here fails `test_every_service_has_a_case`."""

import importlib
import inspect
import pkgutil
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, Permission

from accounts import roles
from accounts import services as services_package
from accounts.models import (
    Account,
    AccountMembership,
    AvailablePhoneNumber,
    Event,
    Invitation,
    OrganizationMembership,
)
from accounts.models.events import EVENT_TYPES
from accounts.models.triggers import UsageTriggerDelivery
from accounts.payments import Outcome as PaymentOutcome
from accounts.services import (
    accounts,
    balances,
    credentials,
    deletion,
    inventory,
    invitations,
    ledger,
    memberships,
    numbers,
    organizations,
    payments,
    transfers,
    trials,
    triggers,
    two_factor,
    usage,
    users,
)
from accounts.services.events import Actor
from accounts.webhooks import Outcome

BILLING = {
    "contact_name": "Ada Payer",
    "contact_email": "billing@example.com",
    "address_line1": "1 Market St",
    "city": "Oakland",
    "postal_code": "94607",
    "country": "US",
}

SYSTEM = Actor.system()
IP = "203.0.113.7"


def permission(codename):
    return Permission.objects.get(content_type__app_label="accounts", codename=codename)


@dataclass
class Case:
    service: object
    call: object  # (world) -> the service's keyword arguments, the scene set up
    event_type: str
    resource: object  # (world, result) -> the resource SID the event must name
    data: dict  # event_data that must be included (field -> {"previous", "updated"})
    actor: str = "support"  # which distinctive actor asks: support, user or api


class World:
    """A family (main account, two subaccounts), an organization, some people and a funded,
    upgraded balance: the scene every case builds on."""

    def __init__(self, make_user):
        self.make_user = make_user
        self.owner = make_user(email="owner@example.com")
        self.staff = make_user(email="staff@example.com", is_staff=True)
        self.main = accounts.account_create(
            owner=self.owner, friendly_name="Acme", actor=SYSTEM, type="Full"
        )
        self.sub = accounts.subaccount_create(parent=self.main, friendly_name="EU", actor=SYSTEM)
        self.sibling = accounts.subaccount_create(
            parent=self.main, friendly_name="US", actor=SYSTEM
        )
        ledger.funds_add(account=self.main, amount="50", reason="Start", actor=SYSTEM)
        self.main.refresh_from_db()
        self.sub.refresh_from_db()
        self.sibling.refresh_from_db()
        AvailablePhoneNumber.objects.bulk_create(
            AvailablePhoneNumber(phone_number=f"+1415555010{n}", friendly_name=f"(415) {n}")
            for n in range(5)
        )
        self.organization = organizations.organization_create(
            name="Acme Inc.", owner=self.owner, actor=SYSTEM
        )

    def member(self, email="dev@example.com", role=roles.DEVELOPER):
        person = self.make_user(email=email)
        AccountMembership.objects.create(account=self.main, user=person, role=role)
        return person

    def org_member(self, email="member@example.com", role="member"):
        person = self.make_user(email=email)
        OrganizationMembership.objects.create(
            organization=self.organization, user=person, role=role
        )
        return person

    def number(self, account=None):
        return numbers.number_buy(
            account=account or self.main, phone_number="+14155550100", actor=SYSTEM
        )

    def invitation(self, email="new@example.com"):
        return invitations.invitation_create(
            email=email,
            account=self.main,
            roles_=[roles.DEVELOPER],
            base_url="http://testserver",
            actor=SYSTEM,
        )

    def trigger(self):
        return triggers.usage_trigger_create(
            account=self.main,
            callback_url="https://hooks.example.com/usage",
            trigger_value="100",
            usage_category="sms",
            friendly_name="SMS over 100",
            actor=SYSTEM,
        )

    def delivery(self):
        return UsageTriggerDelivery.objects.create(
            trigger=self.trigger(),
            callback_url="https://hooks.example.com/usage",
            callback_method="POST",
        )

    def key(self):
        key, _secret = credentials.key_create(
            account=self.main, friendly_name="Deploys", actor=SYSTEM
        )
        return key

    def with_secondary_token(self):
        return credentials.auth_token_secondary_create(account=self.main, actor=SYSTEM)

    def trial_account(self):
        return accounts.account_create(owner=self.owner, friendly_name="Trial", actor=SYSTEM)

    def payment(self):
        payment, _created = payments.payment_create(
            account=self.main, amount="25", purpose="funds", actor=Actor.for_user(self.owner)
        )
        return payment

    def own_balance_sub(self):
        return transfers.subaccount_balance_separate(subaccount=self.sub, actor=SYSTEM)

    def transfer(self):
        return transfers.balance_transfer(
            source=self.main, target=self.own_balance_sub(), amount="5", actor=SYSTEM
        )

    def closed_subaccount(self):
        old = accounts.subaccount_create(parent=self.main, friendly_name="Old", actor=SYSTEM)
        accounts.account_close(account=old, actor=SYSTEM)
        self.closed_sid = old.sid
        return old

    def token_for(self, invitation):
        # A link's token is only ever emailed; issue a fresh one the way a resend does.
        token = invitations._issue_token(invitation)
        invitation.save()
        return token


def changed(previous, updated):
    return {"previous": previous, "updated": updated}


def _accept(world):
    person = world.make_user(email="new@example.com")
    invitation = world.invitation()
    return {"token": world.token_for(invitation), "user": person}


CASES = [
    Case(
        accounts.account_create,
        lambda w: {"owner": w.owner, "friendly_name": "Second"},
        "account.created",
        lambda w, account: account.sid,
        {"friendly_name": changed(None, "Second"), "status": changed(None, "active")},
    ),
    Case(
        accounts.subaccount_create,
        lambda w: {"parent": w.main, "friendly_name": "APAC"},
        "account.created",
        lambda w, sub: sub.sid,
        {"friendly_name": changed(None, "APAC")},
        actor="api",
    ),
    Case(
        accounts.account_rename,
        lambda w: {"account": w.sub, "friendly_name": "Europe"},
        "account.updated",
        lambda w, _: w.sub.sid,
        {"friendly_name": changed("EU", "Europe")},
        actor="user",
    ),
    Case(
        accounts.account_status_set,
        lambda w: {"account": w.sub, "status": "suspended", "source": "support"},
        "account.updated",
        lambda w, _: w.sub.sid,
        {"status": changed("active", "suspended"), "status_source": changed("", "support")},
    ),
    Case(
        accounts.account_suspend,
        lambda w: {"account": w.sub, "reason": "Paused"},
        "account.updated",
        lambda w, _: w.sub.sid,
        {"status": changed("active", "suspended")},
        actor="user",
    ),
    Case(
        accounts.account_reactivate,
        lambda w: (accounts.account_suspend(account=w.sub, actor=SYSTEM), {"account": w.sub})[1],
        "account.updated",
        lambda w, _: w.sub.sid,
        {"status": changed("suspended", "active")},
        actor="user",
    ),
    Case(
        accounts.account_close,
        lambda w: {"account": w.sibling},
        "account.updated",
        lambda w, _: w.sibling.sid,
        {"status": changed("active", "closed")},
        actor="user",
    ),
    Case(
        accounts.account_update,
        lambda w: {
            "account": w.sub,
            "by_account": w.main,
            "friendly_name": "E",
            "status": "suspended",
        },
        "account.updated",
        lambda w, _: w.sub.sid,
        {"friendly_name": changed("EU", "E")},
        actor="api",
    ),
    Case(
        trials.account_upgrade,
        lambda w: {
            "account": accounts.account_create(owner=w.owner, friendly_name="Trial", actor=SYSTEM)
        },
        "account.updated",
        lambda w, main: main.sid,
        {"type": changed("Trial", "Full")},
    ),
    Case(
        accounts.account_limits_set,
        lambda w: {"account": w.main, "subaccount_limit": 2000},
        "account.updated",
        lambda w, _: w.main.sid,
        {"subaccount_limit": changed(1000, 2000)},
    ),
    Case(
        ledger.ledger_post,
        lambda w: {"account": w.sub, "amount": "-1.25", "kind": "usage", "description": "Calls"},
        "ledger-entry.created",
        lambda w, entry: entry.sid,
        {"amount": changed(None, "-1.25"), "balance": changed("50.0000", "48.7500")},
        actor="api",
    ),
    Case(
        ledger.funds_add,
        lambda w: {"account": w.main, "amount": "10", "reason": "Top-up"},
        "ledger-entry.created",
        lambda w, entry: entry.sid,
        {"amount": changed(None, "10"), "kind": changed(None, "funds_added")},
    ),
    Case(
        ledger.balance_adjust,
        lambda w: {"account": w.main, "amount": "-2", "reason": "Correction"},
        "ledger-entry.created",
        lambda w, entry: entry.sid,
        {"amount": changed(None, "-2"), "kind": changed(None, "adjustment")},
    ),
    Case(
        ledger.entry_post,
        lambda w: {"account": w.main, "kind": "refund", "amount": "3", "reason": "Refund"},
        "ledger-entry.created",
        lambda w, entry: entry.sid,
        {"kind": changed(None, "refund")},
    ),
    Case(
        ledger.spend_cap_set,
        lambda w: {"subaccount": w.sub, "cap": Decimal("25")},
        "account.updated",
        lambda w, _: w.sub.sid,
        {"monthly_spend_cap": changed(None, "25")},
        actor="user",
    ),
    Case(
        usage.usage_record,
        lambda w: {
            "account": w.sub,
            "category": "sms",
            "quantity": 10,
            "price": "0.75",
            "start_date": date(2026, 11, 1),
            "end_date": date(2026, 11, 30),
        },
        "usage-record.created",
        lambda w, record: record.ledger_entry.sid,
        {"category": changed(None, "sms"), "price": changed(None, "0.75")},
        actor="api",
    ),
    Case(
        numbers.number_buy,
        lambda w: {"account": w.sub, "phone_number": "+14155550101"},
        "phone-number.created",
        lambda w, number: number.sid,
        {"phone_number": changed(None, "+14155550101")},
        actor="api",
    ),
    Case(
        numbers.number_release,
        lambda w: {"number": w.number()},
        "phone-number.deleted",
        lambda w, number: number.sid,
        {"phone_number": changed("+14155550100", None)},
        actor="user",
    ),
    Case(
        numbers.number_rename,
        lambda w: {"number": w.number(), "friendly_name": "Support line"},
        "phone-number.updated",
        lambda w, number: number.sid,
        {"friendly_name": changed("(415) 0", "Support line")},
        actor="user",
    ),
    Case(
        numbers.number_transfer,
        lambda w: {"number": w.number(), "target": w.sub, "acting_account": w.main},
        "phone-number.updated",
        lambda w, number: number.sid,
        {"account_sid": changed(None, None)},  # filled in by the check below
        actor="api",
    ),
    Case(
        numbers.number_update,
        lambda w: {"number": w.number(), "acting_account": w.main, "friendly_name": "Main"},
        "phone-number.updated",
        lambda w, number: number.sid,
        {"friendly_name": changed("(415) 0", "Main")},
        actor="api",
    ),
    Case(
        users.user_sign_up,
        lambda w: {
            "email": "signup@example.com",
            "password": "x-long-pass-1",
            "account_name": "Mine",
        },
        "account.created",
        lambda w, result: result[1].sid,
        {"friendly_name": changed(None, "Mine")},
        actor="user",
    ),
    Case(
        users.user_create_invited,
        lambda w: {"email": "invited@example.com", "password": "x-long-pass-1", "full_name": ""},
        "user.created",
        lambda w, user: user.sid,
        {"email": changed(None, "invited@example.com")},
    ),
    Case(
        users.owner_account_provision,
        lambda w: {"email": "ops@example.com", "friendly_name": "Ops"},
        "account.created",
        lambda w, result: result[1].sid,
        {"friendly_name": changed(None, "Ops")},
    ),
    Case(
        users.user_create_by_support,
        lambda w: {"email": "colleague@example.com", "password": "x-long-pass-1", "full_name": "C"},
        "user.created",
        lambda w, user: user.sid,
        {"email": changed(None, "colleague@example.com")},
    ),
    Case(
        users.user_update,
        lambda w: {"user": w.owner, "account_limit": 25},
        "user.updated",
        lambda w, user: user.sid,
        {"account_limit": changed(10, 25)},
    ),
    Case(
        users.user_password_changed,
        lambda w: {"user": w.owner},
        "user.updated",
        lambda w, _: w.owner.sid,
        {"password": changed("(hidden)", "(hidden)")},
    ),
    Case(
        users.user_access_set,
        lambda w: {"user": w.staff, "groups": [Group.objects.get(name="Support")]},
        "user.updated",
        lambda w, user: user.sid,
        {"groups": changed([], ["Support"])},
    ),
    Case(
        users.group_create,
        lambda w: {"name": "Billing desk", "permissions": [permission("view_ledgerentry")]},
        "group.created",
        lambda w, _: "",
        {"permissions": changed(None, ["accounts.view_ledgerentry"])},
    ),
    Case(
        users.group_update,
        lambda w: {
            "group": Group.objects.get(name="Support"),
            "name": "Support desk",
            "permissions": [permission("view_ledgerentry")],
        },
        "group.updated",
        lambda w, _: "",
        {"name": changed("Support", "Support desk")},
    ),
    Case(
        users.group_delete,
        lambda w: {"group": Group.objects.create(name="Old desk")},
        "group.deleted",
        lambda w, _: "",
        {"name": changed("Old desk", None)},
    ),
    Case(
        memberships.account_member_roles_set,
        lambda w: {"account": w.main, "user": w.member(), "roles_": [roles.SUPPORT]},
        "membership.updated",
        lambda w, _: w.main.memberships.get(role=roles.SUPPORT).user.sid,
        {"roles": changed(["developer"], ["support"])},
        actor="user",
    ),
    Case(
        memberships.account_member_remove,
        lambda w: {"account": w.main, "user": w.member()},
        "membership.deleted",
        lambda w, _: Event.objects.latest("id").resource_sid,
        {"roles": changed(["developer"], None)},
        actor="user",
    ),
    Case(
        memberships.account_ownership_transfer,
        lambda w: {"account": w.main, "new_owner": w.member(role=roles.ADMINISTRATOR)},
        "account.updated",
        lambda w, _: w.main.sid,
        {"owner": changed("owner@example.com", "dev@example.com")},
        actor="owner",
    ),
    Case(
        invitations.invitation_create,
        lambda w: {
            "email": "new@example.com",
            "account": w.main,
            "roles_": [roles.DEVELOPER],
            "base_url": "http://testserver",
        },
        "invitation.created",
        lambda w, invitation: invitation.sid,
        {"roles": changed(None, ["developer"])},
        actor="user",
    ),
    Case(
        invitations.invitation_resend,
        lambda w: {"invitation": w.invitation(), "base_url": "http://testserver"},
        "invitation.updated",
        lambda w, invitation: invitation.sid,
        {},
        actor="user",
    ),
    Case(
        invitations.invitation_revoke,
        lambda w: {"invitation": w.invitation()},
        "invitation.deleted",
        lambda w, invitation: invitation.sid,
        {},
        actor="user",
    ),
    Case(
        invitations.invitation_accept,
        _accept,
        "invitation.accepted",
        lambda w, invitation: invitation.sid,
        {},
        actor="user",
    ),
    Case(
        invitations.user_sign_up_from_invitation,
        lambda w: {
            "token": w.token_for(w.invitation()),
            "email": "new@example.com",
            "password": "x-long-pass-1",
        },
        "invitation.accepted",
        lambda w, result: result[1].sid,
        {},
        actor="user",
    ),
    Case(
        organizations.organization_create,
        lambda w: {"name": "Globex", "owner": w.owner},
        "organization.created",
        lambda w, organization: organization.sid,
        {"name": changed(None, "Globex")},
        actor="owner",
    ),
    Case(
        organizations.organization_account_create,
        lambda w: {"organization": w.organization, "friendly_name": "Org account"},
        "account.created",
        lambda w, account: account.sid,
        {"organization": changed(None, None)},  # filled in by the check below
        actor="owner",
    ),
    Case(
        organizations.organization_account_import,
        lambda w: {"organization": w.organization, "account": w.main},
        "account.updated",
        lambda w, _: w.main.sid,
        {"organization": changed(None, None)},  # filled in by the check below
        actor="owner",
    ),
    Case(
        organizations.organization_member_add,
        lambda w: {"organization": w.organization, "user": w.make_user(), "role": "member"},
        "organization-membership.created",
        lambda w, membership: membership.user.sid,
        {"role": changed(None, "member")},
    ),
    Case(
        organizations.organization_member_role_set,
        lambda w: {"organization": w.organization, "user": w.org_member(), "role": "administrator"},
        "organization-membership.updated",
        lambda w, membership: membership.user.sid,
        {"role": changed("member", "administrator")},
        actor="owner",
    ),
    Case(
        organizations.organization_member_remove,
        lambda w: {"organization": w.organization, "user": w.org_member()},
        "organization-membership.deleted",
        lambda w, _: Event.objects.latest("id").resource_sid,
        {"role": changed("member", None)},
        actor="owner",
    ),
    Case(
        organizations.organization_leave,
        lambda w: {"organization": w.organization, "user": w.org_member()},
        "organization-membership.deleted",
        lambda w, _: Event.objects.latest("id").resource_sid,
        {"role": changed("member", None)},
    ),
    Case(
        organizations.organization_ownership_transfer,
        lambda w: {"organization": w.organization, "new_owner": w.org_member()},
        "organization.updated",
        lambda w, organization: organization.sid,
        {"owner": changed("owner@example.com", "member@example.com")},
        actor="owner",
    ),
    Case(
        triggers.usage_trigger_create,
        lambda w: {
            "account": w.main,
            "callback_url": "https://hooks.example.com/usage",
            "trigger_value": "+30",
            "usage_category": "calls",
        },
        "usage-trigger.created",
        lambda w, trigger: trigger.sid,
        {"usage_category": changed(None, "calls")},
        actor="api",
    ),
    Case(
        triggers.usage_trigger_update,
        lambda w: {"trigger": w.trigger(), "friendly_name": "SMS alert"},
        "usage-trigger.updated",
        lambda w, trigger: trigger.sid,
        {"friendly_name": changed("SMS over 100", "SMS alert")},
        actor="api",
    ),
    Case(
        triggers.usage_trigger_delete,
        lambda w: {"trigger": w.trigger()},
        "usage-trigger.deleted",
        lambda w, _: (
            Event.objects.filter(event_type="usage-trigger.created").latest("id").resource_sid
        ),
        {"friendly_name": changed("SMS over 100", None)},
        actor="user",
    ),
    Case(
        triggers.usage_trigger_delivery_attempt_record,
        lambda w: {"delivery": w.delivery(), "outcome": Outcome(status_code=204, duration_ms=12)},
        "usage-trigger-delivery.updated",
        lambda w, delivery: delivery.trigger.sid,
        {"status": changed("pending", "delivered")},
    ),
    Case(
        inventory.inventory_load,
        lambda w: {"area_codes": ["212"]},
        "inventory.updated",
        lambda w, _: "",
        {"available": changed(5, 105)},
    ),
    Case(
        credentials.key_create,
        lambda w: {"account": w.sub, "friendly_name": "CI", "key_type": "main"},
        "key.created",
        lambda w, result: result[0].sid,
        {"friendly_name": changed(None, "CI"), "key_type": changed(None, "main")},
        actor="user",
    ),
    Case(
        credentials.key_rename,
        lambda w: {"key": w.key(), "friendly_name": "Deploys (old)"},
        "key.updated",
        lambda w, key: key.sid,
        {"friendly_name": changed("Deploys", "Deploys (old)")},
        actor="api",
    ),
    Case(
        credentials.key_delete,
        lambda w: {"key": w.key()},
        "key.deleted",
        lambda w, _: Event.objects.filter(event_type="key.created").latest("id").resource_sid,
        {"friendly_name": changed("Deploys", None)},
        actor="user",
    ),
    Case(
        credentials.auth_token_secondary_create,
        lambda w: {"account": w.sub},
        "account.updated",
        lambda w, account: account.sid,
        {"secondary_auth_token": changed(None, "(hidden)")},
        actor="api",
    ),
    Case(
        credentials.auth_token_secondary_delete,
        lambda w: {"account": w.with_secondary_token()},
        "account.updated",
        lambda w, account: account.sid,
        {"secondary_auth_token": changed("(hidden)", None)},
        actor="api",
    ),
    Case(
        credentials.auth_token_promote,
        lambda w: {"account": w.with_secondary_token()},
        "account.updated",
        lambda w, account: account.sid,
        {"auth_token": changed("(hidden)", "(hidden)")},
        actor="api",
    ),
    Case(
        two_factor.account_two_factor_required_set,
        lambda w: {"account": w.main, "required": True},
        "account.updated",
        lambda w, account: account.sid,
        {"require_two_factor": changed(False, True)},
        actor="owner",
    ),
    Case(
        two_factor.organization_two_factor_required_set,
        lambda w: {"organization": w.organization, "required": True},
        "organization.updated",
        lambda w, organization: organization.sid,
        {"require_two_factor": changed(False, True)},
        actor="owner",
    ),
    Case(
        two_factor.user_two_factor_changed,
        lambda w: {"user": w.owner, "kind": "totp", "enabled": True},
        "user.updated",
        lambda w, _: w.owner.sid,
        {"two_factor_totp": changed(False, True)},
        actor="owner",
    ),
    Case(
        balances.balance_post,
        lambda w: {"account": w.main, "amount": "-2", "kind": "adjustment", "description": "Fix"},
        "ledger-entry.created",
        lambda w, entry: entry.sid,
        {"amount": changed(None, "-2"), "balance": changed("50.0000", "48.0000")},
    ),
    Case(
        trials.trial_credit_grant,
        lambda w: {"account": w.trial_account()},
        "ledger-entry.created",
        lambda w, entry: entry.sid,
        {"kind": changed(None, "trial_credit"), "amount": changed(None, "15.50")},
        actor="user",
    ),
    Case(
        payments.payment_create,
        lambda w: {"account": w.main, "amount": "25", "purpose": "funds"},
        "payment.created",
        lambda w, result: result[0].sid,
        {"amount": changed(None, "25"), "purpose": changed(None, "funds")},
        actor="owner",
    ),
    Case(
        payments.payment_outcome_record,
        lambda w: {"payment": w.payment(), "outcome": PaymentOutcome.succeeded("ch_1")},
        "payment.updated",
        lambda w, payment: payment.sid,
        {"status": changed("pending", "succeeded"), "reference": changed(None, "ch_1")},
    ),
    Case(
        payments.payment_approve,
        lambda w: {"payment": w.payment()},
        "payment.updated",
        lambda w, payment: payment.sid,
        {"status": changed("pending", "succeeded")},
    ),
    Case(
        payments.payment_decline,
        lambda w: {"payment": w.payment(), "reason": "No bank transfer arrived"},
        "payment.updated",
        lambda w, payment: payment.sid,
        {"status": changed("pending", "declined")},
    ),
    Case(
        payments.billing_profile_set,
        lambda w: {"account": w.main, **BILLING},
        "billing-profile.updated",
        lambda w, _: w.main.sid,
        {"city": changed(None, "Oakland"), "country": changed(None, "US")},
        actor="owner",
    ),
    Case(
        payments.account_upgrade_start,
        lambda w: {"account": w.trial_account(), "billing": BILLING, "amount": "20"},
        "payment.created",
        lambda w, result: result[0].sid,
        {"purpose": changed(None, "upgrade"), "amount": changed(None, "20")},
        actor="owner",
    ),
    Case(
        payments.auto_recharge_set,
        lambda w: {"account": w.main, "threshold": "10", "amount": "20"},
        "account.updated",
        lambda w, _: w.main.sid,
        {
            "auto_recharge_threshold": changed(None, "10"),
            "auto_recharge_amount": changed(None, "20"),
        },
        actor="owner",
    ),
    Case(
        transfers.subaccount_balance_separate,
        lambda w: {"subaccount": w.sub},
        "account.updated",
        lambda w, _: w.sub.sid,
        {"own_balance": changed(False, True), "balance": changed(None, "0")},
        actor="user",
    ),
    Case(
        transfers.balance_transfer,
        lambda w: {"source": w.main, "target": w.own_balance_sub(), "amount": "5"},
        "balance-transfer.created",
        lambda w, transfer: transfer.sid,
        {"amount": changed(None, "5"), "direction": changed(None, "to_subaccount")},
        actor="user",
    ),
    Case(
        transfers.balance_transfer_reverse,
        lambda w: {"transfer": w.transfer()},
        "balance-transfer.created",
        lambda w, reversal: reversal.sid,
        {"amount": changed(None, "5"), "direction": changed(None, "to_parent")},
    ),
    Case(
        transfers.account_close,
        lambda w: {"account": w.sibling},
        "account.updated",
        lambda w, _: w.sibling.sid,
        {"status": changed("active", "closed")},
        actor="user",
    ),
    Case(
        deletion.account_auto_deletion_set,
        lambda w: {"account": w.main, "enabled": False},
        "account.updated",
        lambda w, _: w.main.sid,
        {"delete_closed_subaccounts": changed(True, False)},
        actor="owner",
    ),
    Case(
        deletion.subaccount_delete,
        lambda w: {"subaccount": w.closed_subaccount()},
        "account.deleted",
        lambda w, _: w.closed_sid,
        {"friendly_name": changed("Old", None), "status": changed("closed", None)},
    ),
    Case(
        organizations.organization_update,
        lambda w: {"organization": w.organization, "account_limit": 20},
        "organization.updated",
        lambda w, organization: organization.sid,
        {"account_limit": changed(10, 20)},
    ),
]


def _public_services():
    """Every service (a function decorated @service) of every module of accounts.services."""
    found = set()
    for info in pkgutil.iter_modules(services_package.__path__):
        if info.name == "events":  # the machinery every service uses
            continue
        module = importlib.import_module(f"{services_package.__name__}.{info.name}")
        for _name, function in inspect.getmembers(module, inspect.isfunction):
            public = not function.__name__.startswith("_")
            if (
                public
                and function.__module__ == module.__name__
                and hasattr(function, "__wrapped__")
            ):
                found.add(function)
    return found


def test_every_service_has_a_case():
    covered = {case.service for case in CASES}
    missing = sorted(f"{f.__module__}.{f.__name__}" for f in _public_services() - covered)
    assert missing == []


def _actor(world, kind):
    if kind == "support":
        return Actor.for_support(world.staff, ip=IP)
    if kind == "owner":
        return Actor.for_user(world.owner, ip=IP)
    if kind == "user":
        return Actor.for_user(world.make_user(email="someone@example.com"), ip=IP)
    return Actor(type="account", source="api", sid=world.main.sid, ip=IP)


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.service.__name__)
def test_the_service_records_its_event(make_user, case):
    world = World(make_user)
    kwargs = case.call(world)
    actor = _actor(world, case.actor)
    before = Event.objects.order_by("-id").values_list("id", flat=True).first() or 0

    result = case.service(**kwargs, actor=actor)

    recorded = Event.objects.filter(id__gt=before, event_type=case.event_type)
    resource_sid = case.resource(world, result)
    matching = [event for event in recorded if event.resource_sid == resource_sid]
    assert matching, f"no {case.event_type} event about {resource_sid}"
    event = matching[-1]
    if (
        case.service is users.user_sign_up
        or case.service is invitations.user_sign_up_from_invitation
    ):
        # Whoever signs up is the actor of their own sign-up.
        assert event.actor_type == "user" and event.actor_user is not None
    else:
        assert (event.actor_type, event.actor_sid) == (actor.type, actor.sid)
    assert (event.source, event.source_ip_address) == (actor.source, IP)
    expected = dict(case.data)
    if "account_sid" in expected:
        expected["account_sid"] = changed(world.main.sid, world.sub.sid)
    if "organization" in expected:
        expected["organization"] = changed(None, world.organization.sid)
    for field, values in expected.items():
        assert event.event_data.get(field) == values, field
    if event.account_id:
        assert event.account_sid == event.account.sid
        assert event.main_account_id == (event.account.parent_id or event.account_id)


def test_an_invitation_to_an_organization_is_in_its_log(make_user):
    world = World(make_user)
    invitation = invitations.invitation_create(
        email="x@example.com",
        organization=world.organization,
        roles_=["member"],
        base_url="http://testserver",
        actor=Actor.for_user(world.owner),
    )
    event = Event.objects.get(event_type="invitation.created", resource_sid=invitation.sid)
    assert event.organization == world.organization and event.account is None
    assert Invitation.objects.get(pk=invitation.pk).sid == invitation.sid
    assert Account.objects.filter(pk=world.main.pk).exists()


def test_every_event_type_the_services_record_has_words_for_people():
    """The Activity page's filter and rows name every type in words."""
    source = "".join(
        path.read_text() for path in Path(services_package.__file__).parent.glob("*.py")
    )
    recorded = set(re.findall(r'event_type="([a-z.-]+)"', source))
    assert recorded and recorded <= set(EVENT_TYPES)
