"""How PostgreSQL reads the activity log for a family: through the family's own index,
whatever share of the log the family holds and however long ago it was busy."""

import datetime

import pytest
from django.db import connection
from django.utils import timezone

from accounts.models import Event
from accounts.selectors import events as event_selectors
from accounts.services.events import events_prune


def log(account, count, *, start, ip=None):
    """`count` events of `account`'s family, a second apart from `start`, in one INSERT."""
    Event.objects.bulk_create(
        Event(
            account=account,
            account_sid=account.sid,
            main_account=account,
            actor_type=Event.ActorType.SYSTEM,
            source=Event.Source.SYSTEM,
            resource_type="account",
            resource_sid=account.sid,
            event_type="account.updated",
            event_date=start + datetime.timedelta(seconds=n),
            source_ip_address=ip,
        )
        for n in range(count)
    )


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_quiet_familys_newest_events_come_from_its_own_index(
    postgres_only, account, make_account
):
    # Half the log is this family's, all of it older than the other family's busy half: the
    # case where a date index tempted PostgreSQL to walk every newer event, filtering.
    now = timezone.now()
    log(account, 3000, start=now - datetime.timedelta(days=30))
    log(make_account(friendly_name="Busy"), 3000, start=now - datetime.timedelta(days=1))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE accounts_event")

    newest = event_selectors.activity_events(account=account)[:51]
    plan = newest.explain()

    # Read in order from the family's index: no sort of the family's events.
    assert "Index Scan using event_main_account_idx" in plan, plan
    assert "Sort" not in plan, plan
    events = list(newest)
    assert len(events) == 51
    assert events[0].event_date > events[-1].event_date >= now - datetime.timedelta(days=30)


@pytest.mark.postgres
@pytest.mark.django_db
def test_pruning_finds_the_old_events_by_the_date_index(postgres_only, account):
    now = timezone.now()
    # What a daily prune finds: a day or so of events past the retention, in a long log.
    log(account, 300, start=now - datetime.timedelta(days=401))
    log(account, 30_000, start=now - datetime.timedelta(days=399))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE accounts_event")
    old = Event.objects.filter(event_date__lt=now - datetime.timedelta(days=400))

    assert "event_date_brin_idx" in old.order_by().values("id")[:1000].explain(), "no BRIN"
    assert events_prune(before=now - datetime.timedelta(days=400), batch_size=100) == 300
    assert not old.exists()
    assert Event.objects.filter(event_date__gte=now - datetime.timedelta(days=400)).count() > 30_000


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_events_from_one_ip_address_come_from_their_index(postgres_only, account):
    # A rare address among many: without its index, the family's log is read to the end.
    now = timezone.now()
    log(account, 5000, start=now - datetime.timedelta(days=2), ip="198.51.100.1")
    log(account, 3, start=now - datetime.timedelta(days=3), ip="203.0.113.9")
    log(account, 500, start=now - datetime.timedelta(days=1))  # the console's own: no IP
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE accounts_event")

    rare = event_selectors.event_filter(
        event_selectors.activity_events(account=account), source_ip_address="203.0.113.9"
    )[:51]

    assert "event_main_account_ip_idx" in rare.explain(), rare.explain()
    assert [event.source_ip_address for event in rare] == ["203.0.113.9"] * 3
