"""The Usage page: a date range, rows per account and category, totals, the chart, the CSV."""

import csv
import io
import re
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from accounts import roles
from accounts.errors import DATE_INVALID, RANGE_REVERSED
from accounts.models import (
    Account,
    LedgerEntry,
    UsageDay,
    UsageRecord,
)
from accounts.services import accounts as account_services
from accounts.services import deletion as deletion_services
from accounts.services import ledger as ledger_services
from accounts.services import numbers as number_services
from accounts.services import transfers as transfer_services
from accounts.services import usage as usage_services
from accounts.services.events import Actor
from tests.factories import AvailablePhoneNumberFactory, SubaccountFactory
from tests.support import HTMX
from tests.usage_rollup import months_rebuild
from tests.usage_time import charging_on

NOV = {"start": "2026-11-01", "end": "2026-11-30"}


def usage_url(account):
    return reverse("console:usage", args=[account.sid])


def record(account, category, quantity, price, start=date(2026, 11, 1), end=date(2026, 11, 30)):
    # Usage counts on the day it is charged: charge it on its first day.
    with charging_on(start):
        return usage_services.usage_record(
            account=account,
            category=category,
            quantity=quantity,
            price=price,
            start_date=start,
            end_date=end,
            actor=Actor.system(),
        )


@pytest.fixture
def family(account, make_subaccount):
    ledger_services.funds_add(account=account, amount="500", actor=Actor.system(), reason="test")
    alpha = make_subaccount(account, "Alpha")
    beta = make_subaccount(account, "Beta")
    record(account, "calls", 35, "4.20")
    record(alpha, "sms", 100, "0.79")
    record(alpha, "sms", 20, "0.16", start=date(2026, 11, 10), end=date(2026, 11, 10))
    record(alpha, "calls", 10, "1.30")
    record(beta, "mms", 5, "0.10")
    # Charged outside November: before, and after.
    record(beta, "sms", 999, "99", start=date(2026, 10, 1), end=date(2026, 10, 31))
    record(beta, "sms", 999, "99", start=date(2026, 12, 15), end=date(2027, 1, 15))
    return account, alpha, beta


@pytest.mark.django_db
def test_rows_per_account_and_category_with_subtotals_and_a_total(owner_client, family):
    account, alpha, beta = family
    response = owner_client.get(usage_url(account), NOV)
    html = response.content.decode()
    report = response.context["report"]
    assert response.status_code == 200
    figures = {
        (group.sid, row["category"]): (row["quantity"], row["cost"])
        for group in report.groups
        for row in group.rows
    }
    assert figures == {
        (account.sid, "calls"): (Decimal("35"), Decimal("4.20")),
        (alpha.sid, "calls"): (Decimal("10"), Decimal("1.30")),
        (alpha.sid, "sms"): (Decimal("120"), Decimal("0.95")),
        (beta.sid, "mms"): (Decimal("5"), Decimal("0.10")),
    }
    assert [group.sid for group in report.groups] == [account.sid, alpha.sid, beta.sid]
    assert [group.subtotal for group in report.groups] == [
        Decimal("4.20"),
        Decimal("2.25"),
        Decimal("0.10"),
    ]
    assert report.total == Decimal("6.55")
    assert 'id="usage-total">$6.55' in html
    assert 'Subtotal · Alpha</th><td class="num">$2.25' in html
    grand_total = '<th scope="row" colspan="3">Total</th><td class="num">$6.55'
    assert f'<tr class="grand-total">{grand_total}' in html
    assert "Main account" in html and alpha.sid in html and "SMS" in html and ">120<" in html
    assert "$99" not in html  # out of range


@pytest.mark.django_db
def test_the_totals_equal_the_ledgers_usage_for_the_same_range(owner_client, family):
    account, *_ = family
    for start, end in (("2026-11-01", "2026-11-30"), ("2026-10-01", "2026-12-31")):
        report = owner_client.get(usage_url(account), {"start": start, "end": end}).context[
            "report"
        ]
        charged = LedgerEntry.objects.filter(
            paying_account=account,
            kind=LedgerEntry.Kind.USAGE,
            date_created__date__gte=start,
            date_created__date__lte=end,
        ).aggregate(total=Sum("amount"))["total"]
        assert report.total == -charged


@pytest.mark.django_db
def test_the_default_range_is_this_month_so_far(owner_client, account):
    today = timezone.localdate()
    record(account, "sms", 1, "0", start=today, end=today)
    response = owner_client.get(usage_url(account))
    html = response.content.decode()
    assert f'value="{today.replace(day=1).isoformat()}"' in html
    assert f'value="{today.isoformat()}"' in html
    assert len(response.context["report"].groups) == 1


@pytest.mark.django_db
def test_any_range_works_not_only_one_month(owner_client, family):
    account, *_ = family
    response = owner_client.get(usage_url(account), {"start": "2026-01-01", "end": "2026-12-31"})
    assert response.context["report"].total == Decimal("6.55") + 2 * Decimal("99")


@pytest.mark.django_db
def test_the_csv_has_the_same_figures_as_the_page(owner_client, family):
    account, alpha, _beta = family
    page = owner_client.get(usage_url(account), NOV)
    assert "start=2026-11-01&amp;end=2026-11-30&amp;format=csv" in page.content.decode()
    response = owner_client.get(usage_url(account), {**NOV, "format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == (
        f'attachment; filename="usage-{account.sid}-2026-11-01-2026-11-30.csv"'
    )
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert list(rows[0]) == ["account_sid", "friendly_name", "category", "quantity", "price"]
    from_csv = {
        (row["account_sid"], row["category"]): (Decimal(row["quantity"]), Decimal(row["price"]))
        for row in rows
    }
    report = page.context["report"]
    from_page = {
        (group.sid, row["category"]): (row["quantity"], row["cost"])
        for group in report.groups
        for row in group.rows
    }
    assert from_csv == from_page
    assert sum(Decimal(row["price"]) for row in rows) == report.total
    assert {row["friendly_name"] for row in rows if row["account_sid"] == alpha.sid} == {"Alpha"}


@pytest.mark.django_db
@pytest.mark.parametrize("name", ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)"])
def test_usage_csv_does_not_export_a_subaccount_name_as_a_formula(
    owner_client, funded, make_subaccount, name
):
    sub = make_subaccount(funded)
    account_services.account_rename(
        account=sub, friendly_name=name, actor=Actor.system()
    )  # e.g. with its own API credentials
    record(sub, "calls", 1, "1", start=date(2026, 11, 1), end=date(2026, 11, 1))

    response = owner_client.get(usage_url(funded), {**NOV, "format": "csv"})

    rows = list(csv.reader(io.StringIO(response.content.decode())))
    (row,) = [r for r in rows if r[0] == sub.sid]
    assert row[1] == "'" + name
    assert row[3:] == ["1.0000", "1.0000"]


@pytest.mark.django_db
def test_usage_csv_keeps_ordinary_names_as_they_are(owner_client, funded, make_subaccount):
    sub = make_subaccount(funded, friendly_name="Customer 42")
    record(sub, "calls", 1, "1", start=date(2026, 11, 1), end=date(2026, 11, 1))

    response = owner_client.get(usage_url(funded), {**NOV, "format": "csv"})

    assert f"{sub.sid},Customer 42,calls,1.0000,1.0000" in response.content.decode()


@pytest.mark.django_db
def test_the_chart_is_inline_svg_with_a_title(owner_client, family):
    account, *_ = family
    html = owner_client.get(usage_url(account), NOV).content.decode()
    svg = html[html.index("<svg") : html.index("</svg>")]
    assert 'role="img"' in svg and '<title id="chart-title">Cost per account' in svg
    assert svg.count("<rect") == 3
    assert "<title>Alpha (" in svg and "$2.25" in svg
    assert "<script" not in html.split("</head>")[1]  # no charting library


@pytest.mark.django_db
def test_the_chart_shows_the_top_20_and_the_others_together(owner_client, account):
    subs = SubaccountFactory.bulk(account, 25, name="Sub {n:02d}")
    ledger_services.funds_add(account=account, amount="1000", actor=Actor.system(), reason="test")
    for number, sub in enumerate(subs):
        record(sub, "sms", 1, Decimal(number + 1))
    response = owner_client.get(usage_url(account), NOV)
    chart = response.context["chart"]["bars"]
    assert len(chart) == 21
    assert chart[0]["label"] == "Sub 24" and chart[0]["cost"] == Decimal("25")
    assert chart[-1]["label"] == "5 other accounts" and chart[-1]["cost"] == Decimal("15")
    assert chart[0]["width"] == 380
    assert "5 other accounts" in response.content.decode()


@pytest.mark.django_db
def test_no_usage_in_the_range(owner_client, account):
    html = owner_client.get(usage_url(account), NOV).content.decode()
    assert "No usage between Nov 1, 2026 and Nov 30, 2026." in html
    assert "<svg" not in html


@pytest.mark.django_db
def test_htmx_returns_the_report_partial(owner_client, family):
    account, *_ = family
    response = owner_client.get(usage_url(account), NOV, headers=HTMX)
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="usage-report"')
    assert "<html" not in html and "$6.55" in html
    assert "HX-Request" in response["Vary"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"start": "2026-11-30", "end": "2026-11-01"}, RANGE_REVERSED),
        ({"start": "2026-13-45", "end": "2026-11-30"}, DATE_INVALID),
        ({"start": "", "end": "2026-11-30"}, "Enter a start date."),
        ({"start": "2026-11-01"}, "Enter an end date."),
    ],
)
def test_invalid_ranges_are_explained_in_place_keeping_the_input(
    owner_client, family, query, message
):
    account, *_ = family
    response = owner_client.get(usage_url(account), query, headers=HTMX)
    html = response.content.decode()
    assert response.status_code == 422
    assert message in html and "field-invalid" in html
    for value in query.values():
        if value:
            assert f'value="{value}"' in html
    assert "usage-table" not in html
    # The CSV of an invalid range is the page with the error, not a file.
    as_csv = owner_client.get(usage_url(account), {**query, "format": "csv"})
    assert as_csv.status_code == 422 and as_csv["Content-Type"].startswith("text/html")


@pytest.mark.django_db
def test_a_subaccount_has_no_usage_page(owner_client, family):
    _account, alpha, _beta = family
    assert owner_client.get(usage_url(alpha)).status_code == 404


@pytest.mark.django_db
def test_access(client, make_user, family, make_member):
    account, alpha, _beta = family
    client.force_login(make_user())
    assert client.get(usage_url(account)).status_code == 404
    assert client.get(usage_url(account), {**NOV, "format": "csv"}).status_code == 404
    # Every role holds usage:read, Support included.
    supporter = make_member(account, roles.SUPPORT)
    client.force_login(supporter)
    assert client.get(usage_url(account), NOV).status_code == 200
    # A subaccount's user cannot read the family's usage through the parent.
    sub_user = make_member(alpha, roles.ADMINISTRATOR)
    client.force_login(sub_user)
    assert client.get(usage_url(account), NOV).status_code == 404


def bulk_usage(account, subaccounts, day):
    """A usage record (its ledger entry, its roll-up) per subaccount, straight into the
    tables."""
    charged_at = timezone.make_aware(datetime.combine(day, time(12)), UTC)
    entries = LedgerEntry.objects.bulk_create(
        LedgerEntry(
            paying_account=account,
            account=sub,
            amount=Decimal("-0.25"),
            balance_after=Decimal("1000") - Decimal("0.25") * (number + 1),
            kind=LedgerEntry.Kind.USAGE,
            description="SMS: 10",
            date_created=charged_at,
        )
        for number, sub in enumerate(subaccounts)
    )
    UsageDay.objects.bulk_create(
        UsageDay(
            account=sub,
            main_account=account,
            family=False,
            category="sms",
            day=day,
            count=10,
            usage=10,
            price=Decimal("0.25"),
        )
        for sub in subaccounts
    )
    UsageDay.objects.create(
        account=account,
        main_account=account,
        family=True,
        category="sms",
        day=day,
        count=10 * len(subaccounts),
        usage=10 * len(subaccounts),
        price=Decimal("0.25") * len(subaccounts),
    )
    UsageRecord.objects.bulk_create(
        UsageRecord(
            account=sub,
            category="sms",
            quantity=10,
            price=Decimal("0.25"),
            start_date=day,
            end_date=day,
            ledger_entry=entry,
        )
        for sub, entry in zip(subaccounts, entries, strict=True)
    )
    months_rebuild(account)


@pytest.mark.django_db
def test_queries_stay_flat_with_1000_subaccounts(
    owner_client, account, django_assert_max_num_queries
):
    ledger_services.funds_add(account=account, amount="1000", actor=Actor.system(), reason="test")
    record(account, "calls", 1, "1")  # through the service, like the real thing
    SubaccountFactory.bulk(account, 1000)
    subaccounts = list(Account.objects.filter(parent=account).order_by("pk"))
    bulk_usage(account, subaccounts, date(2026, 11, 5))
    # The page's accounts are ranked, sliced and counted in one query, their rows in another;
    # one more reads the family's version (the report is remembered by it).
    with django_assert_max_num_queries(12):
        response = owner_client.get(usage_url(account), NOV)
    assert response.context["report"].total == Decimal("251")
    # All 1,001 accounts are in the total and the CSV; the table shows them 50 a page.
    assert len(re.findall(r'<tbody class="usage-group"', response.content.decode())) == 50
    assert response.context["report"].account_count == 1001
    assert "1,001 accounts with usage" in response.content.decode()
    with django_assert_max_num_queries(10):
        csv_response = owner_client.get(usage_url(account), {**NOV, "format": "csv"})
    assert len(csv_response.content.decode().strip().splitlines()) == 1 + 1001
    with django_assert_max_num_queries(12):
        owner_client.get(usage_url(account), NOV, headers=HTMX)


@pytest.mark.django_db
def test_the_presets_link_to_this_and_last_month(owner_client, account):
    today = timezone.localdate()
    last_month_end = today.replace(day=1) - timedelta(days=1)
    html = owner_client.get(usage_url(account)).content.decode()
    assert f"?start={last_month_end.replace(day=1).isoformat()}&amp;end={last_month_end}" in html


@pytest.mark.django_db
def test_every_usage_charge_in_the_ledger_is_on_the_page(owner_client, family):
    """Phone numbers' first months too: over a range covering everything, the page's total is
    the sum of every usage entry in the ledger, joined to nothing."""
    account, alpha, _beta = family
    Account.objects.filter(pk__in=[account.pk, alpha.pk]).update(type="Full")
    AvailablePhoneNumberFactory(phone_number="+14155550100")
    number_services.number_buy(account=alpha, phone_number="+14155550100", actor=Actor.system())
    wide = {"start": "2000-01-01", "end": "2100-12-31"}
    report = owner_client.get(usage_url(account), wide).context["report"]
    charged = LedgerEntry.objects.filter(
        paying_account=account, kind=LedgerEntry.Kind.USAGE
    ).aggregate(total=Sum("amount"))["total"]
    assert report.total == -charged
    assert "Phone numbers" in owner_client.get(usage_url(account), wide).content.decode()


@pytest.mark.django_db
def test_the_table_pages_through_accounts_while_the_total_covers_them_all(owner_client, account):
    ledger_services.funds_add(account=account, amount="1000", actor=Actor.system(), reason="test")
    SubaccountFactory.bulk(account, 60, name="Sub {n:03d}")
    for sub in account.subaccounts.all():
        record(sub, "sms", 1, "1")
    first = owner_client.get(usage_url(account), NOV)
    assert first.content.decode().count('class="usage-group"') == 50
    assert first.context["report"].total == Decimal("60")
    second = owner_client.get(usage_url(account), {**NOV, "page": 2}).content.decode()
    assert second.count('class="usage-group"') == 10
    assert "page=2" in first.content.decode() and "start=2026-11-01" in first.content.decode()


@pytest.mark.django_db
def test_every_page_of_accounts_adds_up_to_the_records_in_the_page_order(
    owner_client, account, make_subaccount
):
    ledger_services.funds_add(account=account, amount="1000", actor=Actor.system(), reason="t")
    subaccounts = [make_subaccount(account, f"Customer {n:02d}") for n in range(55)]
    # Costs that tie (to be ordered by name) and that differ; two categories for some.
    for n, sub in enumerate(subaccounts):
        record(sub, "sms", 1, f"{0.10 + (n % 7) * 0.01:.2f}")
        if n % 5 == 0:
            record(sub, "calls", 2, "0.50")
    record(account, "calls", 3, "0.16")
    records = UsageRecord.objects.filter(date_created__isnull=False)
    costs = {}
    for usage in records.select_related("account"):
        costs[usage.account.sid] = costs.get(usage.account.sid, Decimal("0")) + usage.price
    names = {sub.sid: sub.friendly_name for sub in [account, *subaccounts]}
    expected = sorted(costs, key=lambda sid: (-costs[sid], sid != account.sid, names[sid].lower()))

    first = owner_client.get(usage_url(account), NOV)
    second = owner_client.get(usage_url(account), {**NOV, "page": 2})
    shown = [group for response in (first, second) for group in response.context["report"].groups]
    assert [group.sid for group in shown] == expected
    assert {group.sid: group.subtotal for group in shown} == costs
    for response in (first, second):
        report = response.context["report"]
        assert report.account_count == 56
        assert report.total == sum(costs.values())
    assert len(first.context["report"].groups) == 50 and len(second.context["report"].groups) == 6
    assert "Page 2 of 2 · 56 accounts" in second.content.decode()
    # Past the last page: the last page.
    assert [
        g.sid
        for g in owner_client.get(usage_url(account), {**NOV, "page": 9}).context["report"].groups
    ] == expected[50:]
    # The chart: the 20 most expensive, then the other 36 together, on every page.
    for response in (first, second):
        chart = response.context["report"].chart
        assert [bar["sid"] for bar in chart[:20]] == expected[:20]
        assert chart[20]["label"] == "36 other accounts"
        assert chart[20]["cost"] == sum(costs[sid] for sid in expected[20:])


@pytest.mark.django_db
def test_both_drawings_of_the_charts_stand_their_bars_on_the_axis(owner_client, family):
    """The page draws each chart twice, wide and narrow (phones): in both, every day's bar
    stands on the baseline inside the drawing, the dates are under it, and each account's bar
    fits the drawing."""
    account, _alpha, _beta = family
    context = owner_client.get(usage_url(account), NOV).context
    for daily in (context["daily"], context["daily_narrow"]):
        assert len(daily["bars"]) == 30
        for bar in daily["bars"]:
            assert daily["top"] <= bar["y"] and bar["y"] + bar["height"] == daily["baseline"]
            assert bar["x"] + bar["width"] <= daily["width"]
        assert daily["baseline"] < daily["label_y"] <= daily["height"]
    assert context["daily_narrow"]["width"] < context["daily"]["width"]
    for chart in (context["chart"], context["chart_narrow"]):
        for bar in chart["bars"]:
            assert bar["x"] + bar["width"] <= chart["width"]
            assert bar["y"] + chart["bar_height"] <= chart["height"]
    html = owner_client.get(usage_url(account), NOV).content.decode()
    assert html.count('<svg viewBox="0 0 ') == 4
    assert 'class="bar-chart chart-narrow"' in html and 'class="daily-narrow"' in html


@pytest.mark.django_db
def test_a_whole_month_reads_its_rollup_and_shows_what_the_days_show(owner_client, account):
    """A whole month is ranked from its monthly roll-up, any other range from the daily
    rows: the same usage gives the same page either way, with the page's order (the most
    expensive first, the main account first among equals, then by name whatever its case; a
    renamed subaccount under its new name; a deleted one under its SID and name)."""
    ledger_services.funds_add(account=account, amount="500", actor=Actor.system(), reason="test")
    subs = [
        account_services.subaccount_create(parent=account, friendly_name=name, actor=Actor.system())
        for name in ["bravo", "Alpha", "Charlie", "Gone", "Delta"]
    ]
    bravo, alpha, charlie, gone, delta = subs
    for sub in (account, bravo, alpha, charlie):
        record(sub, "sms", 10, "2")  # four accounts tied at $2
    record(delta, "calls", 10, "3")
    record(gone, "mms", 1, "2", start=date(2026, 11, 20), end=date(2026, 11, 20))
    account_services.account_rename(account=charlie, friendly_name="aardvark", actor=Actor.system())
    transfer_services.account_close(account=gone, actor=Actor.system())
    gone.refresh_from_db()
    deletion_services.subaccount_delete(subaccount=gone, actor=Actor.system())

    def page(query):
        report = owner_client.get(usage_url(account), query).context["report"]
        return (
            [(g.sid, g.friendly_name, g.subtotal, len(g.rows)) for g in report.groups],
            report.account_count,
            report.total,
            [(bar["label"], bar["cost"]) for bar in report.chart],
        )

    month = page(NOV)  # the monthly roll-up
    days = page({"start": "2026-10-31", "end": "2026-11-30"})  # the daily rows
    assert month == days
    groups, count, total, _chart = month
    assert [name for _sid, name, _subtotal, _rows in groups] == [
        "Delta",
        "Acme",
        "aardvark",
        "Alpha",
        "bravo",
        "Gone (deleted)",
    ]
    assert (count, total) == (6, Decimal("13"))
    assert groups[-1][0] == gone.sid


@pytest.mark.django_db
def test_this_month_so_far_leaves_out_what_was_charged_after_its_end(owner_client, family):
    """A range from the 1st to a day before the month's last is not the whole month when
    usage was charged after it: that usage stays out."""
    account, alpha, _beta = family
    record(alpha, "sms", 1, "7", start=date(2026, 11, 25), end=date(2026, 11, 25))
    report = owner_client.get(
        usage_url(account), {"start": "2026-11-01", "end": "2026-11-24"}
    ).context["report"]
    assert report.total == Decimal("6.55")
    whole = owner_client.get(usage_url(account), NOV).context["report"]
    assert whole.total == Decimal("13.55")
