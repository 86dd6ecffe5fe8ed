from django.core.management.base import BaseCommand, CommandError

from accounts import errors
from accounts.services import inventory
from accounts.services.events import Actor


class Command(BaseCommand):
    help = (
        "Load the inventory of fictional phone numbers (+1 AAA 555-01xx) that accounts can "
        "buy. Safe to run at any time, also while numbers are being bought, and again: "
        "numbers already in stock or held are skipped."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--area-codes",
            default=",".join(inventory.DEFAULT_AREA_CODES),
            help="Comma-separated area codes (default: %(default)s).",
        )
        parser.add_argument(
            "--price",
            default=str(inventory.DEFAULT_MONTHLY_PRICE),
            help="Monthly price in USD (default: %(default)s).",
        )

    def handle(self, *args, area_codes, price, **options):
        codes = [code.strip() for code in area_codes.split(",") if code.strip()]
        try:
            loaded = inventory.inventory_load(
                area_codes=codes, monthly_price=price, actor=Actor.system()
            )
        except errors.AccountError as error:
            raise CommandError(error.message) from None
        removed = f" (and removed {loaded.removed} held by accounts)" if loaded.removed else ""
        self.stdout.write(
            f"Added {loaded.added} numbers{removed}; {loaded.available} are available."
        )
