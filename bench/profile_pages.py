"""In-process costs of each console page and API read for families seeded as the load
benchmark seeds them (bench/load.py's Family: subaccounts through the service, with their
events, 60 ledger entries, numbers, members, a month of usage), under the production
settings (DEBUG off, bench/benchsite's URLs for the bare-db baseline): per page, the median
and fastest CPU time of RUNS requests, the Python calls of one request (cProfile's count:
the same from run to run, however busy the machine, so it shows what a change saved), the
queries and the size; on request, the queries' plans and a pyinstrument profile.

    DATABASE_URL=postgres://…/scratch .venv/bin/python bench/profile_pages.py \
        [--seed 100,1000] [--only dashboard,billing] [--profile] [--explain] [--cold]

`--cold` forgets every remembered fragment before each request (`{% memo %}`): what a page
costs to build after a write in its family, rather than on a second look.

`--seed` (once per database) creates the families of those sizes; without it the script
measures the families it finds.
"""

import base64
import cProfile
import os
import pstats
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import load  # noqa: E402

if "DATABASE_URL" not in os.environ:
    sys.exit("Set DATABASE_URL to a scratch PostgreSQL database.")
WORK = Path(tempfile.mkdtemp(prefix="profile-pages-"))
load.production_environment(os.environ["DATABASE_URL"], WORK, 0)
os.environ["ALLOWED_HOSTS"] += ",testserver"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from accounts.models import Account  # noqa: E402
from accounts.templatetags import memo  # noqa: E402

RUNS = int(os.environ.get("RUNS", "30"))
HTTPS = {"HTTP_X_FORWARDED_PROTO": "https"}


def pages(parent):
    """(name, path, signed in as the owner / by API credentials / neither, extra headers)."""
    middle = parent.subaccounts.order_by("pk")[parent.subaccounts.count() // 2]
    console = f"/console/{parent.sid}/"
    return [
        ("bare-db", f"/bench/bare-db/{parent.pk}/", None, {}),
        ("bare-db-in", f"/bench/bare-db/{parent.pk}/", "console", {}),
        ("dashboard", console, "console", {}),
        ("subaccounts", console + "subaccounts/", "console", {}),
        ("search", console + "subaccounts/?q=Customer+0001", "console", {}),
        ("accounts", "/console/accounts/", "console", {}),
        (
            "switcher",
            console + "switcher/?from=account_dashboard",
            "console",
            {"HX-Request": "true"},
        ),
        ("usage", console + "usage/", "console", {}),
        ("billing", console + "billing/", "console", {}),
        ("activity", console + "activity/", "console", {}),
        ("api-fetch", f"/2010-04-01/Accounts/{middle.sid}.json", "api", {}),
        ("api-list", "/2010-04-01/Accounts.json?PageSize=50", "api", {}),
        ("api-numbers", f"/2010-04-01/Accounts/{parent.sid}/IncomingPhoneNumbers.json", "api", {}),
    ]


def option(name):
    args = sys.argv[1:]
    return args[args.index(name) + 1] if name in args else None


def clients(parent):
    console = Client(**HTTPS)
    console.force_login(parent.owner)
    token = base64.b64encode(f"{parent.sid}:{parent.auth_token}".encode()).decode()
    return {
        "console": console,
        "api": Client(**HTTPS, HTTP_AUTHORIZATION=f"Basic {token}"),
        None: Client(**HTTPS),
    }


def forget():
    if "--cold" in sys.argv:
        memo.forget_all()


def measure(client, path, headers):
    response = client.get(path, headers=headers)
    assert response.status_code == 200, (path, response.status_code)
    cpu = []
    for _ in range(RUNS):
        forget()
        start = time.process_time()
        client.get(path, headers=headers)
        cpu.append((time.process_time() - start) * 1000)
    forget()
    profile = cProfile.Profile()
    profile.enable()
    client.get(path, headers=headers)
    profile.disable()
    queries = []

    def record(execute, sql, params, many, context):
        queries.append((sql, params))
        return execute(sql, params, many, context)

    forget()
    with connection.execute_wrapper(record):
        client.get(path, headers=headers)
    calls = pstats.Stats(profile).total_calls
    return statistics.median(cpu), min(cpu), calls, queries, len(response.content)


def main():
    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    sizes = option("--seed")
    if sizes:
        for size in (int(s) for s in sizes.split(",")):
            start = time.perf_counter()
            load.Family(f"p{size}", size, secrets.token_hex(2))
            print(f"seeded {size} in {time.perf_counter() - start:.0f} s", flush=True)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    only = set(option("--only").split(",")) if option("--only") else None
    families = Account.objects.filter(
        parent__isnull=True, friendly_name__startswith="Bench p"
    ).order_by("pk")
    print(
        f"{'page':<12} {'subaccounts':>11} {'cpu ms':>7} {'min':>7} {'calls':>7} "
        f"{'queries':>7} {'KB':>5}"
    )
    for parent in families:
        size = parent.subaccounts.count()
        by_kind = clients(parent)
        for name, path, kind, headers in pages(parent):
            if only and name not in only:
                continue
            median, fastest, calls, queries, length = measure(by_kind[kind], path, headers)
            print(
                f"{name:<12} {size:>11,} {median:>7.1f} {fastest:>7.1f} {calls:>7,} "
                f"{len(queries):>7} {length // 1024:>5}",
                flush=True,
            )
            if "--explain" in sys.argv:
                explain(queries)
            if "--profile" in sys.argv:
                profile(by_kind[kind], path, headers)


def explain(queries):
    """Each query, and its plan as PostgreSQL runs it."""
    for sql, params in queries:
        print(f"    {sql[:300]}")
        if sql.lstrip().upper().startswith("SELECT") and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN ANALYZE " + sql, params)
                for (line,) in cursor.fetchall():
                    print("        " + line)


def profile(client, path, headers):
    from pyinstrument import Profiler

    profiler = Profiler(interval=0.0005)
    profiler.start()
    for _ in range(10):
        forget()
        client.get(path, headers=headers)
    profiler.stop()
    print(profiler.output_text(unicode=True, color=False, show_all=False))


if __name__ == "__main__":
    main()
