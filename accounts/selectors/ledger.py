"""Reads about money: the ledger behind a balance, and what a subaccount spent."""

from decimal import Decimal

from django.db.models import Q, Sum
from django.http import Http404
from django.utils import timezone

from ..models import Account, BalanceTransfer, LedgerEntry, Payment

ZERO = Decimal("0")


# What the ledger's rows show of an entry.
LEDGER_ROW_FIELDS = (
    "sid",
    "paying_account_id",
    "account_id",
    "incurred_by_sid",
    "incurred_by_name",
    "paid_from_sid",
    "amount",
    "balance_after",
    "kind",
    "description",
    "test_money",
    "date_created",
)


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
    # The ledger shows who incurred each entry by name and SID: only those of the account's
    # row, not all of its columns (tokens, limits, settings), 50 times a page.
    return (
        entries.select_related("account")
        .only(*LEDGER_ROW_FIELDS, "account__sid", "account__friendly_name")
        .order_by("-date_created", "-id")
    )


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


def payment_list(*, account, limit=10):
    """The account's latest payments (add funds, first payment, auto-recharge): the page shows
    none of their ledger entries."""
    return Payment.objects.filter(account=account).order_by("-date_created", "-id")[:limit]


def payments_waiting(*, account):
    """What the account's payments waiting for support's approval add up to, or None."""
    return Payment.objects.filter(
        account=account, status=Payment.Status.PENDING, needs_approval=True
    ).aggregate(total=Sum("amount"))["total"]


def auto_recharge_notice(*, account):
    """The last auto-recharge, if it did not go through (failed or declined): the notice the
    Billing page shows until a later one succeeds."""
    last = (
        Payment.objects.filter(account=account, purpose=Payment.Purpose.AUTO_RECHARGE)
        .exclude(status=Payment.Status.PENDING)
        .order_by("-date_created", "-id")
        .first()
    )
    return last if last is not None and last.status != Payment.Status.SUCCEEDED else None


def transfer_list(*, account, limit=20):
    """Transfers on `account`'s ledger, newest first: a main account's with all its
    subaccounts (deleted ones too), a subaccount's with its parent."""
    if account.parent_id is None:
        transfers = BalanceTransfer.objects.filter(main_account=account)
    else:
        transfers = BalanceTransfer.objects.filter(subaccount=account)
    # The page only asks whether the subaccount still exists (subaccount_id): it shows the
    # name and SID the transfer keeps.
    return transfers.select_related("reversal", "reverses").order_by("-date_created", "-id")[:limit]


def transfer_get(*, account, sid):
    """One transfer of `account`'s family (its main account's transfers), or 404."""
    main_id = account.parent_id or account.pk
    transfer = (
        BalanceTransfer.objects.filter(main_account_id=main_id, sid=sid)
        .select_related("subaccount", "main_account", "reversal")
        .first()
    )
    if transfer is None or (account.parent_id and transfer.subaccount_id != account.pk):
        raise Http404("No such transfer.")
    return transfer


def own_balance_subaccounts(*, main):
    """The open subaccounts of `main` that hold their own balance: where it transfers to."""
    return (
        Account.objects.subaccounts_of(main)
        .filter(own_balance=True)
        .exclude(status=Account.Status.CLOSED)
        .only("pk", "sid", "friendly_name", "balance", "status", "parent_id", "own_balance")
        .order_by("friendly_name", "pk")
    )
