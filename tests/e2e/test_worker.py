"""End to end: a real worker process (`manage.py db_worker`, as bin/run and production start
it) delivers a usage trigger's callback to a real HTTP receiver, signed as Twilio signs."""

import datetime
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone
from twilio.request_validator import RequestValidator

from accounts.models import UsageTriggerDelivery
from accounts.services import ledger, triggers
from accounts.services.events import Actor
from accounts.services.usage import usage_record

ROOT = Path(__file__).resolve().parents[2]


def _database_url():
    settings = connection.settings_dict
    user = settings["USER"] or ""
    password = f":{settings['PASSWORD']}" if settings["PASSWORD"] else ""
    host = settings["HOST"] or "127.0.0.1"
    port = f":{settings['PORT']}" if settings["PORT"] else ""
    return f"postgres://{user}{password}@{host}{port}/{settings['NAME']}"


@pytest.mark.django_db(transaction=True)
def test_a_worker_process_delivers_the_callback(
    postgres_only, database_tasks, receiver, make_account
):
    account = make_account(friendly_name="Worker test")
    ledger.funds_add(account=account, amount="10", actor=Actor.system(), reason="Funds")
    trigger = triggers.usage_trigger_create(
        account=account,
        callback_url=receiver.url,
        trigger_value="1",
        usage_category="totalprice",
        trigger_by="count",
        actor=Actor.system(),
    )
    today = timezone.now().astimezone(datetime.UTC).date()
    usage_record(
        account=account,
        category="sms-outbound",
        quantity=2,
        price="0.02",
        start_date=today,
        end_date=today,
        actor=Actor.system(),
    )
    assert receiver.requests == []  # queued, not sent: nothing runs tasks in this process
    environment = os.environ | {
        "DATABASE_URL": _database_url(),
        "DEBUG": "1",
        "USAGE_TRIGGER_PRIVATE_CALLBACKS": "1",
    }
    worker = subprocess.run(
        [sys.executable, "manage.py", "db_worker", "--batch", "--no-reload", "--no-startup-delay"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert worker.returncode == 0, worker.stderr
    assert receiver.wait_for(1, timeout=5)
    received = receiver.requests[0]
    assert received.form["UsageTriggerSid"] == trigger.sid
    assert received.form["CurrentValue"] == "2"
    assert RequestValidator(account.auth_token).validate(
        receiver.url, received.form, received.headers["X-Twilio-Signature"]
    )
    delivery = UsageTriggerDelivery.objects.get(trigger=trigger)
    assert delivery.status == "delivered"
    assert [a.status_code for a in delivery.attempts.all()] == [200]
