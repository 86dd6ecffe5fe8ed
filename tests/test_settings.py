"""Production settings, checked in a fresh process (the test process runs with DEBUG on)."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# Settings read from the environment that must not leak in from the shell running the tests
# (or from other tests: the browser tests set DJANGO_ALLOW_ASYNC_UNSAFE, which --deploy flags).
SETTINGS_VARIABLES = {
    "DJANGO_ALLOW_ASYNC_UNSAFE",
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "DATABASE_URL",
    "CSRF_TRUSTED_ORIGINS",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_PROXY_SSL_HEADER",
    "EMAIL_BACKEND",
    "DJANGO_SETTINGS_MODULE",
    "DATABASE_PREPARE_THRESHOLD",
}


def manage(tmp_path, *args, **env):
    environ = {k: v for k, v in os.environ.items() if k not in SETTINGS_VARIABLES}
    environ["DATABASE_URL"] = f"sqlite:///{tmp_path / 'settings-check.sqlite3'}"
    environ.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=PROJECT_ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_refuses_to_start_without_a_secret_key_when_debug_is_off(tmp_path):
    result = manage(tmp_path, "check", DEBUG="0")

    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr
    assert "Traceback" not in result.stderr  # one line saying what is missing


def test_debug_is_off_unless_asked_for(tmp_path):
    # Without DEBUG in the environment the project is in production mode, so it needs a key.
    result = manage(tmp_path, "check")

    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_development_mode_starts_without_a_secret_key(tmp_path):
    result = manage(tmp_path, "check", DEBUG="1")

    assert result.returncode == 0, result.stderr


def test_deploy_check_passes_with_production_settings(tmp_path):
    result = manage(
        tmp_path,
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="console.example.com",
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_deploy_check_fails_on_a_weak_secret_key(tmp_path):
    # The passing deploy check above is not vacuous: the same command fails on a weak key.
    result = manage(
        tmp_path,
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="0",
        SECRET_KEY="short",
        ALLOWED_HOSTS="console.example.com",
    )

    assert result.returncode != 0
    assert "security.W009" in result.stdout + result.stderr
