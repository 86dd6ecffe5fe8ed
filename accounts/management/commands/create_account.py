import json

from django.core.management.base import BaseCommand, CommandError

from accounts import errors
from accounts.models import Account
from accounts.services.events import Actor
from accounts.services.users import owner_account_provision


class Command(BaseCommand):
    help = (
        "Create a top-level account for an owner (creating the user if needed) and print one "
        "line of JSON with its sid and auth_token. --type trial (the default, like sign-up: "
        "the trial limits and the trial credit) or full (no trial limits, no credit)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--email", required=True, help="The owner's email (their login).")
        parser.add_argument("--password", help="Password for a new user (ignored if they exist).")
        parser.add_argument("--friendly-name", help="The account's name (default: the email).")
        parser.add_argument(
            "--type",
            choices=["trial", "full"],
            default="trial",
            help="trial (default, like sign-up: one subaccount, one number, the trial credit) "
            "or full (no trial limits).",
        )

    def handle(self, *args, email, password=None, friendly_name=None, **options):
        account_type = Account.Type.FULL if options["type"] == "full" else Account.Type.TRIAL
        try:
            user, account, created_user = owner_account_provision(
                email=email.strip(),
                password=password,
                friendly_name=friendly_name,
                actor=Actor.system(),
                type=account_type,
            )
        except errors.AccountError as error:
            raise CommandError(error.message) from error
        self.stdout.write(
            json.dumps(
                {
                    "sid": account.sid,
                    "auth_token": account.auth_token,
                    "friendly_name": account.friendly_name,
                    "type": account.type,
                    "balance": f"{account.balance:f}",
                    "owner_email": user.email,
                    "user_created": created_user,
                }
            )
        )
