"""The Usage Records API: records and their period lists, roll-ups, dates, subaccounts."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts import errors
from accounts.models import Account, AvailablePhoneNumber, UsageDay
from accounts.services import ledger, numbers
from accounts.services.events import Actor
from accounts.services.usage import roll_up_add, usage_record

from .support import assert_twilio_error, query_of

pytestmark = pytest.mark.django_db


def records_path(sid, period=""):
    suffix = f"/{period}" if period else ""
    return f"/2010-04-01/Accounts/{sid}/Usage/Records{suffix}.json"


def today():
    return timezone.now().astimezone(datetime.UTC).date()


def fund(account, amount="100"):
    ledger.funds_add(account=account, amount=amount, actor=Actor.system(), reason="Test funds")


def use(account, category, quantity, price, count=None):
    return usage_record(
        account=account,
        category=category,
        quantity=quantity,
        count=count,
        price=price,
        start_date=today(),
        end_date=today(),
        actor=Actor.system(),
    )


def by_category(body):
    return {record["category"]: record for record in body["usage_records"]}


@pytest.fixture
def family(main_account, subaccount, sibling):
    fund(main_account)
    use(main_account, "calls-outbound", 10, "1.50", count=3)
    use(subaccount, "calls-inbound", 4, "0.40", count=2)
    use(subaccount, "sms-outbound", 7, "0.70")
    use(sibling, "sms-outbound", 5, "0.50")
    return main_account, subaccount, sibling


def test_records_cover_the_family_with_roll_ups(api, family):
    main, _, _ = family
    body = api.get(records_path(main.sid), as_=main).json()
    records = by_category(body)
    assert set(records) == {
        "calls",
        "calls-inbound",
        "calls-outbound",
        "sms",
        "sms-outbound",
        "totalprice",
    }
    assert records["calls"]["usage"] == "14"
    assert records["calls"]["count"] == "5"
    assert records["calls"]["count_unit"] == "calls"
    assert records["calls"]["usage_unit"] == "minutes"
    assert records["calls"]["price"] == pytest.approx(1.90)
    assert records["sms"]["usage"] == "12"
    assert records["sms"]["usage_unit"] == "messages"
    assert records["totalprice"]["price"] == pytest.approx(3.10)
    assert records["totalprice"]["usage_unit"] == "usd"
    assert records["totalprice"]["price_unit"] == "usd"
    assert records["totalprice"]["account_sid"] == main.sid
    assert records["sms"]["subresource_uris"]["daily"] == (
        f"/2010-04-01/Accounts/{main.sid}/Usage/Records/Daily.json?Category=sms"
    )
    assert records["sms"]["start_date"] == main.date_created.date().isoformat()
    assert records["sms"]["end_date"] == today().isoformat()


def test_include_subaccounts_false_is_the_main_accounts_own(api, family):
    main, _, _ = family
    records = by_category(
        api.get(records_path(main.sid), {"IncludeSubaccounts": "false"}, as_=main).json()
    )
    assert set(records) == {"calls", "calls-outbound", "totalprice"}
    assert records["totalprice"]["price"] == pytest.approx(1.50)


def test_a_category_filter_answers_its_record_even_at_zero(api, family):
    main, _, _ = family
    body = api.get(records_path(main.sid), {"Category": "recordings"}, as_=main).json()
    assert [(r["category"], r["usage"], r["price"]) for r in body["usage_records"]] == [
        ("recordings", "0", 0.0)
    ]
    body = api.get(records_path(main.sid), {"Category": "phonenumbers"}, as_=main).json()
    assert body["usage_records"][0]["count_unit"] == "numbers"


def test_main_credentials_reach_a_subaccounts_usage_through_its_sid(api, family):
    main, subaccount, _ = family
    records = by_category(api.get(records_path(subaccount.sid), as_=main).json())
    assert records["totalprice"]["price"] == pytest.approx(1.10)
    assert records["totalprice"]["account_sid"] == subaccount.sid
    assert "calls-outbound" not in records


def test_a_subaccount_sees_its_own_usage_only(api, family):
    main, subaccount, sibling = family
    records = by_category(api.get(records_path(subaccount.sid), as_=subaccount).json())
    assert records["totalprice"]["price"] == pytest.approx(1.10)
    for other in (main, sibling):
        response = api.get(records_path(other.sid), as_=subaccount)
        assert_twilio_error(response, code=20404, status=404)
        response = api.get(records_path(other.sid, "Daily"), as_=subaccount)
        assert_twilio_error(response, code=20404, status=404)


def test_another_account_is_not_found(api, family, other_account):
    main, _, _ = family
    response = api.get(records_path(main.sid, "ThisMonth"), as_=other_account)
    assert_twilio_error(response, code=20404, status=404)


def test_this_month_equals_the_ledgers_usage_charges(api, family):
    main, subaccount, _ = family
    # A phone number bought today is usage this month, as the ledger says.
    AvailablePhoneNumber.objects.create(
        phone_number="+14155550100",
        friendly_name="(415) 555-0100",
        region="CA",
        monthly_price=Decimal("1.15"),
    )
    numbers.number_buy(account=subaccount, phone_number="+14155550100", actor=Actor.system())
    charged = -sum(
        entry.amount
        for entry in main.ledger_entries.filter(
            kind="usage", date_created__gte=timezone.now().replace(day=1, hour=0, minute=0)
        )
    )
    records = by_category(api.get(records_path(main.sid, "ThisMonth"), as_=main).json())
    assert Decimal(str(records["totalprice"]["price"])) == charged == Decimal("4.25")
    assert records["phonenumbers"]["count"] == "1"
    assert records["totalprice"]["start_date"] == today().replace(day=1).isoformat()


def test_daily_lists_each_day_of_the_range(api, main_account):
    fund(main_account)
    Account.objects.filter(pk=main_account.pk).update(
        date_created=timezone.now() - datetime.timedelta(days=40)
    )
    main_account.refresh_from_db()
    for days_ago, price in [(3, "1.00"), (1, "2.00")]:
        roll_up_add(
            account=main_account,
            category="sms-outbound",
            day=today() - datetime.timedelta(days=days_ago),
            count=1,
            usage=1,
            price=Decimal(price),
        )
    body = api.get(
        records_path(main_account.sid, "Daily"),
        {"Category": "sms", "StartDate": "-3days", "EndDate": today().isoformat()},
        as_=main_account,
    ).json()
    assert [(r["start_date"], r["end_date"], r["price"]) for r in body["usage_records"]] == [
        ((today() - datetime.timedelta(days=n)).isoformat(),) * 2 + (price,)
        for n, price in [(3, 1.0), (2, 0.0), (1, 2.0), (0, 0.0)]
    ]
    assert body["usage_records"][0]["uri"].startswith(
        f"/2010-04-01/Accounts/{main_account.sid}/Usage/Records/Daily.json?Category=sms&"
    )


def test_monthly_and_yearly_group_days(api, main_account):
    fund(main_account)
    Account.objects.filter(pk=main_account.pk).update(
        date_created=timezone.now() - datetime.timedelta(days=800)
    )
    main_account.refresh_from_db()
    first_of_month = today().replace(day=1)
    previous_month = (first_of_month - datetime.timedelta(days=1)).replace(day=1)
    for day in [previous_month, previous_month + datetime.timedelta(days=1), first_of_month]:
        roll_up_add(
            account=main_account, category="mms", day=day, count=1, usage=1, price=Decimal("1")
        )
    body = api.get(
        records_path(main_account.sid, "Monthly"),
        {"Category": "mms", "StartDate": previous_month.isoformat()},
        as_=main_account,
    ).json()
    assert [(r["start_date"], r["usage"]) for r in body["usage_records"]] == [
        (previous_month.isoformat(), "2"),
        (first_of_month.isoformat(), "1"),
    ]
    body = api.get(
        records_path(main_account.sid, "Yearly"),
        {"Category": "mms", "StartDate": previous_month.isoformat()},
        as_=main_account,
    ).json()
    assert sum(int(r["usage"]) for r in body["usage_records"]) == 3


@pytest.mark.parametrize(
    "period",
    ["AllTime", "Today", "Yesterday", "ThisMonth", "LastMonth", "Daily", "Monthly", "Yearly"],
)
def test_every_period_list_answers_as_the_description_says(api, family, period):
    main, _, _ = family
    response = api.get(records_path(main.sid, period), as_=main)
    assert response.status_code == 200
    assert "usage_records" in response.json()


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (
            {"StartDate": "2026-13-01"},
            errors.API_USAGE_DATE_INVALID.format(name="StartDate", value="2026-13-01"),
        ),
        (
            {"StartDate": "yesterday"},
            errors.API_USAGE_DATE_INVALID.format(name="StartDate", value="yesterday"),
        ),
        (
            {"EndDate": "-3weeks"},
            errors.API_USAGE_DATE_INVALID.format(name="EndDate", value="-3weeks"),
        ),
        (
            {"StartDate": "2026-02-10", "EndDate": "2026-02-01"},
            errors.API_USAGE_RANGE_REVERSED.format(start="2026-02-10", end="2026-02-01"),
        ),
        ({"Category": "pizza"}, errors.API_USAGE_CATEGORY_UNKNOWN.format(value="pizza")),
        (
            {"IncludeSubaccounts": "maybe"},
            errors.API_BOOLEAN_INVALID.format(name="IncludeSubaccounts", value="maybe"),
        ),
    ],
)
def test_bad_parameters_get_twilios_error_body(api, main_account, params, message):
    for period in ("", "Daily"):
        response = api.get(records_path(main_account.sid, period), params, as_=main_account)
        assert_twilio_error(response, code=20001, status=400, message=message)


def test_offsets_count_from_today(api, main_account):
    body = api.get(
        records_path(main_account.sid),
        {"Category": "totalprice", "StartDate": "-30days", "EndDate": "+1day"},
        as_=main_account,
    ).json()
    record = body["usage_records"][0]
    assert record["start_date"] == (today() - datetime.timedelta(days=30)).isoformat()
    assert record["end_date"] == (today() + datetime.timedelta(days=1)).isoformat()


def test_pages_follow_next_page_uri(api, family):
    main, _, _ = family
    first = api.get(records_path(main.sid), {"PageSize": 2}, as_=main).json()
    assert len(first["usage_records"]) == 2
    seen = [r["category"] for r in first["usage_records"]]
    uri = first["next_page_uri"]
    while uri:
        page = api.get(uri.split("?")[0], query_of(uri), as_=main).json()
        seen += [r["category"] for r in page["usage_records"]]
        uri = page["next_page_uri"]
    assert len(seen) == 6 == len(set(seen))
    assert_twilio_error(
        api.get(records_path(main.sid), {"Page": 2}, as_=main), code=21481, status=400
    )


def _family_with_history(make_account, make_subaccount, subaccounts, days=40):
    """A family whose main account and subaccounts have daily usage in 10 categories."""
    main = make_account(friendly_name=f"Family of {subaccounts}")
    Account.objects.filter(pk=main.pk).update(
        date_created=timezone.now() - datetime.timedelta(days=days + 5)
    )
    main.refresh_from_db()
    members = [main] + [
        Account.objects.create(friendly_name=f"C{n}", parent=main, owner=main.owner)
        for n in range(subaccounts)
    ]
    categories = [
        "calls-inbound",
        "calls-outbound",
        "sms-inbound",
        "sms-outbound",
        "mms",
        "phonenumbers-local",
        "phonenumbers-tollfree",
        "recordings",
        "calls",
        "sms",
    ]
    rows = []
    for back in range(days):
        day = today() - datetime.timedelta(days=back)
        for category in categories:
            for member in members:
                rows.append(
                    UsageDay(
                        account=member,
                        main_account=main,
                        family=False,
                        category=category,
                        day=day,
                        count=1,
                        usage=1,
                        price=1,
                    )
                )
            rows.append(
                UsageDay(
                    account=main,
                    main_account=main,
                    family=True,
                    category=category,
                    day=day,
                    count=len(members),
                    usage=len(members),
                    price=len(members),
                )
            )
    UsageDay.objects.bulk_create(rows, batch_size=2000)
    return main


def _queries(api, main, period, params):
    with CaptureQueriesContext(connection) as queries:
        response = api.get(records_path(main.sid, period), params, as_=main)
    assert response.status_code == 200
    return len(queries), response.json()


def test_daily_and_this_month_cost_the_same_queries_for_any_family(
    api, make_account, make_subaccount
):
    small = _family_with_history(make_account, make_subaccount, 1)
    large = _family_with_history(make_account, make_subaccount, 30)
    for period, params in [
        ("Daily", {"StartDate": "-29days", "PageSize": 1000}),
        ("ThisMonth", {}),
    ]:
        small_count, small_body = _queries(api, small, period, params)
        large_count, large_body = _queries(api, large, period, params)
        assert small_count == large_count <= 3
        assert len(small_body["usage_records"]) == len(large_body["usage_records"])
    _, body = _queries(api, large, "Daily", {"StartDate": "-29days", "Category": "totalprice"})
    assert body["usage_records"][-1]["price"] == 31 * 10
