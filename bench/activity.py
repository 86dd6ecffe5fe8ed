"""Benchmarks of the activity log: the Activity page and /v1/Events with a small log and a
large one, in the same run (see run.py for the method).

    DEBUG=1 .venv/bin/python bench/activity.py
    DATABASE_URL=postgres://…/scratch .venv/bin/python bench/activity.py

It exits with status 1 when a ratio passes its limit.
"""

import datetime
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from run import LIMIT, api_client, family, timed  # noqa: E402  (sets Django up)

from accounts.models import Account, Event  # noqa: E402

SMALL, LARGE = 200, 50_000
START = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
# Both logs hold this many phone-number events, spread through them: a filter on that type
# fills a page in either log, so only the size of the log differs.
RARE = 60


def log(parent, count):
    """`count` events over the main account and three subaccounts, a minute apart, in bulk
    (every account's own log fills a page in either family)."""
    accounts = list(Account.objects.filter(parent=parent)[:3]) + [parent]
    batch = []
    rare_every = count // RARE
    for number in range(count):
        account = accounts[number % len(accounts)]
        rare = number % rare_every == 0
        batch.append(
            Event(
                account=account,
                account_sid=account.sid,
                main_account_id=parent.pk,
                actor_type="system",
                source="system",
                resource_type="phone-number" if rare else "account",
                resource_sid=account.sid,
                event_type="phone-number.created" if rare else "account.updated",
                event_date=START + datetime.timedelta(minutes=number),
                event_data={"friendly_name": {"previous": "a", "updated": "b"}},
            )
        )
        if len(batch) == 5000:
            Event.objects.bulk_create(batch)
            batch = []
    Event.objects.bulk_create(batch)
    return accounts[0]


def deep(client, url, steps):
    """The URL of the page `steps` pages further down /v1/Events."""
    for _ in range(steps):
        url = client.get(url).json()["meta"]["next_page_url"] or url
    return url


def main():
    setup_test_environment()
    call_command("migrate", verbosity=0)
    small_user, small = family("small-log@bench.example", 20)
    large_user, large = family("large-log@bench.example", 2000)
    sub_small, sub_large = log(small, SMALL), log(large, LARGE)
    console_small, console_large = Client(), Client()
    console_small.force_login(small_user)
    console_large.force_login(large_user)
    api_small, api_large = api_client(small), api_client(large)
    page_small = f"/console/{small.sid}/activity/"
    page_large = f"/console/{large.sid}/activity/"
    api_deep_small = deep(api_small, "/v1/Events?PageSize=50", steps=3)
    api_deep_large = deep(api_large, "/v1/Events?PageSize=50", steps=3)
    cases = [
        (
            "console: activity page",
            lambda: console_small.get(page_small),
            lambda: console_large.get(page_large),
        ),
        (
            "console: activity, one event type",
            lambda: console_small.get(page_small + "?event_type=phone-number.created"),
            lambda: console_large.get(page_large + "?event_type=phone-number.created"),
        ),
        (
            "console: activity, one subaccount",
            lambda: console_small.get(page_small + f"?account={sub_small.sid}"),
            lambda: console_large.get(page_large + f"?account={sub_large.sid}"),
        ),
        (
            "api: first page of /v1/Events",
            lambda: api_small.get("/v1/Events?PageSize=50"),
            lambda: api_large.get("/v1/Events?PageSize=50"),
        ),
        (
            "api: a deep page of /v1/Events",
            lambda: api_small.get(api_deep_small),
            lambda: api_large.get(api_deep_large),
        ),
        (
            "api: /v1/Events?EventType= (rare)",
            lambda: api_small.get("/v1/Events?EventType=phone-number.created"),
            lambda: api_large.get("/v1/Events?EventType=phone-number.created"),
        ),
    ]
    failed = False
    print(f"{'benchmark':40} {SMALL:>7} evts  {LARGE:>7} evts   ratio")
    for name, baseline, subject in cases:
        base, measured = timed(baseline), timed(subject)
        ratio = measured / base
        flag = "" if ratio <= LIMIT else f"  <-- over its limit of {LIMIT}"
        failed |= ratio > LIMIT
        print(f"{name:40} {base * 1000:8.2f} ms {measured * 1000:8.2f} ms {ratio:6.2f}{flag}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
