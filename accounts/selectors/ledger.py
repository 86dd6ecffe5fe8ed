"""Reads about money: the ledger behind a balance, and what a subaccount spent."""

from decimal import Decimal

from django.db.models import Sum
from django.utils import timezone

from ..models import Account, LedgerEntry

ZERO = Decimal("0")


def ledger_entry_list(*, account, kind=""):
    """What moved the balance, newest first: for a main account every entry it paid (its own
    and its subaccounts'), for a subaccount only what that subaccount incurred."""
    if account.is_subaccount:
        entries = LedgerEntry.objects.filter(account=account)
    else:
        entries = LedgerEntry.objects.filter(paying_account=account)
    if kind:
        entries = entries.filter(kind=kind)
    return entries.select_related("account").order_by("-date_created", "-id")


def month_start(now=None):
    now = now or timezone.now()
    return now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def spent_this_month(account, now=None):
    """What `account`'s usage has charged to the shared balance this calendar month."""
    total = LedgerEntry.objects.filter(
        account=account, kind=LedgerEntry.Kind.USAGE, date_created__gte=month_start(now)
    ).aggregate(total=Sum("amount"))["total"]
    return -(total or ZERO)


def ledger_differences():
    """Top-level accounts whose balance is not the sum of their ledger entries:
    [(account, balance, ledger_sum)]."""
    sums = dict(
        LedgerEntry.objects.values("paying_account")
        .annotate(total=Sum("amount"))
        .values_list("paying_account", "total")
    )
    differences = []
    for account in Account.objects.top_level().only("pk", "sid", "balance").iterator():
        total = sums.get(account.pk, ZERO)
        if account.balance != total:
            differences.append((account, account.balance, total))
    return differences
