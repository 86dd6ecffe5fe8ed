"""Reads about usage, from the daily roll-up (`UsageDay`): the console's Usage page and the
API's Usage Records. Callers pass an account they already reached; everything here stays
inside its family.

Usage counts on the day it was charged (GMT), so for any range these totals equal the usage
charges of the ledger. A main account's figures "including subaccounts" come from its family
rows, a handful per day whatever the number of subaccounts.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Sum
from django.db.models.functions import TruncMonth, TruncYear

from ..models import UsageDay
from ..models.usage import (
    ROLLUPS,
    TOTAL_PRICE,
    category_label,
    category_members,
    category_units,
    reported_categories,
)

ZERO = Decimal("0")
# The ledger's precision: SQLite sums come back with float noise beyond it.
PLACES = Decimal("0.0001")
CHART_TOP = 20

DAILY, MONTHLY, YEARLY = "daily", "monthly", "yearly"


def _clean(value):
    return (value or ZERO).quantize(PLACES)


def _rows(*, account, include_subaccounts):
    """The roll-up rows of `account`: its family's (a main account including its
    subaccounts) or its own."""
    family = account.parent_id is None and include_subaccounts
    return UsageDay.objects.filter(account=account, family=family)


# --- The API's Usage Records ---------------------------------------------------------------


@dataclass
class UsageFigure:
    """One usage record as the API reports it: a category over [start_date, end_date]."""

    category: str
    start_date: datetime.date
    end_date: datetime.date
    count: Decimal = ZERO
    usage: Decimal = ZERO
    price: Decimal = ZERO

    @property
    def description(self):
        return category_label(self.category)

    @property
    def units(self):
        return category_units(self.category)


def _period_start(day, granularity):
    if granularity == MONTHLY:
        return day.replace(day=1)
    if granularity == YEARLY:
        return day.replace(month=1, day=1)
    return day


def _next_period(day, granularity):
    if granularity == DAILY:
        return day + datetime.timedelta(days=1)
    if granularity == MONTHLY:
        return (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return day.replace(year=day.year + 1, month=1, day=1)


def _periods(start, end, granularity):
    """[(first day, last day)] of each period in [start, end], clipped to it."""
    if granularity is None:
        return [(start, end)]
    periods = []
    current = _period_start(start, granularity)
    while current <= end:
        following = _next_period(current, granularity)
        periods.append((max(current, start), min(following - datetime.timedelta(days=1), end)))
        current = following
    return periods


def _sums(*, account, include_subaccounts, start, end, granularity):
    """{(natural start of the period or None, recorded category): (count, usage, price)},
    summed in the database: one indexed query."""
    rows = _rows(account=account, include_subaccounts=include_subaccounts).filter(
        day__gte=start, day__lte=end
    )
    group = None
    if granularity == DAILY:
        group = "day"
    elif granularity in (MONTHLY, YEARLY):
        rows = rows.annotate(period=(TruncMonth if granularity == MONTHLY else TruncYear)("day"))
        group = "period"
    fields = [group, "category"] if group else ["category"]
    sums = {}
    for row in rows.values(*fields).annotate(
        total_count=Sum("count"), total_usage=Sum("usage"), total_price=Sum("price")
    ):
        key = None
        if group:
            period = row[group]
            if isinstance(period, datetime.datetime):
                period = period.date()
            key = _period_start(period, granularity)
        sums[(key, row["category"])] = (
            _clean(row["total_count"]),
            _clean(row["total_usage"]),
            _clean(row["total_price"]),
        )
    return sums


def _figure(category, key, period, sums):
    figure = UsageFigure(category=category, start_date=period[0], end_date=period[1])
    for member in category_members(category):
        count, usage, price = sums.get((key, member), (ZERO, ZERO, ZERO))
        figure.count += count
        figure.usage += usage
        figure.price += price
    if category == TOTAL_PRICE:
        # Twilio's total is money: its usage is the price, in usd.
        figure.usage = figure.price
    return figure


def usage_figures(
    *,
    account,
    start,
    end,
    include_subaccounts=True,
    category=None,
    granularity=None,
    listed_from=None,
    listed_to=None,
):
    """The usage records of `account` in [start, end]: one per category, or one per
    category and period (`granularity` daily, monthly or yearly), oldest period first.

    With `category`, every period of the range has its record, zero or not; without, each
    period has one for every category used in the range and for the roll-ups over them
    (`totalprice` always). Periods are listed within [listed_from, listed_to] only, when
    given: before the account existed, or after today, there is no usage to report."""
    sums = _sums(
        account=account,
        include_subaccounts=include_subaccounts,
        start=start,
        end=end,
        granularity=granularity,
    )
    if category is not None:
        shown = [category]
    else:
        used = {recorded for _, recorded in sums}
        shown = sorted(
            {name for name in reported_categories() if used & set(category_members(name))}
            | {TOTAL_PRICE}
        )
    if granularity is None:
        return [_figure(name, None, (start, end), sums) for name in shown]
    first, last = max(start, listed_from or start), min(end, listed_to or end)
    return [
        _figure(name, _period_start(period[0], granularity), period, sums)
        for period in _periods(first, last, granularity)
        for name in shown
    ]


# --- The console's Usage page -------------------------------------------------------------


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
    days: list  # [{"day", "cost"}], every day of the range, oldest first
    categories: list  # [{"category", "label", "count", "count_unit", "usage", ...}]


def usage_rows(*, main, start, end, include_subaccounts=True):
    """Usage of `main` (and its subaccounts) charged in [start, end], summed in the
    database: one row per (account, category) with quantity and cost."""
    rows = UsageDay.objects.filter(family=False, day__gte=start, day__lte=end)
    if include_subaccounts:
        rows = rows.filter(main_account=main)
    else:
        rows = rows.filter(account=main)
    # A deleted subaccount's rows have no account any more, but its SID and name.
    return (
        rows.values(
            "account_id",
            "account__sid",
            "account__friendly_name",
            "incurred_by_sid",
            "incurred_by_name",
            "category",
        )
        .annotate(quantity=Sum("usage"), cost=Sum("price"))
        .order_by("account__friendly_name", "account_id", "incurred_by_sid", "category")
    )


def _days(*, main, start, end, include_subaccounts):
    """The cost of each day of [start, end], oldest first (days without usage at zero)."""
    costs = dict(
        _rows(account=main, include_subaccounts=include_subaccounts)
        .filter(day__gte=start, day__lte=end)
        .values("day")
        .annotate(cost=Sum("price"))
        .values_list("day", "cost")
    )
    days, day = [], start
    while day <= end:
        days.append({"day": day, "cost": _clean(costs.get(day))})
        day += datetime.timedelta(days=1)
    return days


def _category_line(name, row, *, sub, label=None):
    count_unit, usage_unit = category_units(name)
    return {
        "category": name,
        "label": label or category_label(name),
        "sub": sub,
        "count": _clean(row["count"]),
        "count_unit": count_unit,
        "usage": _clean(row["usage"]),
        "usage_unit": usage_unit,
        "cost": _clean(row["cost"]),
    }


def _categories(*, main, start, end, include_subaccounts):
    """Each category's count, usage and cost over the range, with units; a roll-up (calls,
    SMS, phone numbers) heads its sub-categories with their sum."""
    sums = {
        row["category"]: row
        for row in _rows(account=main, include_subaccounts=include_subaccounts)
        .filter(day__gte=start, day__lte=end)
        .values("category")
        .annotate(count=Sum("count"), usage=Sum("usage"), cost=Sum("price"))
    }
    lines, done = [], set()
    for name in sorted(sums):
        if name in done:
            continue
        group = next(
            (
                rollup
                for rollup, members in ROLLUPS.items()
                if rollup != TOTAL_PRICE and name in members
            ),
            None,
        )
        if group is None:
            lines.append(_category_line(name, sums[name], sub=False))
            continue
        members = sorted(str(member) for member in ROLLUPS[group] if member in sums)
        heading = {
            key: sum((sums[member][key] for member in members), ZERO)
            for key in ("count", "usage", "cost")
        }
        lines.append(_category_line(group, heading, sub=False))
        for member in members:
            label = f"{category_label(member)}, not itemized" if member == group else None
            lines.append(_category_line(member, sums[member], sub=True, label=label))
        done |= set(members)
    return lines


def usage_report(*, main, start, end, include_subaccounts=True):
    """The Usage page in a few queries: rows grouped by account (most expensive first),
    subtotals, the grand total, the cost-per-account chart (top 20 and "others"), the cost of
    each day, and the breakdown by category."""
    labels = {name: category_label(name) for name in reported_categories()}
    groups = {}
    for row in usage_rows(main=main, start=start, end=end, include_subaccounts=include_subaccounts):
        key = row["account_id"] or row["incurred_by_sid"]
        group = groups.get(key)
        if group is None:
            group = groups[key] = UsageGroup(
                account_id=row["account_id"],
                sid=row["account__sid"] or row["incurred_by_sid"],
                friendly_name=row["account__friendly_name"]
                or f"{row['incurred_by_name']} (deleted)",
                is_main=row["account_id"] == main.pk,
            )
        row["category_label"] = labels.get(row["category"], row["category"])
        row["quantity"] = _clean(row["quantity"])
        row["cost"] = _clean(row["cost"])
        group.rows.append(row)
        group.subtotal += row["cost"]
    ordered = sorted(
        groups.values(), key=lambda g: (-g.subtotal, not g.is_main, g.friendly_name.lower())
    )
    total = sum((group.subtotal for group in ordered), ZERO)
    scope = {"main": main, "start": start, "end": end, "include_subaccounts": include_subaccounts}
    return UsageReport(
        groups=ordered,
        total=total,
        chart=_chart(ordered),
        days=_days(**scope),
        categories=_categories(**scope),
    )


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
