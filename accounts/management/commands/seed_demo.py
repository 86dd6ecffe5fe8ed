import io
from datetime import timedelta

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from accounts import billing, numbers, people, services
from accounts.models import Account, User

DEMO_EMAIL = "demo@example.com"
DEMO_PASSWORD = "demo-console-2026"
DEMO_ACCOUNTS = {
    "Acme Messaging": ["Acme — Customer A", "Acme — Customer B", "Acme — Staging"],
    "Acme Voice Lab": ["Voice Lab — Sandbox"],
}


class Command(BaseCommand):
    help = "Create (once) a demo user with demo accounts and subaccounts, and print how to sign in."

    def handle(self, *args, **options):
        with transaction.atomic():
            user = User.objects.filter(email=DEMO_EMAIL).first()
            if user is None:
                user = User.objects.create_user(
                    email=DEMO_EMAIL, password=DEMO_PASSWORD, full_name="Demo User"
                )
                for name, subaccount_names in DEMO_ACCOUNTS.items():
                    account = services.account_create(owner=user, friendly_name=name)
                    for subaccount_name in subaccount_names:
                        services.subaccount_create(
                            parent=account, friendly_name=subaccount_name, acting_user=user
                        )
                staging = Account.objects.get(owner=user, friendly_name="Acme — Staging")
                services.account_suspend(
                    account=staging, acting_user=user, reason="Paused between test runs"
                )
                self._money_and_numbers(user)
                created = True
            else:
                # A second run keeps the data but makes sure the printed password works.
                user.set_password(DEMO_PASSWORD)
                user.is_active = True
                user.save(update_fields=["password", "is_active"])
                created = False
        self.stdout.write(
            ("Created" if created else "Reusing")
            + f" the demo user. Sign in with email {DEMO_EMAIL} and password {DEMO_PASSWORD}"
        )

    def _money_and_numbers(self, user):
        """A balance, a few phone numbers, some usage and an organization, so every page of
        the console has something to show."""
        messaging = Account.objects.get(owner=user, friendly_name="Acme Messaging")
        services.account_upgrade(account=messaging, acting_user=None)
        messaging.refresh_from_db()
        billing.funds_add(account=messaging, amount="50", actor=None, reason="Demo credit")
        call_command("load_numbers", stdout=io.StringIO())
        customer_a = messaging.subaccounts.get(friendly_name="Acme — Customer A")
        customer_b = messaging.subaccounts.get(friendly_name="Acme — Customer B")
        numbers.number_buy(account=messaging, phone_number="+14155550100", acting_user=user)
        numbers.number_buy(account=customer_a, phone_number="+14155550101", acting_user=user)
        numbers.number_buy(account=customer_b, phone_number="+12125550102", acting_user=user)
        today = timezone.now().date()
        start = today.replace(day=1)
        for account, sms, calls in [
            (customer_a, "4.74", "6.30"),
            (customer_b, "1.90", "0.85"),
            (messaging, "0.40", "1.15"),
        ]:
            for category, price in [("sms", sms), ("calls", calls)]:
                billing.usage_record(
                    account=account,
                    category=category,
                    quantity=int(float(price) * 100),
                    price=price,
                    start_date=start,
                    end_date=max(start, today - timedelta(days=1)),
                )
        organization = people.organization_create(name="Acme Inc.", owner=user)
        voice_lab = Account.objects.get(owner=user, friendly_name="Acme Voice Lab")
        people.organization_account_import(
            organization=organization, account=voice_lab, acting_user=user
        )
