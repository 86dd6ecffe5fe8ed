"""Searching a parent's subaccounts: by part of the name, or by SID when the query looks like
one; never counted (a page of 50 and "50+"); indexed on PostgreSQL."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.selectors import accounts as account_selectors
from tests.factories import SubaccountFactory
from tests.support import HTMX


def list_url(account):
    return reverse("console:subaccount_list", args=[account.sid])


def search(client, account, query, **params):
    return client.get(list_url(account), {"q": query, **params}).content.decode()


def listed(html):
    return set(re.findall(r'<tr id="row-(AC[0-9a-f]{32})"', html))


@pytest.mark.django_db
def test_a_search_matches_part_of_the_name_in_any_case_within_the_family_only(
    owner_client, user, account, make_account, make_subaccount
):
    acme_east = make_subaccount(account, "Acme East")
    acme_west = make_subaccount(account, "ACME west")
    other = make_subaccount(account, "Globex")
    sibling_family = make_account(owner=user, friendly_name="Acme Holdings")
    cousin = make_subaccount(sibling_family, "Acme cousin")

    html = search(owner_client, account, "cme")
    assert listed(html) == {acme_east.sid, acme_west.sid}
    assert other.sid not in html and cousin.sid not in html
    # The parent itself is not its own subaccount.
    assert f'id="row-{account.sid}"' not in html
    assert "2 subaccounts match “cme”" in html
    assert listed(search(owner_client, account, "WEST")) == {acme_west.sid}
    assert "No subaccounts match" in search(owner_client, account, "initech")


@pytest.mark.django_db
def test_a_query_that_looks_like_a_sid_matches_the_sids_it_starts(
    owner_client, user, account, make_account, make_subaccount
):
    wanted = make_subaccount(account, "Wanted")
    make_subaccount(account, "Unwanted")
    stranger = make_subaccount(make_account(owner=user, friendly_name="Other"), "Stranger")
    for query in (
        wanted.sid,
        wanted.sid.upper().replace("AC", "ac", 1),
        wanted.sid[:12],
        wanted.sid[2:],  # the 32 hex digits alone
    ):
        assert listed(search(owner_client, account, query)) == {wanted.sid}, query
    # Another family's SID finds nothing here.
    assert listed(search(owner_client, account, stranger.sid)) == set()
    # Only a query that looks like a SID is matched against SIDs: the middle of one is not.
    assert listed(search(owner_client, account, wanted.sid[10:20])) == set()


@pytest.mark.django_db
def test_a_search_is_not_counted_it_shows_50_plus_and_a_next_page(owner_client, account):
    SubaccountFactory.bulk(account, 51, name="Customer {n:03d}")
    SubaccountFactory.bulk(account, 5, name="Supplier {n:03d}")
    with CaptureQueriesContext(connection) as queries:
        first = search(owner_client, account, "customer")
    counts = [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]
    assert not [sql for sql in counts if "LIKE" in sql.upper()], counts
    assert len(listed(first)) == 50
    assert "50+ subaccounts match “customer”" in first
    assert "All 50+ that match" in first
    assert "Page 1" in first and "Page 1 of" not in first
    next_link = re.search(r'href="(\?[^"]*page=2[^"]*)"', first)
    assert next_link and "q=customer" in next_link.group(1)

    second = search(owner_client, account, "customer", page=2)
    assert len(listed(second)) == 1
    assert listed(first).isdisjoint(listed(second))
    # The last page knows the exact number, and links back.
    assert "51 subaccounts match “customer”" in second
    assert "page=1" in second and "page=3" not in second
    # Past the end: an empty page, not an error.
    assert listed(search(owner_client, account, "customer", page=9)) == set()


@pytest.mark.django_db
def test_a_bulk_action_on_everything_that_matches_takes_every_match_not_the_first_page(
    account,
):
    SubaccountFactory.bulk(account, 60, name="Customer {n:03d}")
    SubaccountFactory.bulk(account, 3, name="Supplier {n:03d}")
    chosen = account_selectors.subaccount_selection(parent=account, query="custom", everything=True)
    assert chosen.count() == 60


@pytest.mark.django_db
def test_the_htmx_search_partial_says_50_plus_too(owner_client, account):
    SubaccountFactory.bulk(account, 52, name="Customer {n:03d}")
    html = owner_client.get(list_url(account), {"q": "cust"}, headers=HTMX).content.decode()
    assert html.lstrip().startswith('<div id="subaccount-results"')
    assert "50+ subaccounts match" in html


@pytest.mark.django_db
def test_on_postgresql_a_search_reads_the_trigram_and_sid_indexes(
    postgres_only, account, make_account, user
):
    SubaccountFactory.bulk(account, 10_000, name="Customer {n:05d}")
    needle = SubaccountFactory.bulk(account, 1, name="The needle")[0]
    SubaccountFactory.bulk(make_account(owner=user, friendly_name="Other"), 2_000)
    with connection.cursor() as cursor:
        # What autovacuum does in production: rows inserted just now wait in the GIN index's
        # pending list, which the planner prices as a scan of its own.
        cursor.execute("SELECT gin_clean_pending_list('account_search_trgm_idx')")
        cursor.execute("ANALYZE accounts_account")

    by_name = account_selectors.subaccount_list(parent=account, query="needl")[:51]
    plan = by_name.explain()
    assert "account_search_trgm_idx" in plan, plan
    assert [sub.pk for sub in by_name] == [needle.pk]

    needle.refresh_from_db()
    by_sid = account_selectors.subaccount_list(parent=account, query=needle.sid[:14])[:51]
    plan = by_sid.explain()
    # Django's own pattern-operator index of the unique SID (migration 0015 dropped a copy).
    assert "accounts_account_sid_" in plan and "_like" in plan, plan
    assert "Seq Scan" not in plan, plan
    assert [sub.pk for sub in by_sid] == [needle.pk]
