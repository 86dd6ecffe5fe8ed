"""The production configuration, in fresh processes (the test process runs with DEBUG on):
the README's create_account example, clear refusals without SECRET_KEY, and gunicorn serving
the console (the same checks as .ci/run's production boot)."""

import json
import os
import re
import secrets
import shlex
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.test_settings import SETTINGS_VARIABLES

PROJECT_ROOT = Path(__file__).resolve().parent.parent
README = (PROJECT_ROOT / "README.md").read_text()
PRODUCTION_VARIABLES = SETTINGS_VARIABLES | {"STATIC_ROOT", "HOST", "PORT", "WEB_CONCURRENCY"}


def _environment(tmp_path, **settings):
    environ = {k: v for k, v in os.environ.items() if k not in PRODUCTION_VARIABLES}
    environ["DATABASE_URL"] = f"sqlite:///{tmp_path / 'production.sqlite3'}"
    environ.update(settings)
    return environ


def _production(tmp_path, **settings):
    """The settings of the README's Production section, step 1."""
    return _environment(
        tmp_path,
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_PROXY_SSL_HEADER="1",
        STATIC_ROOT=str(tmp_path / "static"),
        **settings,
    )


def _run(command, environ, timeout=120):
    return subprocess.run(
        command, cwd=PROJECT_ROOT, env=environ, capture_output=True, text=True, timeout=timeout
    )


def _manage(environ, *args):
    return _run([sys.executable, "manage.py", *args], environ)


def _readme_example():
    """The README's create_account example, as written, run with this test's Python."""
    line = re.search(r"^ +(\.venv/bin/python manage\.py create_account .*)$", README, re.M)
    assert line, "README.md has no create_account example"
    words = shlex.split(line.group(1))
    return [sys.executable, *words[1:]]


@pytest.fixture(scope="module")
def migrated(tmp_path_factory):
    """A production database, migrated, with the static files collected (steps 2 to 4)."""
    tmp_path = tmp_path_factory.mktemp("production")
    environ = _production(tmp_path)
    for step in (["migrate", "--noinput", "-v", "0"], ["collectstatic", "--noinput", "-v", "0"]):
        result = _manage(environ, *step)
        assert result.returncode == 0, result.stderr
    return environ


def test_the_readmes_create_account_example_works_with_the_production_settings(migrated):
    result = _run(_readme_example(), migrated)

    assert result.returncode == 0, result.stderr
    printed = json.loads(result.stdout.strip().splitlines()[-1])
    assert printed["sid"].startswith("AC") and len(printed["auth_token"]) == 32
    assert (printed["friendly_name"], printed["owner_email"]) == ("Ops", "ops@example.com")


def test_a_command_without_secret_key_says_so_in_one_line(tmp_path):
    result = _run(_readme_example(), _environment(tmp_path))

    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.strip() == (
        "manage.py: SECRET_KEY must be set when DEBUG is off. Set SECRET_KEY in the "
        "environment (or DEBUG=1 for development)."
    )


def _gunicorn():
    gunicorn = Path(sys.executable).with_name("gunicorn")
    return [str(gunicorn), "-c", "console/gunicorn.conf.py"]


def test_gunicorn_refuses_to_start_without_secret_key_in_one_line(tmp_path):
    result = _run(_gunicorn(), _environment(tmp_path, PORT=str(_free_port())), timeout=30)

    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert "The console cannot start: SECRET_KEY must be set when DEBUG is off" in result.stderr


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_gunicorn_serves_the_production_configuration(migrated, tmp_path):
    account = _run(_readme_example(), migrated)
    assert account.returncode == 0, account.stderr
    port = _free_port()
    environ = {**migrated, "HOST": "127.0.0.1", "PORT": str(port), "WEB_CONCURRENCY": "1"}
    log = (tmp_path / "gunicorn.log").open("w")
    server = subprocess.Popen(_gunicorn(), cwd=PROJECT_ROOT, env=environ, stdout=log, stderr=log)
    try:
        _wait_until_serving(port, server)
        smoke = _run(
            [
                sys.executable,
                ".ci/smoke_production.py",
                f"http://127.0.0.1:{port}",
                account.stdout.strip().splitlines()[-1],
            ],
            migrated,
            timeout=60,
        )
        assert smoke.returncode == 0, smoke.stdout + smoke.stderr + _read(tmp_path)
        assert "passed" in smoke.stdout
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def _read(tmp_path):
    return (tmp_path / "gunicorn.log").read_text()


def _wait_until_serving(port, server):
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert server.poll() is None, "gunicorn exited"
        probe = urllib.request.Request(
            f"http://127.0.0.1:{port}/2010-04-01/Accounts.json",
            headers={"X-Forwarded-Proto": "https"},  # as the TLS proxy sends
        )
        try:
            urllib.request.urlopen(probe, timeout=2)
        except urllib.error.HTTPError:
            return  # it answers (401 without credentials)
        except OSError:
            time.sleep(0.2)
    pytest.fail("gunicorn did not start serving")
