"""Tests that write daily usage rows in bulk (thousands of accounts, no service per row) give
them their monthly roll-up the way the charges keep it."""

from accounts.models import UsageMonth
from accounts.selectors.usage import usage_month_expected


def months_rebuild(main):
    """The monthly roll-up of `main`'s family, made again from its daily rows."""
    UsageMonth.objects.filter(main_account=main).delete()
    UsageMonth.objects.bulk_create(
        UsageMonth(**row) for row in usage_month_expected(main=main).values()
    )
