"""GET /Accounts.json: order, filters, the v2010 envelope and keyset paging."""

import base64
import datetime
import json

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from accounts import errors
from accounts.api.paging import PageToken
from accounts.models import Account
from accounts.services import accounts as account_services
from accounts.services.events import Actor

from .support import ACCOUNTS, LIST_KEYS, assert_twilio_error, query_of

T0 = datetime.datetime(2026, 1, 1, 12, 0, tzinfo=datetime.UTC)


@pytest.fixture
def make_subaccounts(main_account):
    """`count` subaccounts of the main account, created a minute apart (oldest first), in
    one INSERT; `same_minute` puts them all at the same moment to exercise the id tiebreak."""

    def make_subaccounts(count, *, parent=None, same_minute=False, **fields):
        parent = parent or main_account
        Account.objects.bulk_create(
            Account(
                parent=parent,
                owner_id=parent.owner_id,
                friendly_name=f"Subaccount {number}",
                balance=None,
                date_created=T0 + datetime.timedelta(minutes=0 if same_minute else number),
                **fields,
            )
            for number in range(1, count + 1)
        )
        # The parent's count of open subaccounts, as the service keeps it.
        opened = count if fields.get("status", "active") != Account.Status.CLOSED else 0
        Account.objects.filter(pk=parent.pk).update(
            open_subaccount_count=F("open_subaccount_count") + opened
        )
        return list(Account.objects.subaccounts_of(parent).order_by("-date_created", "-id"))

    return make_subaccounts


def sids(response):
    return [record["sid"] for record in response.json()["accounts"]]


def walk(api, caller, params, direction="next_page_uri", first=None):
    """Every page from `first` (or the list with `params`) following `direction`."""
    response = first or api.get(ACCOUNTS, params, as_=caller)
    pages = [response]
    while response.json()[direction]:
        response = api.get(response.json()[direction], as_=caller)
        assert response.status_code == 200
        pages.append(response)
    return pages


def test_main_account_first_then_subaccounts_newest_first_closed_included(
    api, main_account, owner, make_subaccounts
):
    subaccounts = make_subaccounts(4)
    account_services.account_close(account=subaccounts[1], actor=Actor.for_user(owner))
    response = api.get(ACCOUNTS, as_=main_account)
    assert response.status_code == 200
    assert sids(response) == [main_account.sid] + [s.sid for s in subaccounts]
    assert response.json()["accounts"][2]["status"] == "closed"


def test_the_envelope_is_twilios_exactly(api, main_account, make_subaccounts):
    make_subaccounts(2)
    body = api.get(ACCOUNTS, as_=main_account).json()
    assert set(body) == LIST_KEYS
    assert list(body)[0] == "accounts"
    assert body["page"] == 0
    assert body["page_size"] == 50
    assert (body["start"], body["end"]) == (0, 2)
    assert body["uri"] == "/2010-04-01/Accounts.json?PageSize=50&Page=0"
    assert body["first_page_uri"] == body["uri"]
    assert body["next_page_uri"] is None
    assert body["previous_page_uri"] is None


def test_a_subaccount_lists_only_itself(api, subaccount, sibling):
    response = api.get(ACCOUNTS, as_=subaccount)
    assert sids(response) == [subaccount.sid]
    assert response.json()["accounts"][0]["owner_account_sid"] == subaccount.parent.sid


def test_other_accounts_subaccounts_are_not_listed(
    api, main_account, other_account, make_subaccounts
):
    make_subaccounts(2, parent=other_account)
    assert sids(api.get(ACCOUNTS, as_=main_account)) == [main_account.sid]


def test_filter_by_exact_friendly_name(api, main_account, make_subaccounts):
    subaccounts = make_subaccounts(3)
    response = api.get(ACCOUNTS, {"FriendlyName": "Subaccount 2"}, as_=main_account)
    assert sids(response) == [subaccounts[1].sid]
    assert response.json()["uri"] == (
        "/2010-04-01/Accounts.json?FriendlyName=Subaccount+2&PageSize=50&Page=0"
    )
    assert sids(api.get(ACCOUNTS, {"FriendlyName": "Subaccount"}, as_=main_account)) == []
    assert sids(api.get(ACCOUNTS, {"FriendlyName": "Acme"}, as_=main_account)) == [main_account.sid]


def test_filter_by_status(api, main_account, owner, make_subaccounts):
    subaccounts = make_subaccounts(3)
    account_services.account_suspend(account=subaccounts[0], actor=Actor.for_user(owner))
    account_services.account_close(account=subaccounts[2], actor=Actor.for_user(owner))
    closed = api.get(ACCOUNTS, {"Status": "closed"}, as_=main_account)
    assert sids(closed) == [subaccounts[2].sid]
    assert query_of(closed.json()["uri"]) == {"Status": "closed", "PageSize": "50", "Page": "0"}
    active = api.get(ACCOUNTS, {"Status": "active"}, as_=main_account)
    assert sids(active) == [main_account.sid, subaccounts[1].sid]


def test_an_unknown_status_filter_is_21475(api, main_account):
    response = api.get(ACCOUNTS, {"Status": "deleted"}, as_=main_account)
    assert_twilio_error(response, code=21475, status=400, message=errors.INVALID_STATUS)


@pytest.mark.parametrize("page_size", ["1001", "0", "-1", "abc", "1.5", "", " 5", "9" * 5000])
def test_an_invalid_page_size_is_20007(api, main_account, page_size):
    response = api.get(ACCOUNTS, {"PageSize": page_size}, as_=main_account)
    assert_twilio_error(
        response,
        code=20007,
        status=400,
        message=errors.API_PAGE_SIZE_INVALID.format(maximum=1000, value=page_size),
    )


def _token(payload):
    return "PT" + base64.urlsafe_b64encode(json.dumps(payload).encode()).decode()


@pytest.mark.parametrize(
    "page_token",
    [
        "garbage",
        "PT",
        "PT!!!!",
        "PTeyJ",
        "XX" + PageToken("next", None, 1).encode()[2:],
        _token(["next", None, 1]),
        _token({"d": "sideways", "k": None, "p": 1}),
        _token({"d": "next", "k": None, "p": -1}),
        _token({"d": "next", "k": None, "p": "1"}),
        _token({"d": "next", "k": ["2026-01-01T00:00:00", 1], "p": 1}),  # naive date
        _token({"d": "next", "k": ["yesterday", 1], "p": 1}),
        _token({"d": "next", "k": ["2026-01-01T00:00:00+00:00", 2**80], "p": 1}),
        _token({"d": "next", "k": ["2026-01-01T00:00:00+00:00"], "p": 1}),
        _token({"d": "previous", "k": None, "p": 1}),
        _token({"d": "next", "p": 1}),
        _token({"d": "next", "k": ["0001-01-01T00:00:00+05:00", 1], "p": 1}),  # before year 1
        _token({"d": "next", "k": ["9999-12-31T23:59:59-05:00", 1], "p": 1}),  # after 9999
        _token({"d": "next", "k": None, "p": 1, "pad": "x" * 300}),
        "PT" + base64.urlsafe_b64encode(b"[" * 180).decode(),  # deep nesting
    ],
)
def test_a_bad_page_token_is_21481(api, main_account, page_token):
    response = api.get(ACCOUNTS, {"PageToken": page_token, "Page": "1"}, as_=main_account)
    assert_twilio_error(response, code=21481, status=400, message=errors.API_PAGE_TOKEN_INVALID)


@pytest.mark.parametrize("page", ["-1", "one", "1.0", ""])
def test_an_invalid_page_is_400(api, main_account, page):
    response = api.get(ACCOUNTS, {"Page": page}, as_=main_account)
    assert_twilio_error(
        response, code=21100, status=400, message=errors.API_PAGE_INVALID.format(value=page)
    )


def test_a_deep_page_without_its_token_is_21481(api, main_account):
    response = api.get(ACCOUNTS, {"Page": "3"}, as_=main_account)
    assert_twilio_error(
        response, code=21481, status=400, message=errors.API_PAGE_NEEDS_TOKEN.format(page=3)
    )
    assert api.get(ACCOUNTS, {"Page": "0"}, as_=main_account).status_code == 200


def test_paging_forward_covers_everything_once(api, main_account, make_subaccounts):
    subaccounts = make_subaccounts(7)
    pages = walk(api, main_account, {"PageSize": 3})
    assert [sids(page) for page in pages] == [
        [main_account.sid] + [s.sid for s in subaccounts[:2]],
        [s.sid for s in subaccounts[2:5]],
        [s.sid for s in subaccounts[5:]],
    ]
    bodies = [page.json() for page in pages]
    assert [(b["page"], b["start"], b["end"]) for b in bodies] == [(0, 0, 2), (1, 3, 5), (2, 6, 7)]
    for body in bodies:
        assert body["page_size"] == 3
        assert body["first_page_uri"] == "/2010-04-01/Accounts.json?PageSize=3&Page=0"
    next_query = query_of(bodies[0]["next_page_uri"])
    assert next_query["Page"] == "1"
    assert next_query["PageToken"].startswith("PT")
    assert bodies[1]["uri"] == bodies[0]["next_page_uri"]
    assert bodies[0]["previous_page_uri"] is None
    assert bodies[2]["next_page_uri"] is None


def test_paging_backward_returns_the_same_pages(api, main_account, make_subaccounts):
    make_subaccounts(7)
    forward = walk(api, main_account, {"PageSize": 3})
    backward = walk(api, main_account, None, "previous_page_uri", first=forward[-1])
    assert [sids(page) for page in backward] == [sids(page) for page in reversed(forward)]
    assert [page.json()["page"] for page in backward] == [2, 1, 0]
    # Back on page 0, the page is the first page itself.
    assert backward[-1].json()["uri"] == forward[0].json()["first_page_uri"]


def test_a_page_holding_only_the_main_account_leads_to_the_subaccounts(
    api, main_account, make_subaccounts
):
    subaccounts = make_subaccounts(2)
    pages = walk(api, main_account, {"PageSize": 1})
    assert [sids(page) for page in pages] == [[main_account.sid]] + [[s.sid] for s in subaccounts]
    backward = walk(api, main_account, None, "previous_page_uri", first=pages[-1])
    assert [sids(page) for page in backward] == [sids(page) for page in reversed(pages)]


def test_paging_breaks_ties_on_the_same_date_created_by_id(api, main_account, make_subaccounts):
    subaccounts = make_subaccounts(9, same_minute=True)
    pages = walk(api, main_account, {"PageSize": 4})
    listed = [sid for page in pages for sid in sids(page)]
    assert listed == [main_account.sid] + [s.sid for s in subaccounts]
    backward = walk(api, main_account, None, "previous_page_uri", first=pages[-1])
    assert [sids(page) for page in backward] == [sids(page) for page in reversed(pages)]


def test_paging_keeps_the_filters(api, main_account, owner, make_subaccounts):
    subaccounts = make_subaccounts(6)
    for subaccount in subaccounts[::2]:
        account_services.account_suspend(account=subaccount, actor=Actor.for_user(owner))
    pages = walk(api, main_account, {"Status": "suspended", "PageSize": 2})
    assert [sids(page) for page in pages] == [
        [subaccounts[0].sid, subaccounts[2].sid],
        [subaccounts[4].sid],
    ]
    assert query_of(pages[0].json()["next_page_uri"])["Status"] == "suspended"


def test_a_new_subaccount_does_not_shift_later_pages(api, main_account, make_subaccounts):
    subaccounts = make_subaccounts(4)
    first = api.get(ACCOUNTS, {"PageSize": 2}, as_=main_account)
    account_services.subaccount_create(
        parent=main_account, friendly_name="Newest", actor=Actor.system()
    )
    second = api.get(first.json()["next_page_uri"], as_=main_account)
    assert sids(second) == [s.sid for s in subaccounts[1:3]]


def test_a_page_of_1000_over_1000_subaccounts_takes_constant_queries(
    api, main_account, make_subaccounts, django_assert_max_num_queries
):
    make_subaccounts(1000)
    # One query authenticates the caller, one reads the page: nothing per record.
    with django_assert_max_num_queries(2):
        first = api.get(ACCOUNTS, {"PageSize": 1000}, as_=main_account)
    assert len(first.json()["accounts"]) == 1000
    with django_assert_max_num_queries(2) as deep:
        second = api.get(first.json()["next_page_uri"], as_=main_account)
    assert len(second.json()["accounts"]) == 1
    assert second.json()["start"] == 1000
    # Keyset, not OFFSET: a deep page reads from an index position, whatever its number.
    assert not any("OFFSET" in query["sql"].upper() for query in deep.captured_queries)


def test_a_deep_page_costs_the_same_as_the_first(api, main_account, make_subaccounts):
    make_subaccounts(60)
    pages = []
    response = api.get(ACCOUNTS, {"PageSize": 5}, as_=main_account)
    while response.json()["next_page_uri"]:
        with CaptureQueriesContext(connection) as queries:
            response = api.get(response.json()["next_page_uri"], as_=main_account)
        pages.append(len(queries))
    assert len(pages) == 12
    assert set(pages) == {2}


def test_a_page_reads_its_subaccounts_without_joining_their_parent(
    api, main_account, make_subaccounts
):
    """The caller is every listed subaccount's parent: the page's query reads the rows alone
    (no join per row), and each still names the caller as its owner."""
    make_subaccounts(3)
    with CaptureQueriesContext(connection) as queries:
        response = api.get(ACCOUNTS, as_=main_account)
    page_query = queries.captured_queries[-1]["sql"]
    assert "JOIN" not in page_query
    owners = {record["owner_account_sid"] for record in response.json()["accounts"]}
    assert owners == {main_account.sid}
