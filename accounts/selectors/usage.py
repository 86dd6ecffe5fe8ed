"""Reads about usage: the Usage page of a main account and its subaccounts. Callers pass an
account they already reached; everything here stays inside its family."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q, Sum

from ..models import UsageRecord

ZERO = Decimal("0")
# The ledger's precision: SQLite sums come back with float noise beyond it.
PLACES = Decimal("0.0001")
CHART_TOP = 20


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
