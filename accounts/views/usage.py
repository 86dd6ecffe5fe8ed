"""The Usage page of a main account: any date range, per subaccount and category, as a
table, a chart and a CSV download."""

import csv
from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpResponse
from django.utils import dateformat, timezone
from django.utils.functional import SimpleLazyObject
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from .. import roles
from ..forms.usage import UsageRangeForm
from ..selectors import usage as usage_selectors
from ..templatetags.money import usd
from .common import (
    FORM_ERROR_STATUS,
    csv_text,
    current_account,
    remember_account,
    render_page_or_partial,
    report_key,
)

PAGE_SIZE = 50

# The usage chart's geometry (SVG user units; the SVG scales to its container). Wide: a label,
# its bar and its cost on one line. Narrow (phones, drawn at about its own size so that the
# text stays as large as the page's small print): the label and the cost on a line, the bar
# under them across the whole width.
CHART_ROW = 26
CHART_LABEL_WIDTH = 230
CHART_BAR_WIDTH = 380
CHART_VALUE_WIDTH = 110
CHART_PADDING = 6
NARROW_WIDTH = 340
NARROW_ROW = 38


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
    valid = form.is_valid()
    if valid and request.GET.get("format") == "csv":
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
        groups = usage_selectors.usage_export(
            main=account,
            start=start,
            end=end,
            include_subaccounts=form.cleaned_data["include_subaccounts"],
        )
        return _usage_csv(account, start, end, groups)
    if not request.htmx:
        remember_account(request, account)
    page_number = _page_number(request.GET.get("page"))
    # The report is worked out only when the template renders it, which it does not when it
    # remembers it (memo.py): the same family version, range, page, day and reader.
    report = SimpleLazyObject(lambda: _report(account, form, page_number)) if valid else None
    context = {
        "current": current,
        "account": account,
        "form": form,
        "report": report,
        # The range as typed (the form shows it so) and the page.
        "report_key": report_key(request, current, *form.data.values(), page_number),
        "groups_page": SimpleLazyObject(
            lambda: Page(
                report.groups, report.page_number, Paginator(range(report.account_count), PAGE_SIZE)
            )
        )
        if valid
        else None,
        "chart": SimpleLazyObject(lambda: _chart_geometry(report.chart)) if valid else None,
        "chart_narrow": SimpleLazyObject(lambda: _chart_geometry(report.chart, narrow=True))
        if valid
        else None,
        "daily": SimpleLazyObject(lambda: _daily_geometry(report.days)) if valid else None,
        "daily_narrow": SimpleLazyObject(lambda: _daily_geometry(report.days, narrow=True))
        if valid
        else None,
        "scope_query": "" if form.data.get("include_subaccounts") else "&subaccounts=exclude",
        "presets": _range_presets(),
        "page": "usage",
    }
    return render_page_or_partial(
        request,
        "billing/usage.html",
        "report",
        context,
        status=200 if valid else FORM_ERROR_STATUS,
    )


def _report(account, form, page_number):
    return usage_selectors.usage_report(
        main=account,
        start=form.cleaned_data["start"],
        end=form.cleaned_data["end"],
        include_subaccounts=form.cleaned_data["include_subaccounts"],
        page=page_number,
        per_page=PAGE_SIZE,
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


def _chart_texts(bars):
    """The texts of the cost-per-account chart, made once for both of its drawings."""
    for bar in bars:
        bar["cost_text"] = usd(bar["cost"])
        bar["title"] = (
            f"{bar['label']}{f' ({bar["sid"]})' if bar['sid'] else ''}: {bar['cost_text']}"
        )
    return "; ".join(f"{bar['label']}: {bar['cost_text']}" for bar in bars) + "."


def _chart_geometry(bars, *, narrow=False):
    """Where each bar goes in the SVG: one row per account, widths relative to the largest."""
    desc = _chart_texts(bars)
    bars = [dict(bar) for bar in bars]
    if narrow:
        for index, bar in enumerate(bars):
            top = CHART_PADDING + index * NARROW_ROW
            bar["width"] = round(max(bar["share"] * NARROW_WIDTH, 1 if bar["cost"] else 0), 1)
            bar.update(x=0, y=top + 18, text_y=top + 13, label_x=0, value_x=NARROW_WIDTH)
        return {
            "bars": bars,
            "width": NARROW_WIDTH,
            "height": CHART_PADDING * 2 + len(bars) * NARROW_ROW - 10,
            "bar_height": 12,
            "label_anchor": "start",
            "value_anchor": "end",
            "label_chars": 34,
            "desc": desc,
            "id": "chart-narrow",
            "css": "chart-narrow",
        }
    for index, bar in enumerate(bars):
        bar["y"] = CHART_PADDING + index * CHART_ROW + 4
        bar["text_y"] = bar["y"] + CHART_ROW / 2
        bar["x"] = CHART_LABEL_WIDTH
        bar["width"] = round(max(bar["share"] * CHART_BAR_WIDTH, 1 if bar["cost"] else 0), 1)
        bar["label_x"] = CHART_LABEL_WIDTH - 8
        bar["value_x"] = CHART_LABEL_WIDTH + bar["width"] + 6
    return {
        "bars": bars,
        "width": CHART_LABEL_WIDTH + CHART_BAR_WIDTH + CHART_VALUE_WIDTH,
        "height": CHART_PADDING * 2 + len(bars) * CHART_ROW,
        "bar_height": CHART_ROW - 8,
        "label_anchor": "end",
        "value_anchor": "start",
        "label_chars": 32,
        "desc": desc,
        "id": "chart",
        "css": "chart-wide",
    }


# The cost-over-time chart (SVG user units).
DAILY_WIDTH = 720
DAILY_HEIGHT = 170
DAILY_LEFT = 64
DAILY_BOTTOM = 24
DAILY_TOP = 10
DAILY_MONTHS_AFTER = 120  # longer ranges are drawn one bar a month


# Narrow (phones): about its drawn size, with three dates under the bars.
DAILY_NARROW_WIDTH = 340
DAILY_NARROW_HEIGHT = 150
DAILY_NARROW_LEFT = 52


def _daily_geometry(days, *, narrow=False):
    """Bars of the cost of each day (each month, for ranges over 120 days), scaled to the
    largest, with a few dates under them."""
    width, chart_height, left = DAILY_WIDTH, DAILY_HEIGHT, DAILY_LEFT
    if narrow:
        width, chart_height, left = DAILY_NARROW_WIDTH, DAILY_NARROW_HEIGHT, DAILY_NARROW_LEFT
    if len(days) > DAILY_MONTHS_AFTER:
        months = {}
        for day in days:
            key = day["day"].replace(day=1)
            months.setdefault(key, {"day": key, "cost": 0, "month": True})
            months[key]["cost"] += day["cost"]
        days = list(months.values())
    largest = max((day["cost"] for day in days), default=0)
    plot_width = width - left - 4
    plot_height = chart_height - DAILY_TOP - DAILY_BOTTOM
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
                "x": round(left + index * step + gap / 2, 1),
                "width": round(max(step - gap, 0.8), 1),
                "y": round(DAILY_TOP + plot_height - height, 1),
                "height": height,
            }
        )
    monthly = bool(bars) and bool(bars[0].get("month"))
    for bar in bars:
        bar["title"] = (
            f"{dateformat.format(bar['day'], 'F Y' if monthly else 'D, M j, Y')}: "
            + usd(bar["cost"])
        )
    desc = (
        "".join(
            f"{dateformat.format(bar['day'], 'M Y' if monthly else 'M j')}: {usd(bar['cost'])}; "
            for bar in bars
            if bar["cost"]
        )
        + f"other {'months' if monthly else 'days'}: $0.00."
    )
    label_every = max(1, round(len(bars) / (3 if narrow else 6)))
    labels = [
        {
            "x": round(bar["x"] + bar["width"] / 2, 1),
            "text": dateformat.format(bar["day"], "M Y" if monthly else "M j"),
        }
        for index, bar in enumerate(bars)
        if index % label_every == 0
    ]
    return {
        "bars": bars,
        "labels": labels,
        "largest": largest,
        "width": width,
        "height": chart_height,
        "left": left,
        "top": DAILY_TOP,
        "baseline": DAILY_TOP + plot_height,
        "label_y": chart_height - 6,
        "id": "daily-narrow" if narrow else "daily",
        "css": "daily-narrow" if narrow else "daily-wide",
        "monthly": monthly,
        "desc": desc,
    }
