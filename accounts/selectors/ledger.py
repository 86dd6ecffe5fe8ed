"""Reads about money: the ledger behind a balance, and what a subaccount spent."""

from decimal import Decimal

from django.db.models import Q, Sum
from django.utils import timezone

from ..models import Account, LedgerEntry

ZERO = Decimal("0")


def ledger_entry_list(*, account, kind=""):
    """What moved the balance, newest first: for an account that holds a balance (a main
    account, a subaccount with its own) every entry it paid (a main account's include its
    subaccounts' and those of its deleted subaccounts), for a subaccount that shares its
    parent's only what that subaccount incurred."""
    if account.balance is None:
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
    """Accounts holding a balance (top-level accounts, subaccounts with their own) whose
    balance is not the sum of their ledger entries: [(account, balance, ledger_sum)]. A
    deleted subaccount's own entries, now its parent's history, summed to zero (it is deleted
    only then) and are left out."""
    sums = dict(
        LedgerEntry.objects.filter(paid_from_sid="")
        .values("paying_account")
        .annotate(total=Sum("amount"))
        .values_list("paying_account", "total")
    )
    differences = []
    holding = Account.objects.filter(balance__isnull=False).only("pk", "sid", "balance")
    for account in holding.iterator():
        total = sums.get(account.pk, ZERO)
        if account.balance != total:
            differences.append((account, account.balance, total))
    return differences


def trial_credit_remaining(account):
    """What is left of a trial account's trial credit: it is spent first, so the credit
    less every usage charge since, and never more than the balance."""
    sums = LedgerEntry.objects.filter(paying_account=account).aggregate(
        credit=Sum("amount", filter=Q(kind=LedgerEntry.Kind.TRIAL_CREDIT)),
        usage=Sum("amount", filter=Q(kind=LedgerEntry.Kind.USAGE)),
    )
    left = (sums["credit"] or ZERO) + (sums["usage"] or ZERO)
    return max(ZERO, min(left, account.balance or ZERO))
