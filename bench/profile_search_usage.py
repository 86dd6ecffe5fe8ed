"""In-process timings of the subaccount search, the Usage page (one month), Billing and
Activity for a family of 1,000 and one of 10,000 subaccounts, with query counts.

    DATABASE_URL=postgres://…/scratch .venv/bin/python bench/profile_search_usage.py [--seed]

`--seed` (once per database) creates the two families, each with 30 days of daily usage in
2 categories for every account (the roll-up rows usage_record keeps), written by the database
itself, and a few hundred ledger entries and events. Prints the median of N runs per page.
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "console.settings")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

import datetime  # noqa: E402

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import Account, UsageDay, User  # noqa: E402
from accounts.services import accounts as account_services  # noqa: E402
from accounts.services import ledger as ledger_services  # noqa: E402
from accounts.services.events import Actor  # noqa: E402

SIZES = (1_000, 10_000)
DAYS = 30
CATEGORIES = ("calls-outbound", "sms-outbound")
RUNS = int(os.environ.get("RUNS", "15"))
ALLOWED = "127.0.0.1"


def email(size):
    return f"profile-{size}@bench.example"


def seed(size):
    user = User.objects.create_user(email=email(size), password="bench-password-1")
    parent = account_services.account_create(
        owner=user, friendly_name=f"Family {size}", actor=Actor.system()
    )
    Account.objects.filter(pk=parent.pk).update(subaccount_limit=size + 10)
    Account.objects.bulk_create(
        (
            Account(friendly_name=f"Customer {n:05d}", parent=parent, owner=user, balance=None)
            for n in range(size)
        ),
        batch_size=2000,
    )
    today = timezone.now().astimezone(datetime.UTC).date()
    first = today.replace(day=1)
    table = UsageDay._meta.db_table
    categories = ", ".join(f"('{c}')" for c in CATEGORIES)
    with connection.cursor() as cursor:
        days = f"generate_series(0, {DAYS - 1}) AS days(n)"
        cursor.execute(
            f"""INSERT INTO {table}
                (account_id, main_account_id, family, category, day, count, usage, price,
             incurred_by_sid, incurred_by_name)
            SELECT account.id, %s, FALSE, c.category, %s::date - days.n, 3, 7,
                   0.01 * (1 + account.id %% 97), '', ''
            FROM accounts_account AS account, {days}, (VALUES {categories}) AS c(category)
            WHERE account.id = %s OR account.parent_id = %s""",
            [parent.pk, first + datetime.timedelta(days=DAYS - 1), parent.pk, parent.pk],
        )
        cursor.execute(
            f"""INSERT INTO {table}
                (account_id, main_account_id, family, category, day, count, usage, price,
             incurred_by_sid, incurred_by_name)
            SELECT %s, %s, TRUE, category, day, SUM(count), SUM(usage), SUM(price), '', ''
            FROM {table} WHERE main_account_id = %s AND NOT family
            GROUP BY category, day""",
            [parent.pk, parent.pk, parent.pk],
        )
    for n in range(200):
        ledger_services.funds_add(
            account=parent, amount="1", actor=Actor.system(), reason=f"Top-up {n}"
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def median_ms(client, url, params):
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        response = client.get(url, params)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    with CaptureQueriesContext(connection) as queries:
        client.get(url, params)
    return statistics.median(times), len(queries.captured_queries)


def main():
    setup_test_environment()
    if "--seed" in sys.argv:
        for size in SIZES:
            seed(size)
    today = timezone.now().astimezone(datetime.UTC).date()
    month = {"start": today.replace(day=1).isoformat(), "end": today.isoformat()}
    rows = []
    for size in SIZES:
        user = User.objects.get(email=email(size))
        parent = Account.objects.get(owner=user, parent__isnull=True)
        client = Client(HTTP_HOST="localhost")
        client.force_login(user)
        pages = {
            "search ?q=00042": (
                reverse("console:subaccount_list", args=[parent.sid]),
                {"q": "00042"},
            ),
            "search ?q=Cust": (
                reverse("console:subaccount_list", args=[parent.sid]),
                {"q": "Cust"},
            ),
            "usage (month)": (reverse("console:usage", args=[parent.sid]), month),
            "usage page 3": (reverse("console:usage", args=[parent.sid]), {**month, "page": 3}),
            "billing": (reverse("console:billing", args=[parent.sid]), {}),
            "activity": (reverse("console:activity", args=[parent.sid]), {}),
        }
        for name, (url, params) in pages.items():
            client.get(url, params)  # warm
            ms, queries = median_ms(client, url, params)
            rows.append((name, size, ms, queries))
    print(f"{'page':<20} {'subaccounts':>11} {'median ms':>10} {'queries':>8}")
    for name, size, ms, queries in sorted(rows, key=lambda r: (r[0], r[1])):
        print(f"{name:<20} {size:>11,} {ms:>10.1f} {queries:>8}")


if __name__ == "__main__":
    main()
