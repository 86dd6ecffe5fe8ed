"""The sign-in throttle holds across server processes: three console processes (each its own
Python, as under a server with several workers) share the count in the database cache, so
parallel wrong passwords for one email get no more tries than one process would give."""

import os
import re
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import quote

import pytest
import requests
from django.conf import settings

from accounts import errors
from tests.conftest import DEFAULT_PASSWORD

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
SERVERS = 3
ATTEMPTS = 12
LIMIT = 5  # ACCOUNT_RATE_LIMITS["login_failed"]: 5 per email in 15 minutes


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _database_url():
    db = settings.DATABASES["default"]
    password = f":{quote(db['PASSWORD'])}" if db.get("PASSWORD") else ""
    return (
        f"postgres://{quote(db['USER'])}{password}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"
    )


@pytest.fixture
def servers(postgres_only):
    """Console processes on the test database; their base URLs."""
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("PYTEST")},
        "DATABASE_URL": _database_url(),
        "DEBUG": "1",
        "NO_PROXY": "*",
    }
    ports = [_free_port() for _ in range(SERVERS)]
    processes = [
        subprocess.Popen(
            [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for port in ports
    ]
    urls = [f"http://127.0.0.1:{port}" for port in ports]
    try:
        deadline = time.monotonic() + 60
        for url in urls:
            while True:
                try:
                    requests.get(url + "/signin/", timeout=2)
                    break
                except requests.ConnectionError:
                    assert time.monotonic() < deadline, "a console process did not start"
                    time.sleep(0.2)
        yield urls
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=10)


def _attempt(url, email, password):
    """One person's sign-in, as a browser makes it: the form, then the post."""
    with requests.Session() as session:
        session.trust_env = False
        page = session.get(url + "/signin/", timeout=90).text
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        answer = session.post(
            url + "/signin/",
            data={"csrfmiddlewaretoken": token, "login": email, "password": password},
            headers={"Referer": url + "/signin/"},
            allow_redirects=False,
            timeout=90,
        )
    if answer.status_code == 302:
        return "signed in"
    # 429: allauth could not take its count's lock in time, and refuses rather than let an
    # uncounted attempt through.
    if errors.SIGN_IN_THROTTLED in answer.text or answer.status_code == 429:
        return "throttled"
    if errors.SIGN_IN_INVALID in answer.text:
        return "checked"
    return f"unexpected {answer.status_code}"


def test_parallel_wrong_passwords_across_processes_stay_within_the_limit(servers, make_user):
    user = make_user(email="target@example.com")
    with ThreadPoolExecutor(max_workers=ATTEMPTS) as pool:
        outcomes = list(
            pool.map(
                lambda n: _attempt(servers[n % SERVERS], user.email, f"wrong-{n}"),
                range(ATTEMPTS),
            )
        )
    assert set(outcomes) <= {"checked", "throttled"}, outcomes
    # At most LIMIT passwords were ever checked, whichever process got them.
    assert 1 <= outcomes.count("checked") <= LIMIT, outcomes
    assert outcomes.count("throttled") >= ATTEMPTS - LIMIT
    # Even the right password now waits, on every process.
    for url in servers:
        assert _attempt(url, user.email, DEFAULT_PASSWORD) == "throttled"
