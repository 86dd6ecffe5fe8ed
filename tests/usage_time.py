"""Usage charged on another day than today: usage counts on the day it was charged, so tests
of date ranges charge on the days they need, through the real services."""

import contextlib
import datetime

from accounts.models import LedgerEntry


@contextlib.contextmanager
def charging_on(day):
    """Ledger entries written inside are dated at noon (GMT) on `day`."""
    field = LedgerEntry._meta.get_field("date_created")
    moment = datetime.datetime.combine(day, datetime.time(12), tzinfo=datetime.UTC)
    previous = field.default
    field.default = lambda: moment
    field.__dict__.pop("_get_default", None)  # Django caches the default's callable
    try:
        yield moment
    finally:
        field.default = previous
        field.__dict__.pop("_get_default", None)
