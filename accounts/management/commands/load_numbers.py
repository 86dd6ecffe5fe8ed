from decimal import Decimal

from django.core.management.base import BaseCommand

from accounts.models import AvailablePhoneNumber, IncomingPhoneNumber

# 555-0100 to 555-0199 are reserved for fiction in every North American area code.
DEFAULT_AREA_CODES = {"415": "San Francisco, CA", "212": "New York, NY", "512": "Austin, TX"}


class Command(BaseCommand):
    help = (
        "Load the inventory of fictional phone numbers (+1 AAA 555-01xx) that accounts can "
        "buy. Safe to run again: numbers already in stock or held are skipped."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--area-codes",
            default=",".join(DEFAULT_AREA_CODES),
            help="Comma-separated area codes (default: %(default)s).",
        )
        parser.add_argument("--price", default="1.15", help="Monthly price in USD.")

    def handle(self, *args, area_codes, price, **options):
        held = set(
            IncomingPhoneNumber.objects.filter(released_at__isnull=True).values_list(
                "phone_number", flat=True
            )
        )
        numbers = []
        for area_code in [code.strip() for code in area_codes.split(",") if code.strip()]:
            for line in range(100, 200):
                phone_number = f"+1{area_code}555{line:04d}"
                if phone_number in held:
                    continue
                numbers.append(
                    AvailablePhoneNumber(
                        phone_number=phone_number,
                        friendly_name=f"({area_code}) 555-{line:04d}",
                        region=DEFAULT_AREA_CODES.get(area_code, ""),
                        voice=True,
                        sms=True,
                        mms=line % 2 == 0,
                        monthly_price=Decimal(price),
                    )
                )
        before = AvailablePhoneNumber.objects.count()
        AvailablePhoneNumber.objects.bulk_create(numbers, ignore_conflicts=True)
        added = AvailablePhoneNumber.objects.count() - before
        self.stdout.write(f"Added {added} numbers; {before + added} are available.")
