"""Reads for the money pages: the ledger, phone numbers, usage. Callers pass an account they
already reached through `selectors.account_get_for_user`; everything here stays inside it (or
inside its family, for a main account)."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q, Sum

from .models import Account, IncomingPhoneNumber, LedgerEntry, UsageRecord, sid_is_valid

ZERO = Decimal("0")
# The ledger's precision: SQLite sums come back with float noise beyond it.
PLACES = Decimal("0.0001")
CHART_TOP = 20


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


def phone_number_list(*, account, query=""):
    """The numbers `account` holds now (not those of its subaccounts), newest first. `query`
    matches part of the number's digits or of its friendly name."""
    numbers = IncomingPhoneNumber.objects.filter(account=account, released_at__isnull=True)
    query = query.strip()
    if query:
        match = Q(friendly_name__icontains=query)
        digits = "".join(ch for ch in query if ch.isdigit())
        if digits:
            match |= Q(phone_number__contains=digits)
        numbers = numbers.filter(match)
    return numbers.order_by("-date_created", "-id")


def phone_number_get(*, account, sid):
    """One number `account` holds or held (released ones too, so that acting on a stale page
    says "released" rather than "not found"). None when it is not this account's."""
    if not sid_is_valid(sid, "PN"):
        return None
    return IncomingPhoneNumber.objects.filter(account=account, sid=sid).first()


def family_accounts(*, main):
    """A main account and its subaccounts: where its numbers may move."""
    return Account.objects.filter(Q(pk=main.pk) | Q(parent_id=main.pk))


def transfer_targets(*, main, exclude):
    """The family's active accounts a number held by `exclude` could move to, main first."""
    return (
        family_accounts(main=main)
        .filter(status=Account.Status.ACTIVE)
        .exclude(pk=exclude.pk)
        .order_by("parent_id", "friendly_name", "pk")
        .only("pk", "sid", "friendly_name", "parent_id")
    )


def usage_rows(*, main, start, end):
    """Usage of `main` and its subaccounts with records inside [start, end], summed in the
    database: one row per (account, category) with quantity and cost."""
    return (
        UsageRecord.objects.filter(
            Q(account_id=main.pk) | Q(account__parent_id=main.pk),
            start_date__gte=start,
            end_date__lte=end,
        )
        .values("account_id", "account__sid", "account__friendly_name", "category")
        .annotate(quantity=Sum("quantity"), cost=Sum("price"))
        .order_by("account__friendly_name", "account_id", "category")
    )


@dataclass
class UsageGroup:
    account_id: int
    sid: str
    friendly_name: str
    is_main: bool
    rows: list = field(default_factory=list)
    subtotal: Decimal = ZERO


@dataclass
class UsageReport:
    groups: list
    total: Decimal
    chart: list  # [{"label", "sid", "cost", "share"}], the most expensive first


def usage_report(*, main, start, end):
    """The Usage page in one query: rows grouped by account (most expensive first), subtotals,
    the grand total, and the bars of the cost-per-account chart (top 20 and "others")."""
    labels = dict(UsageRecord.Category.choices)
    groups = {}
    for row in usage_rows(main=main, start=start, end=end):
        group = groups.get(row["account_id"])
        if group is None:
            group = groups[row["account_id"]] = UsageGroup(
                account_id=row["account_id"],
                sid=row["account__sid"],
                friendly_name=row["account__friendly_name"],
                is_main=row["account_id"] == main.pk,
            )
        row["category_label"] = labels.get(row["category"], row["category"])
        row["quantity"] = row["quantity"].quantize(PLACES)
        row["cost"] = row["cost"].quantize(PLACES)
        group.rows.append(row)
        group.subtotal += row["cost"]
    ordered = sorted(
        groups.values(), key=lambda g: (-g.subtotal, not g.is_main, g.friendly_name.lower())
    )
    total = sum((group.subtotal for group in ordered), ZERO)
    return UsageReport(groups=ordered, total=total, chart=_chart(ordered))


def _chart(groups):
    bars = [
        {"label": group.friendly_name, "sid": group.sid, "cost": group.subtotal}
        for group in groups[:CHART_TOP]
    ]
    rest = groups[CHART_TOP:]
    if rest:
        bars.append(
            {
                "label": f"{len(rest):,} other accounts",
                "sid": "",
                "cost": sum((group.subtotal for group in rest), ZERO),
            }
        )
    largest = max((bar["cost"] for bar in bars), default=ZERO)
    for bar in bars:
        bar["share"] = float(bar["cost"] / largest) if largest > 0 else 0.0
    return bars
