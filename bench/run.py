"""Benchmarks: does the cost of a page stay flat as data grows?

Each benchmark times an operation on a small data set (the baseline) and on a large one in the
same run, on the same machine, and reports the ratio, so a slow machine or a busy neighbour
cancels out. A ratio near 1 means the operation does not grow with the data. The pages
compare 110 with 2,000 subaccounts (500 with --quick): enough in the small family that every
page compared renders the same number of rows at both sizes (a full first page of 50, and a
full deep page, the second for the small family). The Usage Records API compares a family of
10 with one of 1,000 subaccounts, each with a year of daily usage in 10 categories (3.7
million roll-up rows for the large one, which the database writes itself). The Usage page
compares the pages' families, with usage in two categories every day since the first of last
month: last month (its monthly roll-up) and this month so far.

    DEBUG=1 .venv/bin/python bench/run.py            # SQLite in a temporary file
    DATABASE_URL=postgres://…/scratch .venv/bin/python bench/run.py   # a throwaway database

It exits with status 1 when a ratio passes its limit. `--quick` (what CI runs) uses a smaller
large family and fewer repeats: it still catches a page that grows with the data.
"""

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "console.settings")
os.environ.setdefault("DEBUG", "1")
if "DATABASE_URL" not in os.environ:
    os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"

import django  # noqa: E402

django.setup()

import datetime  # noqa: E402
from base64 import b64encode  # noqa: E402

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import Account, UsageDay, User  # noqa: E402
from accounts.services import accounts as account_services  # noqa: E402
from accounts.services.events import Actor  # noqa: E402
from bench.rollup import usage_months_seed  # noqa: E402

QUICK = "--quick" in sys.argv[1:]
REPEATS = 5 if QUICK else 15
# Pages of 50: the small family fills its first two pages (the main account and 110
# subaccounts), so that each page compared shows 50 rows at both sizes.
PAGE = 50
SMALL, LARGE = 110, (500 if QUICK else 2000)
LIMIT = 3.0  # a page may cost at most this many times its small-data baseline
# A substring search (name or part of a SID) scans the parent's subaccounts: it grows with
# them by nature, so it only has to stay within a looser bound.
SEARCH_LIMIT = 10.0


def family(email, subaccounts):
    user = User.objects.create_user(email=email, password="bench-password-1")
    parent = account_services.account_create(owner=user, friendly_name=email, actor=Actor.system())
    # Bulk-created below, so the open-subaccount counter the services keep is set here.
    Account.objects.filter(pk=parent.pk).update(
        type=Account.Type.FULL,
        subaccount_limit=subaccounts + 10,
        open_subaccount_count=subaccounts,
    )
    Account.objects.bulk_create(
        Account(
            friendly_name=f"Customer {n:05d}",
            parent=parent,
            type=Account.Type.FULL,
            owner=user,
            balance=None,
        )
        for n in range(subaccounts)
    )
    return user, parent


USAGE_SMALL, USAGE_LARGE = 10, (100 if QUICK else 1000)
USAGE_DAYS = 365
USAGE_CATEGORIES = [
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


def usage_family(email, subaccounts):
    """A family with a year of daily usage in 10 categories for every account (see
    `usage_seed`, millions of rows)."""
    _, parent = family(email, subaccounts)
    Account.objects.filter(pk=parent.pk).update(
        date_created=timezone.now() - datetime.timedelta(days=USAGE_DAYS + 5)
    )
    usage_seed(parent, USAGE_DAYS, USAGE_CATEGORIES)
    parent.refresh_from_db()
    return parent


def usage_seed(parent, days, categories):
    """Daily usage for every account of the family over the last `days` days in
    `categories`: the daily roll-up rows that usage_record keeps (each account's own, and the
    family's total), and their monthly roll-up, written by the database itself."""
    members = Account.objects.filter(parent=parent).count() + 1
    today = timezone.now().astimezone(datetime.UTC).date()
    # The day `n` days before today, in each database's own date arithmetic.
    day = (
        "%s - days.n" if connection.vendor == "postgresql" else "date(%s, '-' || days.n || ' days')"
    )
    categories = ", ".join(f"('{category}')" for category in categories)
    common = f"""
        WITH RECURSIVE days(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM days WHERE n < %s),
        categories(category) AS (VALUES {categories})
        INSERT INTO {UsageDay._meta.db_table}
            (account_id, main_account_id, family, category, day, count, usage, price,
             incurred_by_sid, incurred_by_name)
    """
    with connection.cursor() as cursor:
        cursor.execute(
            common
            + f"""SELECT account.id, %s, FALSE, categories.category, {day}, 3, 7, 0.07, '', ''
            FROM {Account._meta.db_table} AS account, days, categories
            WHERE account.id = %s OR account.parent_id = %s""",
            [days - 1, parent.pk, today, parent.pk, parent.pk],
        )
        cursor.execute(
            common
            + f"""SELECT %s, %s, TRUE, categories.category, {day}, %s, %s, %s, '', ''
            FROM days, categories""",
            [days - 1, parent.pk, parent.pk, today, 3 * members, 7 * members, 0.07 * members],
        )
    usage_months_seed(parent)


def timed(call):
    call()  # warm up
    samples = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        call()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def api_client(account):
    credentials = b64encode(f"{account.sid}:{account.auth_token}".encode()).decode()
    return Client(HTTP_AUTHORIZATION=f"Basic {credentials}")


def main():
    setup_test_environment()
    call_command("migrate", verbosity=0)
    small_user, small = family("small@bench.example", SMALL)
    large_user, large = family("large@bench.example", LARGE)
    console_small, console_large = Client(), Client()
    console_small.force_login(small_user)
    console_large.force_login(large_user)
    api_small, api_large = api_client(small), api_client(large)

    def deep_page_url(client, pages):
        url = f"/2010-04-01/Accounts.json?PageSize={PAGE}"
        for _ in range(pages):
            url = client.get(url).json()["next_page_uri"]
        rows = len(client.get(url).json()["accounts"])
        assert rows == PAGE, f"{url} shows {rows} accounts, not a full page of {PAGE}"
        return url

    # The second page of the small family, a deep one (the eleventh, or the last full one) of
    # the large one: both full.
    deep_small = deep_page_url(api_small, 1)
    deep_large = deep_page_url(api_large, min(10, LARGE // PAGE - 1))
    for client, parent in ((console_small, small), (console_large, large)):
        shown = client.get(f"/console/{parent.sid}/subaccounts/").content.count(b"<tr")
        assert shown > PAGE, f"the subaccounts page shows {shown} table rows"
    for client in (api_small, api_large):
        rows = len(client.get(f"/2010-04-01/Accounts.json?PageSize={PAGE}").json()["accounts"])
        assert rows == PAGE, f"the first page shows {rows} accounts, not {PAGE}"
    print(
        f"Loading a year of daily usage in {len(USAGE_CATEGORIES)} categories for "
        f"{USAGE_SMALL} and {USAGE_LARGE} subaccounts (the roll-up rows) …",
        flush=True,
    )
    usage_small = usage_family("usage-small@bench.example", USAGE_SMALL)
    usage_large = usage_family("usage-large@bench.example", USAGE_LARGE)
    usage_api_small, usage_api_large = api_client(usage_small), api_client(usage_large)
    # The Usage page on the pages' families (a full page of 50 accounts at both sizes), with
    # usage in two categories every day since the first of last month.
    today = timezone.now().astimezone(datetime.UTC).date()
    last_month_end = today.replace(day=1) - datetime.timedelta(days=1)
    last_month = f"start={last_month_end.replace(day=1)}&end={last_month_end}"
    for parent in (small, large):
        usage_seed(parent, (today - last_month_end.replace(day=1)).days + 1, USAGE_CATEGORIES[:2])

    def usage_page(client, account, query):
        def call():
            response = client.get(f"/console/{account.sid}/usage/?{query}")
            assert response.status_code == 200, response.content

        return call

    def records(client, account, period, query):
        def call():
            response = client.get(
                f"/2010-04-01/Accounts/{account.sid}/Usage/Records/{period}.json?{query}"
            )
            assert response.status_code == 200, response.content

        return call

    cases = [
        (
            "console: subaccounts page",
            lambda: console_small.get(f"/console/{small.sid}/subaccounts/"),
            lambda: console_large.get(f"/console/{large.sid}/subaccounts/"),
        ),
        (
            "console: subaccount search",
            lambda: console_small.get(f"/console/{small.sid}/subaccounts/?q=Customer+0001"),
            lambda: console_large.get(f"/console/{large.sid}/subaccounts/?q=Customer+0001"),
            SEARCH_LIMIT,
        ),
        (
            "console: switcher",
            lambda: console_small.get(f"/console/{small.sid}/switcher/"),
            lambda: console_large.get(f"/console/{large.sid}/switcher/"),
        ),
        (
            "console: billing",
            lambda: console_small.get(f"/console/{small.sid}/billing/"),
            lambda: console_large.get(f"/console/{large.sid}/billing/"),
        ),
        (
            "console: activity",
            lambda: console_small.get(f"/console/{small.sid}/activity/"),
            lambda: console_large.get(f"/console/{large.sid}/activity/"),
        ),
        (
            "api: first page of Accounts.json",
            lambda: api_small.get("/2010-04-01/Accounts.json?PageSize=50"),
            lambda: api_large.get("/2010-04-01/Accounts.json?PageSize=50"),
        ),
        (
            "api: a deep page (PageToken)",
            lambda: api_small.get(deep_small),
            lambda: api_large.get(deep_large),
        ),
        (
            f"api: Usage Records Daily, 30 days ({USAGE_SMALL} vs {USAGE_LARGE} subs)",
            records(usage_api_small, usage_small, "Daily", "StartDate=-29days&PageSize=1000"),
            records(usage_api_large, usage_large, "Daily", "StartDate=-29days&PageSize=1000"),
        ),
        (
            "console: Usage page, last month",
            usage_page(console_small, small, last_month),
            usage_page(console_large, large, last_month),
        ),
        (
            "console: Usage page, this month so far",
            usage_page(console_small, small, ""),
            usage_page(console_large, large, ""),
        ),
        (
            f"api: Usage Records ThisMonth ({USAGE_SMALL} vs {USAGE_LARGE} subs)",
            records(usage_api_small, usage_small, "ThisMonth", ""),
            records(usage_api_large, usage_large, "ThisMonth", ""),
        ),
    ]
    failed = False
    print(f"{'benchmark':56} {'small':>8}    {'large':>8}     ratio")
    for name, baseline, subject, *limit in cases:
        limit = limit[0] if limit else LIMIT
        base, measured = timed(baseline), timed(subject)
        ratio = measured / base
        flag = "" if ratio <= limit else f"  <-- over its limit of {limit}"
        failed |= ratio > limit
        print(f"{name:56} {base * 1000:8.2f} ms {measured * 1000:8.2f} ms {ratio:6.2f}{flag}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
