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

from django.db.models import Case, Count, F, Q, Subquery, Sum, Value, When, Window
from django.db.models.functions import Coalesce, Lower, RowNumber, TruncMonth, TruncYear

from ..models import UsageDay, UsageMonth
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
    groups: list  # the accounts of the page asked for, the most expensive first
    account_count: int  # how many accounts have usage in the range
    page_number: int
    total: Decimal
    chart: list  # [{"label", "sid", "cost", "share"}], the most expensive first
    days: list  # [{"day", "cost"}], every day of the range, oldest first
    categories: list  # [{"category", "label", "count", "count_unit", "usage", ...}]


def _account_rows(*, main, start, end, include_subaccounts, months=None, accounts=None):
    """The roll-up rows of each account of the report (not the family's total rows): the
    monthly ones by category when the range is `months` (see `_whole_months`), else the
    daily ones; only those of `accounts` ((account ids, deleted subaccounts' SIDs)) when
    given."""
    if months is not None:
        # One month by equality, so that an account's rows are found by its index entry
        # (usage_month_main_idx: main account, month, account), not among the whole month's.
        span = {"month": months[0]} if months[0] == months[1] else {"month__range": months}
        rows = UsageMonth.objects.filter(family=False, **span).exclude(category=TOTAL_PRICE)
        if accounts is not None:
            # Found by each account's own index entries (usage_month_unique leads with the
            # account), not among the family's: the accounts come from this family's ranking.
            ids, sids = accounts
            return rows.filter(
                Q(account_id__in=ids) | Q(main_account=main, account=None, incurred_by_sid__in=sids)
            )
    else:
        rows = UsageDay.objects.filter(family=False, day__gte=start, day__lte=end)
    if include_subaccounts and main.parent_id is None:
        rows = rows.filter(main_account=main)
    else:
        rows = rows.filter(account=main)
    if accounts is not None:
        ids, sids = accounts
        rows = rows.filter(Q(account_id__in=ids) | Q(account=None, incurred_by_sid__in=sids))
    return rows


def _whole_months(*, main, start, end, include_subaccounts):
    """(first month, last month) when [start, end] holds the same usage as those whole
    months: it starts on a 1st and ends on its month's last day, or on a day after which
    that month has no usage (this month so far). None otherwise."""
    if start.day != 1:
        return None
    last = end.replace(day=1)
    month_end = _next_period(last, MONTHLY) - datetime.timedelta(days=1)
    if end < month_end and (
        _rows(account=main, include_subaccounts=include_subaccounts)
        .filter(day__gt=end, day__lte=month_end)
        .exists()
    ):
        return None
    return start, last


def usage_rows(*, main, start, end, include_subaccounts=True, months=None, accounts=None):
    """Usage of `main` (and its subaccounts) charged in [start, end], summed in the
    database: one row per (account, category) with quantity and cost. A deleted
    subaccount's rows have no account any more, but its SID and name (`incurred_by_…`)."""
    return (
        _account_rows(
            main=main,
            start=start,
            end=end,
            include_subaccounts=include_subaccounts,
            months=months,
            accounts=accounts,
        )
        .values(
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


RANKING = (
    F("price").desc(),
    F("is_main").desc(),
    Lower("name").asc(),
    F("account_id").asc(nulls_last=True),
    F("incurred_by_sid").asc(),
)


def _ranked_month(*, main, month, first, per_page):
    """`_ranked_accounts` for one month of a family, from its accounts' `totalprice` rows
    read in the order of their index (usage_month_rank_idx): the chart's top and the page
    only, whatever the number of accounts, and the count from the family's row."""
    rows = UsageMonth.objects.filter(
        main_account=main, month=month, family=False, category=TOTAL_PRICE
    ).order_by(*RANKING)
    # The count comes along: the family's row, read once (an uncorrelated subquery).
    accounts = UsageMonth.objects.filter(
        account=main, family=True, category=TOTAL_PRICE, month=month
    ).values("accounts")[:1]
    rows = rows.annotate(family_accounts=Subquery(accounts)).values_list(
        "account_id", "incurred_by_sid", "price", "family_accounts"
    )
    slices = [(0, max(CHART_TOP, first + per_page))]
    if first + per_page > CHART_TOP * 4:
        slices = [(0, CHART_TOP), (first, first + per_page)]
    ranked = {}
    for low, high in slices:
        for offset, (account_id, incurred_by, price, count) in enumerate(rows[low:high]):
            position = low + offset + 1
            if position <= CHART_TOP or first < position <= first + per_page:
                ranked[position] = ((account_id, incurred_by), price, position, count or 0)
    return [ranked[position] for position in sorted(ranked)]


def _ranked_accounts(*, main, start, end, include_subaccounts, positions, months=None):
    """[((account_id, incurred_by_sid), subtotal, position, accounts)]: each account's cost
    over the range (a deleted subaccount's rows under its SID), summed, ranked and counted in
    the database (the most expensive first, the main account first among equals, then by
    name), keeping only the ranks `positions` asks for (a Q on
    `position`, 1-based). `accounts` is how many accounts have usage: a window over all
    groups, so the page, the chart's top and the count come in one query."""
    ranking = [
        F("subtotal").desc(),
        F("is_main").asc(),
        Lower(Coalesce("account__friendly_name", "incurred_by_name")).asc(),
        F("account_id").asc(nulls_last=True),
        F("incurred_by_sid").asc(),
    ]
    ranked = (
        _account_rows(
            main=main,
            start=start,
            end=end,
            include_subaccounts=include_subaccounts,
            months=months,
        )
        .values("account_id", "incurred_by_sid")
        .annotate(
            subtotal=Sum("price"),
            is_main=Case(When(account_id=main.pk, then=Value(0)), default=Value(1)),
        )
        .annotate(
            position=Window(RowNumber(), order_by=ranking),
            accounts=Window(Count(Value(1))),
        )
        .filter(positions)
        .order_by("position")
        .values_list("account_id", "incurred_by_sid", "subtotal", "position", "accounts")
    )
    return [
        ((account_id, incurred_by), subtotal, position, accounts)
        for account_id, incurred_by, subtotal, position, accounts in ranked
    ]


def _groups(*, main, start, end, include_subaccounts, ranked, months=None):
    """UsageGroups for the (key, subtotal) pairs of `ranked`, in that order, with
    their rows by category: one query for those accounts only."""
    labels = {name: category_label(name) for name in reported_categories()}
    groups = {
        key: UsageGroup(account_id=key[0], sid="", friendly_name="", is_main=key[0] == main.pk)
        for key, _subtotal in ranked
    }
    account_ids = [account_id for account_id, _ in groups if account_id is not None]
    deleted_sids = [sid for account_id, sid in groups if account_id is None]
    rows = usage_rows(
        main=main,
        start=start,
        end=end,
        include_subaccounts=include_subaccounts,
        months=months,
        accounts=(account_ids, deleted_sids),
    )
    for row in rows:
        group = groups[(row["account_id"], row["incurred_by_sid"])]
        if row["account_id"] is None:
            group.sid = row["incurred_by_sid"]
            group.friendly_name = f"{row['incurred_by_name']} (deleted)"
        else:
            group.sid, group.friendly_name = row["account__sid"], row["account__friendly_name"]
        row["category_label"] = labels.get(row["category"], row["category"])
        row["quantity"] = _clean(row["quantity"])
        row["cost"] = _clean(row["cost"])
        group.rows.append(row)
        group.subtotal += row["cost"]
    return list(groups.values())


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


def usage_report(*, main, start, end, include_subaccounts=True, page=1, per_page=50):
    """The Usage page in a few queries whatever the number of accounts: the accounts of page
    `page` (`per_page` of them, the most expensive first, the main account first among
    equals, then by name) with their rows and subtotals, the grand total and the breakdown
    by category (from the family's roll-up rows), the cost-per-account chart (top 20 and
    "others"), and the cost of each day. A page past the last shows the last.

    A range of one whole month (this month so far, last month: the page's links) reads the
    monthly roll-up: an index scan for the page and the chart's top, the count from the
    family's row. Whole months are ranked over the monthly rows, other ranges over the
    daily rows, in the database."""
    scope = {"main": main, "start": start, "end": end, "include_subaccounts": include_subaccounts}
    months = _whole_months(**scope)
    page = max(page, 1)

    def ranked(page):
        first = (page - 1) * per_page
        if months and months[0] == months[1] and include_subaccounts and not main.parent_id:
            return _ranked_month(main=main, month=months[0], first=first, per_page=per_page)
        return list(
            _ranked_accounts(
                **scope,
                months=months,
                positions=Q(position__lte=CHART_TOP)
                | Q(position__gt=first, position__lte=first + per_page),
            )
        )

    rows = ranked(page)
    account_count = rows[0][3] if rows else 0
    if page > 1 and account_count <= (page - 1) * per_page:
        # Past the last page: the last page.
        page = max((account_count + per_page - 1) // per_page, 1)
        rows = ranked(page)
    ranked_groups = _groups(
        **scope, months=months, ranked=[(key, subtotal) for key, subtotal, _, _ in rows]
    )
    groups = dict(zip([key for key, _, _, _ in rows], ranked_groups, strict=True))
    first = (page - 1) * per_page
    shown = [groups[key] for key, _, position, _ in rows if first < position <= first + per_page]
    top = [groups[key] for key, _, position, _ in rows if position <= CHART_TOP]
    categories = _categories(**scope)
    total = _clean(sum((line["cost"] for line in categories if not line["sub"]), ZERO))
    return UsageReport(
        groups=shown,
        account_count=account_count,
        page_number=page,
        total=total,
        chart=_chart(top, others=account_count - len(top), total=total),
        days=_days(**scope),
        categories=categories,
    )


def usage_export(*, main, start, end, include_subaccounts=True):
    """Every account's rows of the range (the CSV download), in the page's order."""
    scope = {"main": main, "start": start, "end": end, "include_subaccounts": include_subaccounts}
    months = _whole_months(**scope)
    ranked = _ranked_accounts(**scope, months=months, positions=Q())
    ranked = [(key, subtotal) for key, subtotal, _, _ in ranked]
    return _groups(**scope, months=months, ranked=ranked)


def _chart(top, *, others, total):
    """Bars for the most expensive accounts, and one for the `others` together (the rest of
    the total)."""
    bars = [
        {"label": group.friendly_name, "sid": group.sid, "cost": group.subtotal} for group in top
    ]
    if others > 0:
        bars.append(
            {
                "label": f"{others:,} other accounts",
                "sid": "",
                "cost": total - sum((group.subtotal for group in top), ZERO),
            }
        )
    largest = max((bar["cost"] for bar in bars), default=ZERO)
    for bar in bars:
        bar["share"] = float(bar["cost"] / largest) if largest > 0 else 0.0
    return bars


# --- The monthly roll-up against the daily one ----------------------------------------------

ROLLUP_FIGURES = ("count", "usage", "price", "accounts")


def usage_month_expected(*, main=None):
    """The monthly roll-up (`UsageMonth`) that the daily rows make, for `main`'s family or
    every family: {(account_id, incurred_by_sid, family, category, month): row}, each row the
    model's fields. What `check_ledger` compares the roll-up with."""
    days = UsageDay.objects.filter(family=False)
    if main is not None:
        days = days.filter(main_account=main)
    sums = (
        days.annotate(month=TruncMonth("day"))
        .values(
            "account_id",
            "account__friendly_name",
            "incurred_by_sid",
            "incurred_by_name",
            "main_account_id",
            "category",
            "month",
        )
        .annotate(total_count=Sum("count"), total_usage=Sum("usage"), total_price=Sum("price"))
        .order_by()
    )
    rows = {}

    def add(key, fields, figures):
        row = rows.setdefault(key, {**fields, "count": ZERO, "usage": ZERO, "price": ZERO})
        row.setdefault("accounts", 0)
        for name in ("count", "usage", "price"):
            row[name] = _clean(row[name] + figures[name])
        return row

    for line in sums.iterator():
        month = line["month"]
        month = (month.date() if isinstance(month, datetime.datetime) else month).replace(day=1)
        account_id, main_id, sid = (
            line["account_id"],
            line["main_account_id"],
            line["incurred_by_sid"],
        )
        own = {
            "account_id": account_id,
            "incurred_by_sid": sid,
            "incurred_by_name": line["incurred_by_name"],
            "main_account_id": main_id,
            "family": False,
            "is_main": account_id == main_id,
            "name": line["account__friendly_name"] or line["incurred_by_name"],
            "month": month,
        }
        figures = {
            "count": line["total_count"] or ZERO,
            "usage": line["total_usage"] or ZERO,
            "price": line["total_price"] or ZERO,
        }
        add(
            (account_id, sid, False, line["category"], month),
            {**own, "category": line["category"]},
            figures,
        )
        total = (account_id, sid, False, TOTAL_PRICE, month)
        family = add(
            (main_id, "", True, TOTAL_PRICE, month),
            {
                **own,
                "account_id": main_id,
                "incurred_by_sid": "",
                "incurred_by_name": "",
                "family": True,
                "is_main": True,
                "name": "",
                "category": TOTAL_PRICE,
            },
            figures,
        )
        if total not in rows:
            family["accounts"] += 1
        add(total, {**own, "category": TOTAL_PRICE}, figures)
    return rows


def usage_month_differences():
    """Where the monthly roll-up is not what the daily rows make: [(key, expected row or
    None, actual row or None)], comparing the figures and the ordering name."""
    expected = usage_month_expected()
    actual = {
        (
            row["account_id"],
            row["incurred_by_sid"],
            row["family"],
            row["category"],
            row["month"],
        ): row
        for row in UsageMonth.objects.values(
            "account_id", "incurred_by_sid", "family", "category", "month", "name", *ROLLUP_FIGURES
        ).iterator()
    }
    differences = []
    for key in sorted(set(expected) | set(actual), key=str):
        want, have = expected.get(key), actual.get(key)
        if want is None or have is None:
            differences.append((key, want, have))
            continue
        fields = (*ROLLUP_FIGURES, "name")
        if any(
            (_clean(want[f]) != _clean(have[f]))
            if f in ("count", "usage", "price")
            else want[f] != have[f]
            for f in fields
        ):
            differences.append((key, want, have))
    return differences
