"""In-process timings of the Billing and Activity pages for families seeded as the load
benchmark seeds them (bench/load.py's Family: subaccounts through the service, with their
events, 60 ledger entries, numbers, members, a month of usage), with query counts and, on
request, a pyinstrument profile of one request.

    DATABASE_URL=postgres://…/scratch .venv/bin/python bench/profile_billing_activity.py \
        [--seed 100,1000] [--profile] [--explain]

`--seed` (once per database) creates the families of those sizes; without it the script
times the families it finds. Prints the median of RUNS requests per page.
"""

import os
import secrets
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "console.settings")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

from accounts.models import Account  # noqa: E402
from bench.load import Family  # noqa: E402

RUNS = int(os.environ.get("RUNS", "15"))
PAGES = {"billing": "billing/", "activity": "activity/"}


def option(name):
    args = sys.argv[1:]
    return args[args.index(name) + 1] if name in args else None


def main():
    setup_test_environment()
    call_command("migrate", verbosity=0)
    sizes = option("--seed")
    if sizes:
        for size in (int(s) for s in sizes.split(",")):
            start = time.perf_counter()
            Family(f"p{size}", size, secrets.token_hex(2))
            print(f"seeded {size} in {time.perf_counter() - start:.0f} s", flush=True)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    families = Account.objects.filter(
        parent__isnull=True, friendly_name__startswith="Bench p"
    ).order_by("pk")
    print(f"{'page':<10} {'subaccounts':>11} {'median ms':>10} {'queries':>8}")
    for parent in families:
        size = parent.subaccounts.count()
        client = Client(HTTP_HOST="localhost", HTTP_X_FORWARDED_PROTO="https")
        client.force_login(parent.owner)
        for name, path in PAGES.items():
            url = f"/console/{parent.sid}/{path}"
            assert client.get(url, secure=True).status_code == 200
            times = []
            for _ in range(RUNS):
                start = time.perf_counter()
                client.get(url, secure=True)
                times.append((time.perf_counter() - start) * 1000)
            with CaptureQueriesContext(connection) as queries:
                client.get(url, secure=True)
            print(
                f"{name:<10} {size:>11,} {statistics.median(times):>10.1f} "
                f"{len(queries.captured_queries):>8}",
                flush=True,
            )
            if "--explain" in sys.argv:
                for query in queries.captured_queries:
                    sql = query["sql"]
                    print(f"  [{query['time']}s] {sql[:300]}")
                    if sql.lstrip().upper().startswith("SELECT") and connection.vendor == (
                        "postgresql"
                    ):
                        with connection.cursor() as cursor:
                            cursor.execute("EXPLAIN ANALYZE " + sql)
                            for (line,) in cursor.fetchall():
                                print("      " + line)
            if "--profile" in sys.argv:
                from pyinstrument import Profiler

                profiler = Profiler(interval=0.0005)
                profiler.start()
                for _ in range(10):
                    client.get(url, secure=True)
                profiler.stop()
                print(profiler.output_text(unicode=True, color=False, show_all=False))


if __name__ == "__main__":
    main()
