"""`manage.py prune_events`: the activity log keeps EVENT_RETENTION_DAYS (400 by default) and
forgets what is older, in batches."""

import datetime
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Event
from accounts.services.events import Actor, event_record

pytestmark = pytest.mark.django_db

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def prune(*args):
    out = io.StringIO()
    call_command("prune_events", *args, stdout=out)
    return out.getvalue().strip()


def event_aged(account, days):
    return event_record(
        actor=Actor.system(),
        event_type="account.updated",
        account=account,
        resource_sid=account.sid,
        data={"age": days},
        date=timezone.now() - datetime.timedelta(days=days),
    )


def ages():
    return sorted(
        Event.objects.exclude(event_type="account.created").values_list(
            "event_data__age", flat=True
        )
    )


@pytest.fixture
def clock(monkeypatch):
    """clock.forward(days): the command runs as if that many more days had passed."""

    class Clock:
        def forward(self, days):
            moved = timezone.now() + datetime.timedelta(days=days)
            monkeypatch.setattr(timezone, "now", lambda: moved)

    return Clock()


def test_events_older_than_400_days_go_by_default(account):
    for days in (800, 401, 399, 10):
        event_aged(account, days)

    output = prune()

    assert output.startswith("Deleted 2 events older than 400 days (dated before ")
    assert ages() == [10, 399]
    assert Event.objects.filter(event_type="account.created").exists()


def test_as_the_clock_moves_on_more_events_age_out(account, clock):
    for days in (399, 398, 10):
        event_aged(account, days)
    assert prune().startswith("Deleted 0 events")

    clock.forward(days=2)  # 399 and 398 days old become 401 and 400 days and a moment
    output = prune()

    assert output.startswith("Deleted 2 events older than 400 days")
    assert ages() == [10]


def test_the_setting_and_days_choose_how_long(account, settings):
    for days in (100, 40, 20):
        event_aged(account, days)
    settings.EVENT_RETENTION_DAYS = 60

    assert prune().startswith("Deleted 1 event older than 60 days")
    assert prune("--days", "30").startswith("Deleted 1 event older than 30 days")
    assert ages() == [20]


def test_a_dry_run_counts_and_deletes_nothing(account):
    for days in (500, 450, 5):
        event_aged(account, days)

    output = prune("--dry-run")

    assert output.startswith("Would delete 2 events older than 400 days")
    assert ages() == [5, 450, 500]


def test_deletes_in_batches(account):
    for days in range(401, 411):
        event_aged(account, days)

    with CaptureQueriesContext(connection) as queries:
        output = prune("--batch-size", "3")

    assert output.startswith("Deleted 10 events")
    deletes = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("DELETE")]
    assert len(deletes) == 4  # 3 + 3 + 3 + 1
    assert ages() == []


@pytest.mark.parametrize("days", ["0", "-5", "ten"])
def test_days_must_be_a_whole_number_of_at_least_one(account, days):
    event_aged(account, 500)

    with pytest.raises(CommandError, match="must be a whole number, 1 or more"):
        prune("--days", days)

    assert ages() == [500]


def _setting_in_a_fresh_process(**env):
    environ = {k: v for k, v in os.environ.items() if k != "EVENT_RETENTION_DAYS"}
    environ.update(DEBUG="1", DJANGO_SETTINGS_MODULE="console.settings", **env)
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); "
            "from django.conf import settings; print(settings.EVENT_RETENTION_DAYS)",
        ],
        cwd=PROJECT_ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_retention_comes_from_the_environment():
    assert _setting_in_a_fresh_process().stdout.strip() == "400"
    assert _setting_in_a_fresh_process(EVENT_RETENTION_DAYS="30").stdout.strip() == "30"
    refused = _setting_in_a_fresh_process(EVENT_RETENTION_DAYS="0")
    assert refused.returncode != 0
    assert "EVENT_RETENTION_DAYS must be a whole number of days, 1 or more." in refused.stderr
