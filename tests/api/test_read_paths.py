"""The API's fast read paths (issue 15) answer byte for byte what the plain ORM and
email.utils answered: the same JSON for odd data (non-ASCII names, dates stored in other
offsets and across DST, closed accounts, own balances), the same reach for every caller, and
no more queries."""

import datetime
import json
import zoneinfo
from decimal import Decimal
from email.utils import format_datetime
from urllib.parse import parse_qsl, urlencode

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from accounts.api import auth, callers, serializers
from accounts.models import Account, IncomingPhoneNumber
from accounts.selectors import accounts as account_selectors
from accounts.selectors import prepared
from accounts.selectors.prepared import PreparedQuery
from accounts.services import accounts as account_services
from accounts.services import numbers as number_services
from accounts.services.events import Actor

from .support import account_path, assert_not_found, balance_path

SUBRESOURCES = [
    "available_phone_numbers",
    "calls",
    "conferences",
    "incoming_phone_numbers",
    "notifications",
    "outgoing_caller_ids",
    "recordings",
    "transcriptions",
    "addresses",
    "signing_keys",
    "connect_apps",
    "sip",
    "authorized_connect_apps",
    "usage",
    "keys",
    "applications",
    "short_codes",
    "queues",
    "messages",
    "balance",
]


def gmt(moment):
    """RFC 2822 in GMT as the API wrote it before: email.utils on the UTC moment."""
    return format_datetime(moment.astimezone(datetime.UTC))


def expected_account_json(account):
    """An account as the API answered before issue 15's work, from a fresh ORM read."""
    account = Account.objects.select_related("parent").get(pk=account.pk)
    base = f"/2010-04-01/Accounts/{account.sid}"
    names = [name for _, name in serializers.SUBRESOURCES]
    return {
        "sid": account.sid,
        "owner_account_sid": account.parent.sid if account.parent_id else account.sid,
        "friendly_name": account.friendly_name,
        "status": account.status,
        "type": account.type,
        "auth_token": account.auth_token,
        "date_created": gmt(account.date_created),
        "date_updated": gmt(account.date_updated),
        "uri": f"{base}.json",
        "subresource_uris": {
            key: f"{base}/{name}.json" for key, name in zip(SUBRESOURCES, names, strict=True)
        },
    }


def zone(name):
    return zoneinfo.ZoneInfo(name)


ODD_MOMENTS = [
    datetime.datetime(2026, 3, 8, 1, 59, 59, 999999, tzinfo=zone("America/New_York")),
    datetime.datetime(2026, 3, 8, 3, 0, tzinfo=zone("America/New_York")),  # DST begins
    datetime.datetime(2026, 11, 1, 1, 30, tzinfo=zone("America/New_York")),  # ambiguous
    datetime.datetime(2026, 11, 1, 1, 30, fold=1, tzinfo=zone("America/New_York")),
    datetime.datetime(2026, 10, 25, 2, 30, tzinfo=zone("Europe/Berlin")),
    datetime.datetime(2026, 6, 30, 23, 59, 59, tzinfo=zone("Asia/Kolkata")),  # +05:30
    datetime.datetime(2026, 12, 31, 23, 45, tzinfo=zone("Pacific/Chatham")),  # +13:45
    datetime.datetime(2024, 2, 29, 0, 0, tzinfo=zone("Pacific/Honolulu")),  # leap day
    datetime.datetime(2025, 12, 31, 20, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=-4))),
    datetime.datetime(1, 1, 1, 0, 0, tzinfo=datetime.UTC),
    datetime.datetime(999, 7, 4, 12, 0, 1, tzinfo=datetime.UTC),
    datetime.datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=datetime.UTC),
]


@pytest.mark.parametrize("moment", ODD_MOMENTS, ids=str)
def test_dates_read_as_email_utils_writes_them_in_gmt(moment):
    assert serializers.rfc2822(moment) == gmt(moment)


def test_every_day_of_a_leap_year_and_each_weekday_name_in_english():
    start = datetime.datetime(2028, 1, 1, 23, 59, 59, tzinfo=zone("America/Los_Angeles"))
    for day in range(366):
        moment = start + datetime.timedelta(days=day, minutes=7 * day)
        assert serializers.rfc2822(moment) == gmt(moment)


@pytest.fixture
def odd_family(make_account, make_subaccount, owner):
    """A main account and subaccounts with names beyond ASCII, dates stored in other offsets
    and around DST changes, one closed, one with a balance of its own."""
    main = make_account(owner=owner, friendly_name="Ærøskøbing Café ☕")
    plain = make_subaccount(main, friendly_name="Zürich — 東京 \u201cquoted\u201d")
    own = make_subaccount(main, friendly_name="Own balance", own_balance=True)
    closed = make_subaccount(main, friendly_name="Closed one")
    account_services.account_close(account=closed, actor=Actor.system())
    for account, moment in zip([main, plain, own, closed], ODD_MOMENTS, strict=False):
        Account.objects.filter(pk=account.pk).update(date_created=moment, date_updated=moment)
    for account in (main, plain, own, closed):
        account.refresh_from_db()
    return main, plain, own, closed


def test_fetching_odd_accounts_answers_the_same_json_as_before(api, odd_family):
    main, *subaccounts = odd_family
    for account in odd_family:
        response = api.get(account_path(account.sid), as_=main)
        assert response.status_code == 200
        assert response.json() == expected_account_json(account)
        # Byte for byte: the same keys in the same order, non-ASCII escaped as before.
        assert response.content == json.dumps(expected_account_json(account)).encode()
    for account in subaccounts[:2]:  # the closed one cannot call
        response = api.get(account_path(account.sid), as_=account)
        assert response.content == json.dumps(expected_account_json(account)).encode()


def test_the_caller_is_read_with_every_column_as_the_orm_reads_it(api, odd_family, monkeypatch):
    """What a view or service gets as the caller holds every value a full ORM read holds,
    converted alike (SQLite's decimals, booleans and dates included)."""
    main, _, own, _ = odd_family
    Account.objects.filter(pk=own.pk).update(
        balance=Decimal("12.5000"),
        monthly_spend_cap=Decimal("99.9900"),
        require_two_factor=True,
        secondary_auth_token="b" * 32,
        secondary_auth_token_created=ODD_MOMENTS[5],
    )
    seen = {}
    original = auth.credentials_authenticate

    def remember(request):
        credential = original(request)
        seen["caller"] = credential.account
        return credential

    monkeypatch.setattr(auth, "credentials_authenticate", remember)
    response = api.get(balance_path(own.sid), as_=(own.sid, "b" * 32))
    assert response.json()["balance"] == "12.50"
    caller, fresh = seen["caller"], Account.objects.get(pk=own.pk)
    for field in Account._meta.concrete_fields:
        assert getattr(caller, field.attname) == getattr(fresh, field.attname), field.name
        assert type(getattr(caller, field.attname)) is type(getattr(fresh, field.attname))
    assert caller.parent.sid == main.sid
    assert caller._state.adding is False


def test_the_api_reaches_what_the_selector_reaches(
    odd_family, make_account, make_subaccount, sibling, subaccount
):
    """For every caller and every SID: the same account, or 404 for both."""
    main, plain, own, closed = odd_family
    stranger = make_account(friendly_name="Globex")
    strangers_sub = make_subaccount(stranger, friendly_name="Globex EU")
    accounts = [main, plain, own, closed, stranger, strangers_sub, sibling, subaccount]
    sids = [a.sid for a in accounts] + ["AC" + "0" * 32, "ac" + main.sid[2:], "nonsense", ""]
    for caller in accounts:
        caller = Account.objects.select_related("parent").get(pk=caller.pk)
        for sid in sids:
            try:
                expected = account_selectors.account_get_for_caller(caller=caller, sid=sid)
            except Http404:
                expected = None
            try:
                got = callers.account_get_for_caller(caller=caller, sid=sid)
            except Http404:
                got = None
            assert (got and got.pk) == (expected and expected.pk), (caller.friendly_name, sid)
            if got is not None:
                assert got.owner_account_sid == expected.owner_account_sid


def test_a_subaccount_still_never_sees_its_parent_or_a_sibling(api, odd_family):
    main, plain, own, _ = odd_family
    for target in (main, own):
        path = account_path(target.sid)
        assert_not_found(api.get(path, as_=plain), path)


def test_a_fetch_reads_the_caller_and_the_subaccount_without_a_join(api, odd_family):
    main, plain, _, _ = odd_family
    with CaptureQueriesContext(connection) as queries:
        response = api.get(account_path(plain.sid), as_=main)
    assert response.status_code == 200
    assert len(queries) == 2
    assert not any("JOIN" in query["sql"] for query in queries.captured_queries)
    # The caller's own account needs no second query; a subaccount's parent is one more.
    with CaptureQueriesContext(connection) as queries:
        api.get(account_path(main.sid), as_=main)
    assert len(queries) == 1
    with CaptureQueriesContext(connection) as queries:
        api.get(account_path(plain.sid), as_=plain)
    assert len(queries) == 2


def test_a_prepared_query_refuses_what_it_cannot_compile_once(main_account):
    contains = PreparedQuery(
        lambda name: Account.objects.filter(friendly_name__contains=name), name="x-placeholder"
    )
    with pytest.raises(ImproperlyConfigured):
        contains(name="Acme")
    joined = PreparedQuery(
        lambda sid: Account.objects.select_related("parent").filter(sid=sid), sid="p"
    )
    with pytest.raises(ImproperlyConfigured):
        joined(sid=main_account.sid)
    by_sid = PreparedQuery(lambda sid: Account.objects.filter(sid=sid), sid="AC-placeholder")
    assert [a.pk for a in by_sid(sid=main_account.sid)] == [main_account.pk]
    assert by_sid.first(sid="AC" + "0" * 32) is None


# Lists: rows of the columns the JSON shows, instead of whole instances


def numbers_path(account_sid):
    return f"/2010-04-01/Accounts/{account_sid}/IncomingPhoneNumbers.json"


def expected_number_json(number):
    """A number as the API answered before issue 15's work, from a fresh ORM read."""
    number = IncomingPhoneNumber.objects.select_related("account").get(pk=number.pk)
    return serializers.incoming_phone_number_json(number) | {
        "account_sid": number.account.sid,
        "capabilities": number.capabilities,
        "date_created": gmt(number.date_created),
        "date_updated": gmt(number.date_updated),
    }


def walk(api, path, params, *, as_):
    """Every page of a list, forward, then back again from the last one."""
    pages = [api.get(path, params, as_=as_)]
    while pages[-1].json()["next_page_uri"]:
        pages.append(api.get(pages[-1].json()["next_page_uri"], as_=as_))
    back = [pages[-1]]
    while back[-1].json()["previous_page_uri"]:
        back.append(api.get(back[-1].json()["previous_page_uri"], as_=as_))
    return pages, back


def assert_uris_urlencoded(body, path):
    """Paging URIs are urllib's urlencode of their parameters, whatever they hold."""
    for key in ("uri", "first_page_uri", "next_page_uri", "previous_page_uri"):
        if body[key] is not None:
            uri_path, _, query = body[key].partition("?")
            assert uri_path == path
            assert query == urlencode(parse_qsl(query, keep_blank_values=True))


@pytest.mark.parametrize(
    "params",
    [
        {"PageSize": 2},
        {"PageSize": 1, "Status": "closed"},
        {"PageSize": 1, "FriendlyName": "Zürich — 東京 \u201cquoted\u201d"},
        {"FriendlyName": "Ærøskøbing Café ☕"},  # the caller alone
        {"FriendlyName": "50% & more + spaces = odd/names?"},
    ],
    ids=["pages", "closed", "non-ascii-filter", "head-only", "reserved-characters"],
)
def test_listing_odd_accounts_answers_the_same_records_on_every_page(api, odd_family, params):
    main = odd_family[0]
    account_services.subaccount_create(
        parent=main, friendly_name="50% & more + spaces = odd/names?", actor=Actor.system()
    )
    pages, back = walk(api, "/2010-04-01/Accounts.json", params, as_=main)
    records = [record for page in pages for record in page.json()["accounts"]]
    assert records, params
    for record in records:
        assert record == expected_account_json(Account.objects.get(sid=record["sid"]))
    for page in pages + back:
        assert_uris_urlencoded(page.json(), "/2010-04-01/Accounts.json")
    assert back[-1].content == pages[0].content  # back to the very first page
    if "FriendlyName" not in params and "Status" not in params:
        assert [r["sid"] for r in records] == [main.sid] + [
            a.sid for a in Account.objects.filter(parent=main).order_by("-date_created", "-id")
        ]


def test_a_subaccount_lists_itself_with_its_parent_as_owner(api, odd_family):
    main, plain, _, _ = odd_family
    body = api.get("/2010-04-01/Accounts.json", as_=plain).json()
    assert body["accounts"] == [expected_account_json(plain)]
    assert body["accounts"][0]["owner_account_sid"] == main.sid


@pytest.fixture
def odd_numbers(odd_family):
    """Numbers of the main account and of a subaccount, with names beyond ASCII, every mix of
    capabilities and dates stored in other offsets."""
    main, plain, _, _ = odd_family
    numbers = []
    for index, moment in enumerate(ODD_MOMENTS[:8]):
        numbers.append(
            IncomingPhoneNumber.objects.create(
                account=main if index % 3 else plain,
                phone_number=f"+1415555{index:04d}",
                friendly_name=f"Ligne n° {index} — ☎",
                iso_country="CA" if index % 2 else "US",
                voice=bool(index & 1),
                sms=bool(index & 2),
                mms=bool(index & 4),
                date_created=moment,
            )
        )
    IncomingPhoneNumber.objects.filter(pk=numbers[0].pk).update(date_updated=ODD_MOMENTS[-1])
    # Released numbers are never listed: one of each account's.
    for released in (numbers.pop(1), numbers.pop(2)):
        number_services.number_release(number=released, actor=Actor.system())
    return main, plain, numbers


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"PageSize": 2},
        {"PageSize": 1, "FriendlyName": "Ligne n° 4 — ☎"},
        {"PhoneNumber": "555"},
    ],
    ids=["first-page", "pages", "non-ascii-filter", "phone-number-filter"],
)
def test_listing_odd_numbers_answers_the_same_records_on_every_page(api, odd_numbers, params):
    main, plain, numbers = odd_numbers
    listed = []
    for account in (main, plain):
        path = numbers_path(account.sid)
        pages, back = walk(api, path, params, as_=main)
        records = [r for page in pages for r in page.json()["incoming_phone_numbers"]]
        listed += records
        for record in records:
            number = IncomingPhoneNumber.objects.get(sid=record["sid"])
            assert number.account_id == account.pk
            assert record == expected_number_json(number)
            assert list(record) == list(expected_number_json(number))
        for page in pages + back:
            assert_uris_urlencoded(page.json(), path)
        assert back[-1].content == pages[0].content
    expected = [
        n for n in numbers if "FriendlyName" not in params or n.friendly_name.endswith("4 — ☎")
    ]
    assert sorted(r["sid"] for r in listed) == sorted(n.sid for n in expected)


# First pages without filters: by queries compiled once


@pytest.mark.parametrize("page_size", [1, 2, 3, 4, 5, 50, 1000])
def test_first_pages_of_every_size_list_what_the_selector_lists(api, odd_family, page_size):
    main, plain, _, _ = odd_family
    rest = account_selectors.subaccount_list_for_caller(caller=main).order_by(
        "-date_created", "-id"
    )
    expected = [main.sid] + [account.sid for account in rest][: page_size - 1]
    body = api.get("/2010-04-01/Accounts.json", {"PageSize": page_size}, as_=main).json()
    assert [record["sid"] for record in body["accounts"]] == expected
    assert body["accounts"] == [expected_account_json(Account.objects.get(sid=s)) for s in expected]
    assert (body["next_page_uri"] is None) == (page_size >= 4)
    # A subaccount's first page is itself alone, whatever the size.
    body = api.get("/2010-04-01/Accounts.json", {"PageSize": page_size}, as_=plain).json()
    assert [record["sid"] for record in body["accounts"]] == [plain.sid]
    assert body["next_page_uri"] is None


def test_more_page_sizes_than_the_compiled_queries_kept_still_list_right(
    api, odd_family, monkeypatch
):
    """Each LIMIT is compiled once and kept, up to SHAPES_KEPT of them; beyond, they are
    compiled again, and every page stays right."""
    monkeypatch.setattr(prepared, "SHAPES_KEPT", 2)
    main = odd_family[0]
    everyone = [main.sid] + [
        a.sid for a in Account.objects.filter(parent=main).order_by("-date_created", "-id")
    ]
    for page_size in [1, 2, 3, 4, 1, 3, 2, 4]:
        body = api.get("/2010-04-01/Accounts.json", {"PageSize": page_size}, as_=main).json()
        assert [record["sid"] for record in body["accounts"]] == everyone[:page_size]


def test_numbers_first_pages_list_what_the_selector_lists(api, odd_numbers, sibling):
    main, plain, numbers = odd_numbers
    for account in (main, plain):
        held = IncomingPhoneNumber.objects.filter(
            account=account, released_at__isnull=True
        ).order_by("-date_created", "-id")
        for page_size in (1, 2, 50):
            body = api.get(numbers_path(account.sid), {"PageSize": page_size}, as_=main).json()
            assert [r["sid"] for r in body["incoming_phone_numbers"]] == [
                n.sid for n in held[:page_size]
            ]
    # Out of reach stays out of reach: a subaccount asking for its parent's or a sibling's.
    for target in (main, sibling):
        path = numbers_path(target.sid)
        assert_not_found(api.get(path, as_=plain), path)


def test_numbers_first_page_queries(api, odd_numbers):
    main, plain, _ = odd_numbers
    with CaptureQueriesContext(connection) as queries:
        api.get(numbers_path(main.sid), as_=main)
    assert len(queries) == 2  # the caller, the page
    with CaptureQueriesContext(connection) as queries:
        api.get(numbers_path(plain.sid), as_=main)
    assert len(queries) == 3  # the caller, the subaccount in the path, the page
    assert not any("JOIN" in query["sql"] for query in queries.captured_queries)
