"""Load benchmark: the console's pages and the API under the production server, against a bare
Django view and a one-query view served by the same server, at 1,000 and 10,000 subaccounts.

    .venv/bin/python bench/load.py            # full: the issue's goals decide (about 15 minutes)
    .venv/bin/python bench/load.py --quick    # CI: smaller data, short runs (about 3 minutes)

It uses DATABASE_URL when set (a fresh, empty PostgreSQL database: it migrates and fills it),
else starts a throwaway PostgreSQL cluster in a temporary folder (as the postgres user when run
as root, as .ci/run does). It seeds two families (a main account and its subaccounts) of
1,000 and 10,000 subaccounts (--quick: 100 and 1,000), each with daily usage in two categories
for every account from the first of last month (the Usage page shows last month), numbers,
ledger entries, events and members; then starts the production server (gunicorn -c
console/gunicorn.conf.py, 2 sync workers, the production settings with DEBUG off) with
bench/benchsite's settings, which only add the baselines' URLs: `bench/bare/` (a view
answering "ok") and `bench/bare-db/<pk>/` (one primary-key SELECT rendering a tiny template).
Those two exist only in the benchmark's URL configuration.

Each target is measured with wrk (1 thread, 8 connections; bench/wrk.lua adds the headers:
the owner's session and CSRF cookies for console pages, HX-Request for the switcher, Basic
auth for the API) in rounds: each round runs bare, bare-db and bare-db signed in, then every
target on both families, each target right after a run of bare-db of its own, so that a
ratio compares figures taken seconds apart on the same server and database (this 2-core
machine's speed drifts by more than that within minutes). A req/s figure is the median of
the rounds (3), a ratio the median of the rounds' ratios; `--only NAME` measures only the
targets whose name contains NAME (the baselines always). Then: subaccount creation at the
10,000 family, wrk POSTing on 8 connections (and the limit, which must hold exactly: 8
Python clients, each counting its answers, ask for more than the room left), and the cost of
checking a password with Django's default hasher (PBKDF2) against Argon2.

The table: req/s and median latency (p50) of each target at both sizes, "÷ bare-db" (req/s at
1,000 over that of the bare-db run right before it), "10k/1k" (how many times slower at
10,000: req/s at 1,000 over req/s at 10,000, measured one after the other), the goal and
whether it is met.

What fails the run (exit status 1):
- always: any response that is not a 2xx (wrk counts them with bench/wrk.lua), a socket
  error, or a subaccount limit that does not hold exactly (subaccounts created = successes,
  and a limit reached is never passed);
- full mode: the issue's goals. Every console page at >= 0.5 x bare-db at 1,000 subaccounts
  (dashboard and switcher >= 0.7 x), API fetches >= 0.9 x, API lists of 50 >= 0.5 x; flat: at
  most 1.2 x slower at 10,000 than at 1,000 for every target; subaccount creation >= 200/s;
- quick mode (CI: a 2-core box where wrk, gunicorn and PostgreSQL share the cores, 2 s runs):
  the goals are printed but only loose bounds fail, ones that noise cannot explain: a target
  more than 2 x slower with 10 x the data (the issue's flatness, 1.2 x, with room for a noisy
  2 s sample), and a target below 0.02 x bare-db (a 25th of the weakest goal, 0.5 x). Busy
  neighbours slow bare-db and the pages alike, so a ratio that low is work per request that
  no noise explains. The slowest pages measured 0.03-0.04 x before issue 15's work (the
  subaccounts page and the activity log, quick mode on a busy 2-core box), so this floor
  passes today and catches anything worse; raise it as the pages get faster.
"""

import argparse
import base64
import datetime
import http.client
import json
import os
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

WRK_SCRIPT = ROOT / "bench" / "wrk.lua"
HOST = "127.0.0.1"
CONNECTIONS = 8
HTTPS = {"X-Forwarded-Proto": "https"}  # as the TLS proxy says (SECURE_PROXY_SSL_HEADER)
FORM = "application/x-www-form-urlencoded"
ROUNDS = 3

FULL = {"small": 1000, "large": 10000, "seconds": 8, "create_seconds": 10}
QUICK = {"small": 100, "large": 1000, "seconds": 2, "create_seconds": 3}

# Goals (full mode), from issue 15.
GOAL_DASHBOARD = 0.7
GOAL_PAGE = 0.5
GOAL_API_FETCH = 0.9
GOAL_API_LIST = 0.5
GOAL_FLAT = 1.2
GOAL_CREATES = 200.0
# Quick mode's bounds (see the docstring).
QUICK_FLOOR = 0.02
QUICK_FLAT = 2.0
# Targets known to grow with the data, and quick mode's bound for them until they are flat.
USAGE_CATEGORIES = ("calls-outbound", "sms-outbound")
NUMBERS = 60  # more than a page of 50: the numbers list shows a full page
LEDGER_ENTRIES = 60
MEMBERS = 5
LIMIT_EXTRA = 25  # the limit check: room for exactly this many more subaccounts


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="CI: smaller data, short runs")
    parser.add_argument("--seconds", type=int, help="wrk's duration per target and round")
    parser.add_argument(
        "--only",
        action="append",
        metavar="NAME",
        help="measure only the targets whose name contains NAME (repeatable; the baselines "
        "always run)",
    )
    return parser.parse_args()


def free_port():
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def say(message):
    print(message, flush=True)


# --- PostgreSQL ----------------------------------------------------------------------------


class ThrowawayPostgres:
    """A PostgreSQL cluster in a temporary folder, on a free port, gone at exit."""

    def __init__(self):
        candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
        initdb = shutil.which("initdb") or (str(candidates[-1]) if candidates else None)
        if initdb is None:
            sys.exit("No PostgreSQL found (initdb): install it, or set DATABASE_URL.")
        self.bin = Path(initdb).parent
        self.work = Path(tempfile.mkdtemp(prefix="bench-load-pg-"))
        self.data = self.work / "pgdata"
        self.port = free_port()
        self.as_root = os.geteuid() == 0

    def run(self, *command):
        prefix = ["runuser", "-u", "postgres", "--"] if self.as_root else []
        subprocess.run([*prefix, *command], check=True, stdout=subprocess.DEVNULL)

    def start(self):
        self.data.mkdir()
        if self.as_root:
            os.chmod(self.work, 0o755)
            shutil.chown(self.data, "postgres", "postgres")
        say(f"== Starting a throwaway PostgreSQL ({self.bin}) on port {self.port}")
        self.run(str(self.bin / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "ci")
        options = (
            f"-p {self.port} -k {self.data} -c listen_addresses={HOST} -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=100"
        )
        self.run(
            str(self.bin / "pg_ctl"),
            *("-D", str(self.data), "-l", str(self.data / "server.log"), "-w", "start"),
            *("-o", options),
        )
        subprocess.run(
            [str(self.bin / "createdb"), "-h", HOST, "-p", str(self.port), "-U", "ci", "bench"],
            check=True,
        )
        return f"postgres://ci@{HOST}:{self.port}/bench"

    def stop(self):
        try:
            self.run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop")
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(self.work, ignore_errors=True)


# --- The environment: production settings, the benchmark's URLs ---------------------------


def production_environment(database_url, work, port):
    """The environment of both this process and gunicorn: README's Production settings."""
    for name in ("DEBUG", "CSRF_TRUSTED_ORIGINS", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS"):
        os.environ.pop(name, None)
    os.environ.update(
        DJANGO_SETTINGS_MODULE="bench.benchsite.settings",
        DATABASE_URL=database_url,
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS=f"{HOST},localhost",
        SECURE_PROXY_SSL_HEADER="1",  # wrk's requests say X-Forwarded-Proto: https
        STATIC_ROOT=str(work / "static"),
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        HOST=HOST,
        PORT=str(port),
        WEB_CONCURRENCY="2",
    )


# Django is set up (and its modules imported) once the environment above is in place.
def django_setup():
    import django

    django.setup()


# --- Seeding ---------------------------------------------------------------------------------


class Family:
    """A main account and its subaccounts, with what its pages show."""

    def __init__(self, label, subaccounts, token):
        from django.contrib.auth.hashers import make_password

        from accounts.models import (
            Account,
            AccountMembership,
            AvailablePhoneNumber,
            User,
        )
        from accounts.services import accounts as account_services
        from accounts.services import ledger as ledger_services
        from accounts.services import numbers as number_services
        from accounts.services.events import Actor

        self.label = label
        self.size = subaccounts
        email = f"owner-{label}-{token}@bench.example"
        self.owner = User.objects.create_user(email=email, password=None)
        actor = Actor.for_user(self.owner)
        parent = account_services.account_create(
            owner=self.owner, friendly_name=f"Bench {label}", actor=actor
        )
        Account.objects.filter(pk=parent.pk).update(
            type=Account.Type.FULL, subaccount_limit=subaccounts + 1_000_000
        )
        parent.refresh_from_db()
        # Subaccounts through the service, as customers make them (their events included, and
        # whatever the service keeps about them).
        for n in range(subaccounts):
            account_services.subaccount_create(
                parent=parent, actor=actor, friendly_name=f"Customer {n:05d}"
            )
        ledger_services.funds_add(account=parent, amount="5000", actor=actor, reason="Bench")
        for n in range(LEDGER_ENTRIES - 1):
            ledger_services.funds_add(
                account=parent, amount="10", actor=actor, reason=f"Top-up {n}"
            )
        # An area code of this run and family (the labels differ in length).
        prefix = f"+1{200 + (int(token, 16) + len(label)) % 700}"
        AvailablePhoneNumber.objects.bulk_create(
            AvailablePhoneNumber(phone_number=f"{prefix}555{n:04d}", friendly_name=f"({n:04d})")
            for n in range(NUMBERS)
        )
        for n in range(NUMBERS):
            number_services.number_buy(
                account=parent, actor=actor, phone_number=f"{prefix}555{n:04d}"
            )
        unusable = make_password(None)
        members = User.objects.bulk_create(
            User(email=f"member{n}-{label}-{token}@bench.example", password=unusable)
            for n in range(MEMBERS)
        )
        AccountMembership.objects.bulk_create(
            AccountMembership(account=parent, user=member, role="developer") for member in members
        )
        seed_usage(parent)
        parent.refresh_from_db()
        self.parent = parent
        self.middle = parent.subaccounts.order_by("pk")[subaccounts // 2]

    def console_cookie(self):
        """The owner's cookies as their browser holds them after a first page: the session
        and the CSRF cookie (without it, every page would make and set a new CSRF secret,
        which a browser that has seen one page never asks for)."""
        from django.conf import settings
        from django.test import Client

        client = Client(HTTP_HOST=HOST, headers=HTTPS)
        client.force_login(self.owner)
        response = client.get(f"/console/{self.parent.sid}/")
        names = (settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME)
        if response.status_code != 200 or not all(name in client.cookies for name in names):
            sys.exit(f"signing the owner in for the benchmark failed: {response.status_code}")
        return "; ".join(f"{name}={client.cookies[name].value}" for name in names)

    def basic_auth(self):
        credentials = f"{self.parent.sid}:{self.parent.auth_token}".encode()
        return "Basic " + base64.b64encode(credentials).decode()


def usage_days():
    """The days the benchmark's usage covers: last month (the Usage page's range, a whole
    month with a day of usage for every account) and this month so far."""
    today = datetime.datetime.now(datetime.UTC).date()
    last_month_end = today.replace(day=1) - datetime.timedelta(days=1)
    return last_month_end.replace(day=1), today


def usage_range():
    """The Usage page's range in the benchmark: last month, as its "Last month" link."""
    start, today = usage_days()
    return start, today.replace(day=1) - datetime.timedelta(days=1)


def seed_usage(parent):
    """Daily usage for every account of the family in two categories from the first of last
    month, and the family's daily totals: the roll-up rows (UsageDay) the Usage page reads,
    and their monthly roll-up (UsageMonth), written by the database itself."""
    from django.db import connection

    from accounts.models import Account, UsageDay
    from bench.rollup import usage_months_seed

    start, today = usage_days()
    members = Account.objects.filter(parent=parent).count() + 1
    categories = ", ".join(f"('{category}')" for category in USAGE_CATEGORIES)
    common = f"""
        INSERT INTO {UsageDay._meta.db_table}
            (account_id, main_account_id, family, category, day, count, usage, price,
             incurred_by_sid, incurred_by_name)
    """
    days = "generate_series(%s::date, %s::date, interval '1 day') AS days(day)"
    with connection.cursor() as cursor:
        cursor.execute(
            common
            + f"""SELECT account.id, %s, FALSE, categories.category, days.day::date,
                   3, 7, 0.07, '', ''
            FROM {Account._meta.db_table} AS account, {days},
                 (VALUES {categories}) AS categories(category)
            WHERE account.id = %s OR account.parent_id = %s""",
            [parent.pk, start, today, parent.pk, parent.pk],
        )
        cursor.execute(
            common
            + f"""SELECT %s, %s, TRUE, categories.category, days.day::date, %s, %s, %s, '', ''
            FROM {days}, (VALUES {categories}) AS categories(category)""",
            [parent.pk, parent.pk, 3 * members, 7 * members, 0.07 * members, start, today],
        )
    usage_months_seed(parent)
    return start, today


# --- The server ------------------------------------------------------------------------------


class Server:
    """gunicorn as the README's Production section runs it (console/gunicorn.conf.py)."""

    def __init__(self, port, log):
        self.port = port
        self.log = log
        self.process = None

    def start(self):
        gunicorn = Path(sys.executable).with_name("gunicorn")
        command = [str(gunicorn if gunicorn.exists() else shutil.which("gunicorn"))]
        say(f"== Starting gunicorn (2 sync workers) on {HOST}:{self.port}")
        self.process = subprocess.Popen(
            [*command, "-c", "console/gunicorn.conf.py"],
            cwd=ROOT,
            stdout=self.log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        for _ in range(120):
            if self.process.poll() is not None:
                sys.exit(f"gunicorn exited early:\n{self.log.read_text()}")
            try:
                status, _ = request("GET", self.port, "/bench/bare/", HTTPS)
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.5)
        sys.exit(f"gunicorn did not answer:\n{self.log.read_text()[-3000:]}")

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()


def request(method, port, path, headers, body=None, connection=None):
    own = connection is None
    connection = connection or http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        connection.request(method, path, body=body, headers={"Host": HOST, **headers})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        if own:
            connection.close()


# --- Measuring -------------------------------------------------------------------------------


class Target:
    def __init__(self, name, goal, paths, headers, kind):
        self.name = name
        self.goal = goal  # the least req/s over bare-db's at 1,000 (None: a baseline)
        self.paths = paths  # {"small": path, "large": path}
        self.headers = headers  # {"small": {...}, "large": {...}}
        self.kind = kind
        self.samples = {size: [] for size in paths}
        # bare-db, measured right before this target in each round: what its ratio divides by.
        self.baseline_samples = []

    def median(self, size, key):
        return statistics.median(sample[key] for sample in self.samples[size])

    def ratio(self):
        """Median over the rounds of req/s at the small size over bare-db's right before."""
        return statistics.median(
            sample["rps"] / max(baseline["rps"], 1e-9)
            for sample, baseline in zip(self.samples["small"], self.baseline_samples, strict=True)
        )

    def slower(self):
        """Median over the rounds of req/s at the small size over req/s at the large, the
        two measured one after the other."""
        return statistics.median(
            small["rps"] / max(large["rps"], 1e-9)
            for small, large in zip(self.samples["small"], self.samples["large"], strict=True)
        )


def wrk(port, path, headers, seconds, *, method="GET", body=""):
    env = {
        **os.environ,
        "BENCH_HEADERS": "\n".join(f"{name}: {value}" for name, value in headers.items()),
        "BENCH_METHOD": method,
        "BENCH_BODY": body,
    }
    command = [
        "wrk",
        *(
            "-t",
            "1",
            "-c",
            str(CONNECTIONS),
            "-d",
            f"{max(1, round(seconds))}s",
            "--timeout",
            "10s",
        ),
        *("-s", str(WRK_SCRIPT), f"http://{HOST}:{port}{path}"),
    ]
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    line = next((x for x in result.stdout.splitlines() if x.startswith("BENCH ")), None)
    if result.returncode != 0 or line is None:
        sys.exit(f"wrk failed on {path}:\n{result.stdout}\n{result.stderr}")
    figures = json.loads(line.removeprefix("BENCH "))
    seconds = figures["duration_us"] / 1e6
    return {
        "rps": figures["requests"] / seconds,
        "p50": figures["p50_us"] / 1000,
        "non_2xx": figures["non_2xx"],
        "non_2xx_status": figures["non_2xx_status"],
        "socket_errors": figures["socket_errors"],
        "requests": figures["requests"],
    }


def targets_for(families, start, end):
    small, large = families["small"], families["large"]
    https = {"X-Forwarded-Proto": "https"}

    def console(family):
        return {**https, "Cookie": family.console_cookie()}

    def api(family):
        return {**https, "Authorization": family.basic_auth()}

    cookies = {"small": console(small), "large": console(large)}
    htmx = {size: {**cookies[size], "HX-Request": "true"} for size in cookies}
    api_headers = {"small": api(small), "large": api(large)}

    def each(template):
        return {size: template(family) for size, family in families.items()}

    usage = f"usage/?start={start.isoformat()}&end={end.isoformat()}"
    pages = [
        ("dashboard", GOAL_DASHBOARD, "", cookies),
        ("subaccounts", GOAL_PAGE, "subaccounts/", cookies),
        ("subaccounts ?q=", GOAL_PAGE, "subaccounts/?q=Customer+0001", cookies),
        ("switcher (HTMX)", GOAL_DASHBOARD, "switcher/?from=account_dashboard", htmx),
        ("usage (one month)", GOAL_PAGE, usage, cookies),
        ("billing", GOAL_PAGE, "billing/", cookies),
        ("activity", GOAL_PAGE, "activity/", cookies),
    ]
    targets = [
        Target(name, goal, each(lambda f, p=path: f"/console/{f.parent.sid}/{p}"), headers, "page")
        for name, goal, path, headers in pages
    ]
    targets.insert(
        3,
        Target(
            "accounts list",
            GOAL_PAGE,
            {size: "/console/accounts/" for size in families},
            cookies,
            "page",
        ),
    )
    targets += [
        Target(
            "API Accounts/{Sid}.json",
            GOAL_API_FETCH,
            each(lambda f: f"/2010-04-01/Accounts/{f.middle.sid}.json"),
            api_headers,
            "api",
        ),
        Target(
            "API Accounts.json (50)",
            GOAL_API_LIST,
            {size: "/2010-04-01/Accounts.json?PageSize=50" for size in families},
            api_headers,
            "api",
        ),
        Target(
            "API IncomingPhoneNumbers.json",
            GOAL_API_LIST,
            each(lambda f: f"/2010-04-01/Accounts/{f.parent.sid}/IncomingPhoneNumbers.json"),
            api_headers,
            "api",
        ),
    ]
    return targets


def check_statuses(port, targets):
    """Every target answers 200 once before it is measured (and warms the workers up)."""
    failed = False
    for target in targets:
        for size, path in target.paths.items():
            status, body = request("GET", port, path, target.headers[size])
            if status != 200:
                failed = True
                say(f"!! {target.name} ({size}) {path}: {status} {body[:300]!r}")
    if failed:
        sys.exit("Targets answered other than 200: see above.")


def drain(port):
    """Wait until the workers have served what the last run left queued: wrk hangs up at the
    end of its run, but the requests a sync worker already accepted are still served, and
    the next run would queue behind them. One request per worker, in parallel."""
    threads = [
        threading.Thread(target=request, args=("GET", port, "/bench/bare/", HTTPS))
        for _ in range(2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def measure(port, baselines, targets, seconds):
    """Rounds of the baselines, then of every target, each target right after a run of
    bare-db: the machine's speed drifts by more than the differences measured (a busy
    neighbour, within a round of minutes), and a ratio of runs seconds apart does not."""
    bare_db = baselines[1]

    def run(target, size, path, samples):
        sample = wrk(port, path, target.headers[size], seconds)
        drain(port)
        samples.append(sample)
        say(
            f"   {target.name:32} {size:5} {sample['rps']:8.1f} req/s "
            f"p50 {sample['p50']:7.1f} ms"
            + (f"  non-2xx: {sample['non_2xx']}" if sample["non_2xx"] else "")
        )

    for number in range(1, ROUNDS + 1):
        say(f"== Round {number} of {ROUNDS}")
        for target in baselines:
            for size, path in target.paths.items():
                run(target, size, path, target.samples[size])
        for target in targets:
            run(bare_db, "small", bare_db.paths["small"], target.baseline_samples)
            for size, path in target.paths.items():
                run(target, size, path, target.samples[size])


# --- Subaccount creation and its limit ------------------------------------------------------


def hammer(port, authorization, each):
    """8 clients POSTing new subaccounts to Accounts.json, `each` requests per client: the
    statuses counted."""
    headers = {"Authorization": authorization, "Content-Type": FORM, **HTTPS}
    counts = {}
    lock = threading.Lock()

    def client(number):
        connection = http.client.HTTPConnection(HOST, port, timeout=30)
        done = 0
        while done < each:
            status, _ = request(
                "POST",
                port,
                "/2010-04-01/Accounts.json",
                headers,
                body=f"FriendlyName=Load+{number}-{done}",
                connection=connection,
            )
            done += 1
            with lock:
                counts[status] = counts.get(status, 0) + 1
        connection.close()

    clients = [threading.Thread(target=client, args=(n,)) for n in range(CONNECTIONS)]
    for thread in clients:
        thread.start()
    for thread in clients:
        thread.join()
    return counts


def creation(port, family, seconds):
    """Subaccount creation throughput at the large family (wrk POSTing, as every target is
    measured: a load generator in C leaves the cores to the server), then its limit, exactly
    (8 Python clients, each counting its answers)."""
    from django.db import connection

    from accounts.models import Account

    def subaccounts():
        count = Account.objects.filter(parent=family.parent).count()
        connection.close()
        return count

    problems = []
    before = subaccounts()
    sample = wrk(
        port,
        "/2010-04-01/Accounts.json",
        {**HTTPS, "Authorization": family.basic_auth(), "Content-Type": FORM},
        seconds,
        method="POST",
        body="FriendlyName=Load",
    )
    drain(port)
    created, elapsed = sample["requests"], sample["requests"] / sample["rps"]
    after = subaccounts()
    rate = created / elapsed
    if sample["non_2xx"] or sample["socket_errors"]:
        problems.append(f"subaccount creation answered {sample}")
    # wrk hangs up with up to one request a connection in flight, which the server may still
    # complete: those appear without having been counted.
    if not created <= after - before <= created + CONNECTIONS:
        problems.append(f"{created} creations succeeded but {after - before} subaccounts appeared")
    # The limit: room for exactly LIMIT_EXTRA more open subaccounts, 8 clients asking for more.
    open_now = Account.objects.filter(parent=family.parent).exclude(status="closed").count()
    Account.objects.filter(pk=family.parent.pk).update(subaccount_limit=open_now + LIMIT_EXTRA)
    connection.close()
    limit_counts = hammer(port, family.basic_auth(), LIMIT_EXTRA // CONNECTIONS + 5)
    final = subaccounts()
    if limit_counts.get(201, 0) != LIMIT_EXTRA or final != after + LIMIT_EXTRA:
        problems.append(
            f"limit of {open_now + LIMIT_EXTRA}: {limit_counts.get(201, 0)} created "
            f"(expected {LIMIT_EXTRA}), {final - after} appeared; answers {limit_counts}"
        )
    if set(limit_counts) - {201, 400}:
        problems.append(f"at the limit, answers other than 201 and 400: {limit_counts}")
    return rate, created, elapsed, problems


# --- Password hashing --------------------------------------------------------------------------


def hashing():
    """Seconds to check a password with Django's default hasher and with Argon2 (defaults)."""
    from django.contrib.auth.hashers import Argon2PasswordHasher, PBKDF2PasswordHasher

    results = {}
    for hasher in (PBKDF2PasswordHasher(), Argon2PasswordHasher()):
        try:
            encoded = hasher.encode("correct horse battery staple", hasher.salt())
        except ValueError as error:  # argon2-cffi missing
            results[hasher.algorithm] = str(error)
            continue
        samples = []
        for _ in range(5):
            started = time.perf_counter()
            assert hasher.verify("correct horse battery staple", encoded)
            samples.append(time.perf_counter() - started)
        results[hasher.algorithm] = statistics.median(samples)
    return results


# --- The table ---------------------------------------------------------------------------------


def size_label(count):
    return f"{count // 1000}k" if count >= 1000 else str(count)


def report(targets, baselines, quick, labels, creation_result, hashes):
    bare, bare_db, signed_in = baselines
    failures = []
    for target in [*baselines, *targets]:
        runs = [*target.samples.items(), ("bare-db before it", target.baseline_samples)]
        for size, samples in runs:
            for sample in samples:
                if not sample["requests"]:
                    failures.append(f"{target.name} ({size}): no answer within a run")
                if sample["non_2xx"] or sample["socket_errors"]:
                    failures.append(
                        f"{target.name} ({size}): {sample['non_2xx']} non-2xx "
                        f"(last {sample['non_2xx_status']}), "
                        f"{sample['socket_errors']} socket errors"
                    )
    base = max(bare_db.median("small", "rps"), 1e-9)
    signed_in_base = max(signed_in.median("small", "rps"), 1e-9)
    say("")
    say(
        f"Baselines (median of {ROUNDS} rounds): bare {bare.median('small', 'rps'):.0f} req/s "
        f"(p50 {bare.median('small', 'p50'):.1f} ms), bare-db {base:.0f} req/s "
        f"(p50 {bare_db.median('small', 'p50'):.1f} ms), bare-db signed in "
        f"{signed_in_base:.0f} req/s (p50 {signed_in.median('small', 'p50'):.1f} ms)"
    )
    small, large = "small", "large"
    header = (
        f"| {'target':31} | {'req/s ' + labels[0]:>9} | {'p50 ' + labels[0]:>10} | "
        f"{'req/s ' + labels[1]:>9} | {'p50 ' + labels[1]:>10} | {'÷ bare-db':>9} | "
        f"{'÷ signed in':>11} | {labels[1] + '/' + labels[0]:>7} | {'goal':16} | ok  |"
    )
    say(header)
    say("|" + "|".join("-" * (len(cell) + 0) for cell in header.split("|")[1:-1]) + "|")
    for target in targets:
        rps_small = target.median(small, "rps")
        rps_large = max(target.median(large, "rps"), 1e-9)
        ratio = target.ratio()
        slower = target.slower()
        goal_met = ratio >= target.goal and slower <= GOAL_FLAT
        if quick:
            if ratio < QUICK_FLOOR:
                failures.append(f"{target.name}: {ratio:.2f} x bare-db, under {QUICK_FLOOR}")
            if slower > QUICK_FLAT:
                failures.append(
                    f"{target.name}: {slower:.2f} x slower at {labels[1]}, over {QUICK_FLAT}"
                )
        elif not goal_met:
            failures.append(
                f"{target.name}: {ratio:.2f} x bare-db (goal {target.goal}), "
                f"{slower:.2f} x slower at {labels[1]} (goal {GOAL_FLAT})"
            )
        goal = f">={target.goal} <={GOAL_FLAT}"
        # Console pages against the signed-in floor too (the API has no session).
        floor = f"{rps_small / signed_in_base:.2f}" if target.kind == "page" else "-"
        say(
            f"| {target.name:31} | {rps_small:9.1f} | {target.median(small, 'p50'):7.1f} ms "
            f"| {rps_large:9.1f} | {target.median(large, 'p50'):7.1f} ms | {ratio:9.2f} "
            f"| {floor:>11} | {slower:7.2f} | {goal:16} | {'yes' if goal_met else 'NO':3} |"
        )
    rate, created, elapsed, problems = creation_result
    say("")
    say(
        f"Subaccount creation, {CONNECTIONS} clients at the {labels[1]} family: {rate:.0f}/s "
        f"({created} in {elapsed:.1f} s; goal >= {GOAL_CREATES:.0f}/s: "
        f"{'yes' if rate >= GOAL_CREATES else 'NO'}); the limit held exactly: "
        f"{'no' if problems else 'yes'}"
    )
    failures += problems
    if not quick and rate < GOAL_CREATES:
        failures.append(f"subaccount creation: {rate:.0f}/s, goal {GOAL_CREATES:.0f}/s")
    say("Checking a password (sign-in), median of 5:")
    for algorithm, seconds in hashes.items():
        shown = f"{seconds * 1000:.1f} ms" if isinstance(seconds, float) else seconds
        say(f"  {algorithm:14} {shown}")
    say("")
    if failures:
        mode = "quick mode's bounds" if quick else "the goals"
        say(f"FAILED ({mode}):")
        for failure in failures:
            say(f"  - {failure}")
        return 1
    say("OK" + (" (quick mode: the goals are shown, its looser bounds held)" if quick else ""))
    return 0


# --- Main ----------------------------------------------------------------------------------------


def main():
    args = parse_args()
    mode = QUICK if args.quick else FULL
    seconds = args.seconds or mode["seconds"]
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed (apt-get install wrk).")
    work = Path(tempfile.mkdtemp(prefix="bench-load-"))
    postgres = None
    try:
        database_url = os.environ.get("DATABASE_URL", "")
        if not database_url:
            postgres = ThrowawayPostgres()
            database_url = postgres.start()
        elif not database_url.startswith(("postgres://", "postgresql://")):
            sys.exit("The load benchmark needs PostgreSQL: DATABASE_URL=postgres://…")
        port = free_port()
        production_environment(database_url, work, port)
        django_setup()
        return run(args.quick, mode, seconds, port, work, only=args.only)
    finally:
        if postgres:
            postgres.stop()
        shutil.rmtree(work, ignore_errors=True)


def run(quick, mode, seconds, port, work, only=None):
    from django.core.management import call_command
    from django.db import connection

    say("== migrate, createcachetable, collectstatic (the production settings)")
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    token = secrets.token_hex(3)
    families = {}
    for size in ("small", "large"):
        started = time.monotonic()
        say(f"== Seeding a family of {mode[size]:,} subaccounts")
        families[size] = Family(f"{mode[size]}", mode[size], token)
        say(f"   in {time.monotonic() - started:.0f} s")
    call_command("migrate", verbosity=0)  # nothing to do: it only checks the schema
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    targets = targets_for(families, *usage_range())
    if only:
        targets = [t for t in targets if any(name in t.name for name in only)]
    connection.close()

    server = Server(port, work / "gunicorn.log")
    try:
        server.start()
        https = {"X-Forwarded-Proto": "https"}
        bare = Target("bare", None, {"small": "/bench/bare/"}, {"small": https}, "baseline")
        bare_db_path = {"small": f"/bench/bare-db/{families['small'].parent.pk}/"}
        bare_db = Target("bare-db", None, bare_db_path, {"small": https}, "baseline")
        # The same view with the owner's session: what every console page pays before its
        # own work (the session, the user, the console's middleware). Reported, not a goal.
        signed_in = Target(
            "bare-db signed in",
            None,
            bare_db_path,
            {"small": {**https, "Cookie": families["small"].console_cookie()}},
            "baseline",
        )
        baselines = [bare, bare_db, signed_in]
        check_statuses(port, [*baselines, *targets])
        measure(port, baselines, targets, seconds)
        say(f"== Subaccount creation for {mode['create_seconds']} s")
        creation_result = creation(port, families["large"], mode["create_seconds"])
    finally:
        server.stop()
    labels = (size_label(mode["small"]), size_label(mode["large"]))
    return report(targets, baselines, quick, labels, creation_result, hashing())


if __name__ == "__main__":
    sys.exit(main())
