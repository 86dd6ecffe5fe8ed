"""Prepared statements on PostgreSQL (console/settings.py, DATABASE_PREPARE_THRESHOLD): a
query a connection runs again and again is planned once, and an operator behind a pooler
that cannot hold prepared statements can turn them off."""

import json

import pytest
from django.db import connection

from accounts.models import Account

from .test_settings import manage


def settings_options(tmp_path, **env):
    result = manage(
        tmp_path,
        "shell",
        "-c",
        "import json; from django.conf import settings; "
        "print(json.dumps(settings.DATABASES['default'].get('OPTIONS', {})))",
        DEBUG="1",
        DATABASE_URL="postgres://nobody@127.0.0.1:1/none",
        **env,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_postgresql_connections_prepare_repeated_queries_by_default(tmp_path):
    assert settings_options(tmp_path) == {"server_side_binding": True, "prepare_threshold": 5}


def test_an_operator_can_turn_prepared_statements_off(tmp_path):
    options = settings_options(tmp_path, DATABASE_PREPARE_THRESHOLD="off")

    assert "server_side_binding" not in options
    assert "prepare_threshold" not in options


def test_a_threshold_that_is_not_a_number_is_refused(tmp_path):
    result = manage(
        tmp_path,
        "check",
        DEBUG="1",
        DATABASE_URL="postgres://nobody@127.0.0.1:1/none",
        DATABASE_PREPARE_THRESHOLD="often",
    )

    assert result.returncode != 0
    assert "DATABASE_PREPARE_THRESHOLD" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.django_db
def test_a_query_run_again_and_again_is_kept_prepared_by_the_server(postgres_only):
    def prepared():
        with connection.cursor() as cursor:
            cursor.execute("SELECT statement FROM pg_prepared_statements")
            return [statement for (statement,) in cursor.fetchall()]

    assert not any("accounts_account" in statement for statement in prepared())
    for _ in range(6):
        Account.objects.filter(sid="AC-no-such-account").exists()

    assert any("accounts_account" in statement for statement in prepared())
