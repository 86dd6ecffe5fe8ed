"""The Usage page of a main account: any date range, per subaccount and category, as a
table, a chart and a CSV download."""

import csv
from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from .. import roles
from ..forms.usage import UsageRangeForm
from ..selectors import usage as usage_selectors
from .common import (
    FORM_ERROR_STATUS,
    csv_text,
    current_account,
    remember_account,
    render_page_or_partial,
)

PAGE_SIZE = 50

# The usage chart's geometry (SVG user units; the SVG scales to its container).
CHART_ROW = 26
CHART_LABEL_WIDTH = 230
CHART_BAR_WIDTH = 380
CHART_VALUE_WIDTH = 110
CHART_PADDING = 6


@login_required
@vary_on_headers("HX-Request")
@require_GET
def usage(request, sid):
    """Usage of a main account and its subaccounts over any date range, as a table, a chart
    and a CSV download."""
    current = current_account(request, sid, scope=roles.USAGE_READ)
    account = current.account
    if account.is_subaccount:
        # Usage is reported for the whole family on the main account's page.
        raise Http404("Subaccounts have no usage page of their own.")
    form = UsageRangeForm.from_query(request.GET)
    report = None
    if form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
        include_subaccounts = form.cleaned_data["include_subaccounts"]
        scope = {"main": account, "start": start, "end": end}
        if request.GET.get("format") == "csv":
            groups = usage_selectors.usage_export(**scope, include_subaccounts=include_subaccounts)
            return _usage_csv(account, start, end, groups)
        report = usage_selectors.usage_report(
            **scope,
            include_subaccounts=include_subaccounts,
            page=_page_number(request.GET.get("page")),
            per_page=PAGE_SIZE,
        )
    if not request.htmx:
        remember_account(request, account)
    context = {
        "current": current,
        "account": account,
        "form": form,
        "report": report,
        # The totals and the chart cover every account; the table shows 50 accounts a page.
        "groups_page": Page(
            report.groups, report.page_number, Paginator(range(report.account_count), PAGE_SIZE)
        )
        if report
        else None,
        "chart": _chart_geometry(report.chart) if report else None,
        "daily": _daily_geometry(report.days) if report else None,
        "scope_query": "" if form.data.get("include_subaccounts") else "&subaccounts=exclude",
        "presets": _range_presets(),
        "page": "usage",
    }
    return render_page_or_partial(
        request,
        "billing/usage.html",
        "report",
        context,
        status=200 if report else FORM_ERROR_STATUS,
    )


def _range_presets():
    today = timezone.localdate()
    first = today.replace(day=1)
    last_month_end = first - timedelta(days=1)
    return [
        ("This month", first, today),
        ("Last month", last_month_end.replace(day=1), last_month_end),
        ("This year", today.replace(month=1, day=1), today),
    ]


CSV_HEADER = ["account_sid", "friendly_name", "category", "quantity", "price"]


def _page_number(value):
    try:
        return max(int(value), 1)
    except (TypeError, ValueError):
        return 1


def _usage_csv(account, start, end, groups):
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="usage-{account.sid}-{start.isoformat()}-{end.isoformat()}.csv"'
    )
    writer = csv.writer(response)
    writer.writerow(CSV_HEADER)
    for group in groups:
        for row in group.rows:
            writer.writerow(
                [
                    group.sid,
                    csv_text(group.friendly_name),
                    row["category"],
                    row["quantity"],
                    row["cost"],
                ]
            )
    return response


def _chart_geometry(bars):
    """Where each bar goes in the SVG: one row per account, widths relative to the largest."""
    for index, bar in enumerate(bars):
        bar["y"] = CHART_PADDING + index * CHART_ROW
        bar["text_y"] = bar["y"] + CHART_ROW / 2 + 4
        bar["x"] = CHART_LABEL_WIDTH
        bar["width"] = round(max(bar["share"] * CHART_BAR_WIDTH, 1 if bar["cost"] else 0), 1)
        bar["value_x"] = CHART_LABEL_WIDTH + bar["width"] + 6
    return {
        "bars": bars,
        "width": CHART_LABEL_WIDTH + CHART_BAR_WIDTH + CHART_VALUE_WIDTH,
        "height": CHART_PADDING * 2 + len(bars) * CHART_ROW,
        "bar_height": CHART_ROW - 8,
        "label_x": CHART_LABEL_WIDTH - 8,
    }


# The cost-over-time chart (SVG user units).
DAILY_WIDTH = 720
DAILY_HEIGHT = 170
DAILY_LEFT = 64
DAILY_BOTTOM = 24
DAILY_TOP = 10
DAILY_MONTHS_AFTER = 120  # longer ranges are drawn one bar a month


def _daily_geometry(days):
    """Bars of the cost of each day (each month, for ranges over 120 days), scaled to the
    largest, with a few dates under them."""
    if len(days) > DAILY_MONTHS_AFTER:
        months = {}
        for day in days:
            key = day["day"].replace(day=1)
            months.setdefault(key, {"day": key, "cost": 0, "month": True})
            months[key]["cost"] += day["cost"]
        days = list(months.values())
    largest = max((day["cost"] for day in days), default=0)
    plot_width = DAILY_WIDTH - DAILY_LEFT - 4
    plot_height = DAILY_HEIGHT - DAILY_TOP - DAILY_BOTTOM
    # Bars at most 28 wide, so that a short range does not draw one slab.
    step = min(plot_width / max(len(days), 1), 32)
    gap = min(4.0, step * 0.2)
    bars = []
    for index, day in enumerate(days):
        share = float(day["cost"] / largest) if largest else 0.0
        height = round(max(share * plot_height, 1.5 if day["cost"] else 1.0), 1)
        bars.append(
            {
                **day,
                "x": round(DAILY_LEFT + index * step + gap / 2, 1),
                "width": round(max(step - gap, 0.8), 1),
                "y": round(DAILY_TOP + plot_height - height, 1),
                "height": height,
            }
        )
    label_every = max(1, round(len(bars) / 6))
    labels = [
        {"x": round(bar["x"] + bar["width"] / 2, 1), "day": bar["day"], "month": bar.get("month")}
        for index, bar in enumerate(bars)
        if index % label_every == 0
    ]
    return {
        "bars": bars,
        "labels": labels,
        "largest": largest,
        "width": DAILY_WIDTH,
        "height": DAILY_HEIGHT,
        "left": DAILY_LEFT,
        "top": DAILY_TOP,
        "baseline": DAILY_TOP + plot_height,
        "label_y": DAILY_HEIGHT - 6,
        "monthly": bool(bars) and bool(bars[0].get("month")),
    }
