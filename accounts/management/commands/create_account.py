import json

from django.core.management.base import BaseCommand, CommandError

from accounts import errors
from accounts.services.events import Actor
from accounts.services.users import owner_account_provision


class Command(BaseCommand):
    help = (
        "Create a top-level account for an owner (creating the user if needed) and print one "
        "line of JSON with its sid and auth_token."
    )

    def add_arguments(self, parser):
        parser.add_argument("--email", required=True, help="The owner's email (their login).")
        parser.add_argument("--password", help="Password for a new user (ignored if they exist).")
        parser.add_argument("--friendly-name", help="The account's name (default: the email).")

    def handle(self, *args, email, password=None, friendly_name=None, **options):
        try:
            user, account, created_user = owner_account_provision(
                email=email.strip(),
                password=password,
                friendly_name=friendly_name,
                actor=Actor.system(),
            )
        except errors.AccountError as error:
            raise CommandError(error.message) from error
        self.stdout.write(
            json.dumps(
                {
                    "sid": account.sid,
                    "auth_token": account.auth_token,
                    "friendly_name": account.friendly_name,
                    "owner_email": user.email,
                    "user_created": created_user,
                }
            )
        )
