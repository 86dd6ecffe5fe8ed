import csv
import sys
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from accounts import errors
from accounts.models import Account
from accounts.services.events import Actor
from accounts.services.usage import usage_record

COLUMNS = ["account_sid", "category", "quantity", "price", "start_date", "end_date"]
DUPLICATE_ROW = (
    "the same account, category and period as line {line}: merge the two rows, or give each "
    "its own idempotency_key"
)
DUPLICATE_KEY = "the same idempotency_key as line {line}"


class Command(BaseCommand):
    help = (
        "Import usage records from a CSV file with the columns "
        + ", ".join(COLUMNS)
        + " (and optionally count and idempotency_key). Each row charges the paying balance "
        "through the ledger, once: re-importing the same file charges nothing twice, and a "
        "second row for the same account, category and period (without its own "
        "idempotency_key) is refused, naming both lines."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="CSV file ('-' for standard input).")

    def handle(self, *args, path, **options):
        handle = sys.stdin if path == "-" else open(path, newline="", encoding="utf-8")
        with handle:
            reader = csv.DictReader(handle)
            missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
            if missing:
                raise CommandError(f"Missing column(s): {', '.join(missing)}")
            rows = list(reader)
        accounts = {
            account.sid: account
            for account in Account.objects.filter(sid__in={row["account_sid"] for row in rows})
        }
        imported, already, failures = 0, 0, []
        seen = {}  # idempotency key -> the line that used it
        started = timezone.now()
        for number, row in enumerate(rows, start=2):
            try:
                account = accounts.get(row["account_sid"])
                if account is None:
                    raise CommandError(f"no account {row['account_sid']}")
                start, end = (
                    date.fromisoformat(row["start_date"]),
                    date.fromisoformat(row["end_date"]),
                )
                if end < start:
                    raise CommandError("end_date is before start_date")
                key = row.get("idempotency_key") or (
                    f"usage:{account.sid}:{row['category']}:{start}:{end}"
                )
                if key in seen:
                    raise CommandError(
                        DUPLICATE_ROW.format(line=seen[key])
                        if not row.get("idempotency_key")
                        else DUPLICATE_KEY.format(line=seen[key])
                    )
                seen[key] = number
                record = usage_record(
                    account=account,
                    category=row["category"],
                    quantity=Decimal(row["quantity"]),
                    count=Decimal(row["count"]) if row.get("count") else None,
                    price=Decimal(row["price"]),
                    start_date=start,
                    end_date=end,
                    idempotency_key=key,
                    actor=Actor.system(),
                )
                if record.date_created < started:
                    # Its key was charged before this run: a re-import.
                    already += 1
                else:
                    imported += 1
            except (CommandError, errors.AccountError, ValueError, InvalidOperation) as error:
                message = getattr(error, "message", None) or str(error)
                failures.append(f"line {number}: {message}")
        for failure in failures:
            self.stderr.write(failure)
        self.stdout.write(
            f"Imported {imported} usage record(s); {already} already imported (skipped); "
            f"{len(failures)} refused."
        )
        if failures:
            raise CommandError(f"{len(failures)} row(s) could not be imported.")
