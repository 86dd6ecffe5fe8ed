from django.core.management.base import BaseCommand
from django.db import transaction

from accounts import services
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
