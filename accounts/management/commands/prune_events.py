import argparse

from django.conf import settings
from django.core.management.base import BaseCommand

from accounts.services.events import PRUNE_BATCH_SIZE, events_cutoff, events_prune


def _positive(text):
    if not (text.isascii() and text.isdigit() and int(text) >= 1):
        raise argparse.ArgumentTypeError(f"must be a whole number, 1 or more (got {text!r})")
    return int(text)


class Command(BaseCommand):
    help = (
        "Delete activity-log events older than EVENT_RETENTION_DAYS (400 by default), in "
        "batches, and print how many were deleted."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=_positive,
            default=None,
            help="keep this many days instead of EVENT_RETENTION_DAYS",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="only count the events that would go"
        )
        parser.add_argument(
            "--batch-size",
            type=_positive,
            default=PRUNE_BATCH_SIZE,
            help=f"events deleted per transaction (default {PRUNE_BATCH_SIZE})",
        )

    def handle(self, *args, days, dry_run, batch_size, **options):
        days = days or settings.EVENT_RETENTION_DAYS
        before = events_cutoff(days=days)
        count = events_prune(before=before, batch_size=batch_size, dry_run=dry_run)
        noun = "event" if count == 1 else "events"
        verb = "Would delete" if dry_run else "Deleted"
        self.stdout.write(
            f"{verb} {count} {noun} older than {days} days "
            f"(dated before {before:%Y-%m-%d %H:%M} UTC)."
        )
