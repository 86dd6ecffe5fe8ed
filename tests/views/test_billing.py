"""The Billing page: balance, the ledger behind it, paging, the kind filter, and who sees what."""

import datetime
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts import roles
from accounts.models import Account, LedgerEntry
from accounts.services import ledger as ledger_services
from accounts.services.events import Actor
from accounts.templatetags import memo
from tests.factories import SubaccountFactory, UsageRecordFactory
from tests.support import HTMX


def billing_url(account):
    return reverse("console:billing", args=[account.sid])


def ledger_rows(html):
    return re.findall(r'<tr class="ledger-row">(.*?)</tr>', html, re.S)


@pytest.mark.django_db
def test_shows_the_balance_and_the_ledger_newest_first(
    owner_client, user, account, make_subaccount
):
    sub = make_subaccount(account, "Customer A")
    ledger_services.funds_add(
        account=account, amount="100", actor=Actor.for_user(user), reason="Card payment"
    )
    UsageRecordFactory(account=sub, price="3.25")
    UsageRecordFactory(account=account, price="1.50", category="calls")
    response = owner_client.get(billing_url(account))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="current-balance">$95.25' in html
    # The owner adds funds through the payments backend.
    assert reverse("console:funds_add", args=[account.sid]) in html
    rows = ledger_rows(html)
    assert len(rows) == 3
    # Newest first: the calls charge, then the subaccount's SMS, then the funds.
    assert "Calls: 10" in rows[0] and "−$1.50" in rows[0] and "$95.25" in rows[0]
    assert "SMS: 10" in rows[1] and "Customer A" in rows[1] and sub.sid in rows[1]
    assert "amount-charge" in rows[1] and "−$3.25" in rows[1]
    assert "Card payment" in rows[2] and "+$100.00" in rows[2] and "amount-credit" in rows[2]
    assert account.sid in rows[2] and "(this account)" in rows[2]


@pytest.mark.django_db
def test_filter_by_kind_over_htmx_returns_the_ledger_partial(owner_client, user, account):
    ledger_services.funds_add(
        account=account, amount="10", actor=Actor.for_user(user), reason="Card payment"
    )
    UsageRecordFactory(account=account, price="1")
    response = owner_client.get(billing_url(account), {"kind": "usage"}, headers=HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="ledger">')
    assert "<html" not in html
    assert len(ledger_rows(html)) == 1 and "Card payment" not in html
    assert "HX-Request" in response["Vary"]
    # Without JavaScript the same URL gives the page, with the filter chosen.
    page = owner_client.get(billing_url(account), {"kind": "usage"}).content.decode()
    assert '<option value="usage" selected>' in page and "<html" in page


@pytest.mark.django_db
def test_an_unknown_kind_shows_everything(owner_client, user, account):
    ledger_services.funds_add(
        account=account, amount="10", actor=Actor.for_user(user), reason="Card payment"
    )
    html = owner_client.get(billing_url(account), {"kind": "bogus"}).content.decode()
    assert len(ledger_rows(html)) == 1


def bulk_entries(account, count, *, on=None):
    """Ledger entries straight into the table (paging tests do not need a true balance)."""
    now = timezone.now()
    LedgerEntry.objects.bulk_create(
        LedgerEntry(
            paying_account=account,
            account=on or account,
            amount=Decimal("-0.01"),
            balance_after=Decimal("100") - Decimal("0.01") * number,
            kind=LedgerEntry.Kind.USAGE,
            description=f"Entry {number:04d}",
            date_created=now - timezone.timedelta(minutes=count - number),
        )
        for number in range(count)
    )


@pytest.mark.django_db
def test_pages_of_50_keep_the_filter(owner_client, account):
    bulk_entries(account, 120)
    first = owner_client.get(billing_url(account), {"kind": "usage"}).content.decode()
    assert len(ledger_rows(first)) == 50
    assert "Page 1 of 3" in first and "120 entries" in first
    assert "Entry 0119" in first and "Entry 0069" not in first  # newest first
    assert "?kind=usage&amp;page=2" in first
    last = owner_client.get(billing_url(account), {"kind": "usage", "page": 3}).content.decode()
    assert len(ledger_rows(last)) == 20 and "Entry 0000" in last


@pytest.mark.django_db
def test_a_subaccount_sees_the_shared_balance_and_only_its_own_entries(
    owner_client, user, account, make_subaccount
):
    sub = make_subaccount(account, "Customer A")
    sibling = make_subaccount(account, "Customer B")
    ledger_services.funds_add(
        account=account, amount="50", actor=Actor.for_user(user), reason="Card payment"
    )
    UsageRecordFactory(account=sub, price="2")
    UsageRecordFactory(account=sibling, price="7")
    UsageRecordFactory(account=account, price="1")
    html = owner_client.get(billing_url(sub)).content.decode()
    assert "Shared balance" in html and "$40.00" in html and "read-only" in html
    assert account.friendly_name in html
    assert reverse("console:funds_add", args=[account.sid]) not in html
    rows = ledger_rows(html)
    assert len(rows) == 1 and "−$2.00" in rows[0]
    assert sibling.sid not in html and "Card payment" not in html


@pytest.mark.django_db
def test_a_subaccount_with_a_spend_cap_shows_what_it_spent(
    owner_client, user, account, make_subaccount
):
    sub = make_subaccount(account)
    Account.objects.filter(pk=sub.pk).update(monthly_spend_cap=Decimal("25"))
    ledger_services.funds_add(
        account=account, amount="50", actor=Actor.for_user(user), reason="Card payment"
    )
    today = timezone.localdate()
    UsageRecordFactory(account=sub, quantity=1, price="4", start_date=today, end_date=today)
    html = owner_client.get(billing_url(sub)).content.decode()
    assert "Monthly spend cap: <strong>$25.00</strong> ($4.00 spent this month)" in html


@pytest.mark.django_db
def test_a_used_up_balance_is_called_out(owner_client, user, account):
    ledger_services.funds_add(
        account=account, amount="1", actor=Actor.for_user(user), reason="Card payment"
    )
    UsageRecordFactory(account=account, price="1")
    html = owner_client.get(billing_url(account)).content.decode()
    assert "The balance is used up" in html


@pytest.mark.django_db
def test_a_subaccount_user_sees_only_that_subaccount(
    client, make_member, user, account, make_subaccount
):
    sub = make_subaccount(account, "Theirs")
    sibling = make_subaccount(account, "Not theirs")
    ledger_services.funds_add(
        account=account, amount="50", actor=Actor.for_user(user), reason="Card payment"
    )
    UsageRecordFactory(account=sub, price="2")
    UsageRecordFactory(account=sibling, price="3")
    person = make_member(sub, roles.BILLING_MANAGER)
    client.force_login(person)
    html = client.get(billing_url(sub)).content.decode()
    assert len(ledger_rows(html)) == 1 and sibling.sid not in html
    assert client.get(billing_url(account)).status_code == 404
    assert client.get(billing_url(sibling)).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "status"),
    [
        (roles.ADMINISTRATOR, 200),
        (roles.BILLING_MANAGER, 200),
        (roles.DEVELOPER, 403),
        (roles.SUPPORT, 403),
    ],
)
def test_billing_needs_billing_read(client, make_member, account, make_subaccount, role, status):
    sub = make_subaccount(account)
    client.force_login(make_member(account, role))
    assert client.get(billing_url(account)).status_code == status
    assert client.get(billing_url(sub), headers=HTMX).status_code == status


@pytest.mark.django_db
def test_non_members_get_404(client, make_user, account, make_subaccount):
    sub = make_subaccount(account)
    client.force_login(make_user())
    assert client.get(billing_url(account)).status_code == 404
    assert client.get(billing_url(sub)).status_code == 404
    assert client.get(reverse("console:billing", args=["AC" + "0" * 32])).status_code == 404


@pytest.mark.django_db
def test_anonymous_users_are_sent_to_sign_in(client, account):
    response = client.get(billing_url(account))
    assert response.status_code == 302 and reverse("login") in response["Location"]


@pytest.mark.django_db
def test_sidebar_links_follow_the_scopes(owner_client, make_member, account, make_subaccount):
    sub = make_subaccount(account)
    billing_page = owner_client.get(billing_url(account)).content.decode()
    assert f'href="{billing_url(account)}" aria-current="page"' in billing_page
    page = owner_client.get(
        reverse("console:account_dashboard", args=[account.sid])
    ).content.decode()
    assert reverse("console:billing", args=[account.sid]) in page
    assert reverse("console:usage", args=[account.sid]) in page
    assert reverse("console:phone_number_list", args=[account.sid]) in page
    sub_page = owner_client.get(
        reverse("console:account_dashboard", args=[sub.sid])
    ).content.decode()
    assert (
        reverse("console:usage", args=[sub.sid]) not in sub_page
    )  # usage lives on the main account
    assert reverse("console:billing", args=[sub.sid]) in sub_page
    owner_client.force_login(make_member(account, roles.DEVELOPER))
    developer = owner_client.get(reverse("console:account_dashboard", args=[account.sid])).content
    assert reverse("console:billing", args=[account.sid]).encode() not in developer
    assert reverse("console:phone_number_list", args=[account.sid]).encode() in developer


@pytest.mark.django_db
def test_page_queries_stay_flat_with_1000_subaccounts(
    owner_client, account, django_assert_max_num_queries
):
    SubaccountFactory.bulk(account, 1000)
    subaccounts = list(Account.objects.filter(parent=account))
    now = timezone.now()
    LedgerEntry.objects.bulk_create(
        LedgerEntry(
            paying_account=account,
            account=sub,
            amount=Decimal("-0.10"),
            balance_after=Decimal("0"),
            kind=LedgerEntry.Kind.USAGE,
            description="Bulk usage",
            date_created=now,
        )
        for sub in subaccounts
    )
    # The page also lists payments, transfers and the subaccounts to transfer to: a few more
    # queries, as many for 1,000 subaccounts as for none (and one for the family's version,
    # which the page is remembered by).
    with django_assert_max_num_queries(15):
        html = owner_client.get(billing_url(account)).content.decode()
    assert len(ledger_rows(html)) == 50 and "1,000 entries" in html
    with django_assert_max_num_queries(11):
        owner_client.get(billing_url(account), {"kind": "usage", "page": 7}, headers=HTMX)
    with django_assert_max_num_queries(11):
        owner_client.get(billing_url(subaccounts[0]))


def _query_count(client, url, params=None, headers=None):
    # The work of building the page (this test writes its ledger without the services, which
    # a remembered page would not see: memo.py).
    memo.forget_all()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params or {}, headers=headers or {})
    assert response.status_code == 200
    return len(queries.captured_queries)


def _charge_each(account, subaccounts, when):
    LedgerEntry.objects.bulk_create(
        LedgerEntry(
            paying_account=account,
            account=sub,
            amount=Decimal("-0.10"),
            balance_after=Decimal("0"),
            kind=LedgerEntry.Kind.USAGE,
            description=f"Usage of {sub.friendly_name}",
            date_created=when,
        )
        for sub in subaccounts
    )


@pytest.mark.django_db
def test_the_same_queries_with_100_subaccounts_as_with_1000(owner_client, account, make_subaccount):
    # One subaccount with its own balance, so that the transfer form and its list show.
    own = make_subaccount(account, "Own balance", own_balance=True)
    SubaccountFactory.bulk(account, 99, name="First {n:04d}")
    _charge_each(account, Account.objects.filter(parent=account), timezone.now())
    pages = [
        (billing_url(account), {}, None),
        (billing_url(account), {"kind": "usage", "page": 2}, HTMX),
        (billing_url(own), {}, None),
    ]
    for url, params, headers in pages:
        owner_client.get(url, params, headers=headers or {})  # the session remembers it
    few = [_query_count(owner_client, *page) for page in pages]

    SubaccountFactory.bulk(account, 900, name="Second {n:04d}")
    _charge_each(
        account,
        Account.objects.filter(parent=account, friendly_name__startswith="Second"),
        timezone.now() + datetime.timedelta(minutes=1),
    )
    many = [_query_count(owner_client, *page) for page in pages]

    assert many == few
    html = owner_client.get(billing_url(account)).content.decode()
    assert len(ledger_rows(html)) == 50 and "1,000 entries" in html
    # Newest first: the first page is the later subaccounts' charges.
    assert all("Usage of Second" in row for row in ledger_rows(html))


@pytest.mark.django_db
def test_a_ledger_row_shows_its_utc_date_and_signed_amounts(owner_client, account, user):
    moment = datetime.datetime(2026, 3, 7, 9, 5, 30, tzinfo=datetime.UTC)
    ledger_services.funds_add(
        account=account, amount="1234.5", actor=Actor.for_user(user), reason="Card payment"
    )
    LedgerEntry.objects.update(date_created=moment)
    UsageRecordFactory(account=account, price="2.25")
    rows = ledger_rows(owner_client.get(billing_url(account)).content.decode())

    funds = rows[1]
    assert '<time class="stacked-time" datetime="2026-03-07T09:05:30+00:00">' in funds
    assert '<span>Mar 7, 2026</span> <span class="muted">09:05 UTC</span>' in funds
    assert ">+$1,234.50</td>" in funds and ">$1,234.50</td>" in funds
    assert ">−$2.25</td>" in rows[0] and ">$1,232.25</td>" in rows[0]
