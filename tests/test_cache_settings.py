"""The cache the sign-in rate limits count in, as the settings choose it from the
environment (checked in fresh processes: the test process has its settings already)."""

import json
import os
import subprocess
import sys
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SHOW = (
    "import json, django; django.setup(); from django.conf import settings; "
    "print(json.dumps(settings.CACHES['default']))"
)


def cache_settings(tmp_path, **env):
    environ = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DATABASE_URL"}}
    environ.update(
        DJANGO_SETTINGS_MODULE="console.settings",
        DEBUG="1",
        DATABASE_URL=f"sqlite:///{tmp_path / 'cache.sqlite3'}",
        **env,
    )
    result = subprocess.run(
        [sys.executable, "-c", SHOW],
        cwd=PROJECT_ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_database_cache_by_default(tmp_path):
    assert cache_settings(tmp_path) == {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "console_cache",
    }


def test_redis_when_an_operator_sets_a_url(tmp_path):
    assert cache_settings(tmp_path, REDIS_URL="redis://cache.internal:6379/0") == {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://cache.internal:6379/0",
    }


def test_createcachetable_makes_the_table_once(tmp_path):
    environ = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DATABASE_URL"}}
    environ.update(DEBUG="1", DATABASE_URL=f"sqlite:///{tmp_path / 'made.sqlite3'}")
    for _ in range(2):  # a second run finds it there and does nothing
        subprocess.run(
            [sys.executable, "manage.py", "createcachetable"],
            cwd=PROJECT_ROOT,
            env=environ,
            check=True,
            timeout=60,
            capture_output=True,
        )
    import sqlite3

    tables = sqlite3.connect(tmp_path / "made.sqlite3").execute(
        "SELECT name FROM sqlite_master WHERE type = 'table'"
    )
    assert ("console_cache",) in list(tables)
