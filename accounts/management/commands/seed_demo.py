import io
from datetime import timedelta

from allauth.mfa.models import Authenticator
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils import timezone

from accounts.models import Account, User
from accounts.services import (
    accounts,
    ledger,
    numbers,
    organizations,
    transfers,
    trials,
    usage,
    users,
)
from accounts.services.events import Actor, service_transaction

DEMO_EMAIL = "demo@example.com"
DEMO_PASSWORD = "demo-console-2026"
DEMO_SUPPORT_EMAIL = "support@example.com"
DEMO_SUPPORT_PASSWORD = "demo-support-2026"
SUPPORT_GROUP = "Support"
DEMO_ACCOUNTS = {
    "Acme Messaging": ["Acme — Customer A", "Acme — Customer B", "Acme — Staging"],
    "Acme Voice Lab": ["Voice Lab — Sandbox"],
}


class Command(BaseCommand):
    help = "Create (once) a demo user with demo accounts and subaccounts, and print how to sign in."

    def handle(self, *args, **options):
        # One transaction: the demo data is there whole, or not at all.
        with service_transaction():
            user = User.objects.filter(email=DEMO_EMAIL).first()
            if user is None:
                user = users.user_create_by_support(
                    email=DEMO_EMAIL,
                    password=DEMO_PASSWORD,
                    full_name="Demo User",
                    actor=Actor.system(),
                )
                self._accounts(user)
                created = True
            else:
                # A second run keeps the data but makes sure the printed password works.
                user.set_password(DEMO_PASSWORD)
                user.is_active = True
                user.save(update_fields=["password", "is_active"])
                created = False
            support = self._support_user()
            # The printed credentials always work alone: no second factor someone set up.
            Authenticator.objects.filter(user__in=[user, support]).delete()
        self.stdout.write(
            ("Created" if created else "Reusing")
            + f" the demo user. Sign in with email {DEMO_EMAIL} and password {DEMO_PASSWORD}"
            + " (no two-factor authentication: it asks for no code)."
        )
        self.stdout.write(
            f"Demo support staff for the admin at /admin/: email {support.email} and password "
            f"{DEMO_SUPPORT_PASSWORD} (no two-factor: in development the admin does not ask "
            "for it)."
        )

    def _support_user(self):
        """A staff user in the Support group, so that the admin can be tried too."""
        user = User.objects.filter(email=DEMO_SUPPORT_EMAIL).first()
        if user is None:
            user = users.user_create_by_support(
                email=DEMO_SUPPORT_EMAIL,
                password=DEMO_SUPPORT_PASSWORD,
                full_name="Demo Support",
                actor=Actor.system(),
            )
        user.set_password(DEMO_SUPPORT_PASSWORD)
        user.is_staff = True
        user.is_active = True
        user.save(update_fields=["password", "is_staff", "is_active"])
        user.groups.add(Group.objects.get(name=SUPPORT_GROUP))
        return user

    def _accounts(self, user):
        """Accounts and subaccounts, a balance, a few phone numbers, some usage and an
        organization, so every page of the console has something to show. Done as the demo
        user would do it in the console (the upgrade and the funds as support would)."""
        actor = Actor.for_user(user)
        system = Actor.system()
        for name, subaccount_names in DEMO_ACCOUNTS.items():
            account = accounts.account_create(owner=user, friendly_name=name, actor=actor)
            if name == "Acme Messaging":
                # Upgraded (by support) before it has more subaccounts than a trial may.
                trials.account_upgrade(account=account, actor=system)
                ledger.funds_add(account=account, amount="50", actor=system, reason="Demo credit")
            else:
                trials.trial_credit_grant(account=account, actor=system)
            for subaccount_name in subaccount_names:
                accounts.subaccount_create(
                    parent=account,
                    friendly_name=subaccount_name,
                    actor=actor,
                    own_balance=subaccount_name == "Acme — Customer B",
                )
        staging = Account.objects.get(owner=user, friendly_name="Acme — Staging")
        accounts.account_suspend(account=staging, actor=actor, reason="Paused between test runs")
        messaging = Account.objects.get(owner=user, friendly_name="Acme Messaging")
        call_command("load_numbers", stdout=io.StringIO())
        customer_a = messaging.subaccounts.get(friendly_name="Acme — Customer A")
        customer_b = messaging.subaccounts.get(friendly_name="Acme — Customer B")
        # Customer B has a balance of its own, funded from its parent's.
        transfers.balance_transfer(
            source=messaging, target=customer_b, amount="10", actor=actor, reason="Monthly budget"
        )
        numbers.number_buy(account=messaging, phone_number="+14155550100", actor=actor)
        numbers.number_buy(account=customer_a, phone_number="+14155550101", actor=actor)
        numbers.number_buy(account=customer_b, phone_number="+12125550102", actor=actor)
        today = timezone.now().date()
        start = today.replace(day=1)
        for account, sms, calls in [
            (customer_a, "4.74", "6.30"),
            (customer_b, "1.90", "0.85"),
            (messaging, "0.40", "1.15"),
        ]:
            for category, price in [("sms", sms), ("calls", calls)]:
                usage.usage_record(
                    account=account,
                    category=category,
                    quantity=int(float(price) * 100),
                    price=price,
                    start_date=start,
                    end_date=max(start, today - timedelta(days=1)),
                    actor=system,
                )
        organization = organizations.organization_create(name="Acme Inc.", owner=user, actor=actor)
        voice_lab = Account.objects.get(owner=user, friendly_name="Acme Voice Lab")
        organizations.organization_account_import(
            organization=organization, account=voice_lab, actor=actor
        )
