"""Stopping a service half-way, at a known point, so that a second one runs into the gap.

`lock_held` takes a row or table lock on a connection of its own; a service started with
`start` then waits on that lock in the middle of its transaction. `wait_until_blocked` waits
until PostgreSQL reports that many connections waiting for a lock, so a test knows where every
thread stands before it lets them go. PostgreSQL only (SQLite has no row locks).
"""

import contextlib
import threading
import time

from django.db import connection, transaction

TIMEOUT = 15


class Started:
    """A task running in its own thread, on its own database connection."""

    def __init__(self, task):
        self._outcome = None
        self._thread = threading.Thread(target=self._run, args=(task,))
        self._thread.start()

    def _run(self, task):
        try:
            self._outcome = task()
        except Exception as error:  # noqa: BLE001 - every outcome is asserted by the test
            self._outcome = error
        finally:
            connection.close()

    @property
    def finished(self):
        return not self._thread.is_alive()

    def outcome(self):
        """What the task returned or raised."""
        self._thread.join(timeout=TIMEOUT)
        assert not self._thread.is_alive(), "a task is stuck"
        return self._outcome


def start(task):
    return Started(task)


@contextlib.contextmanager
def lock_held(sql, params=None):
    """Run `sql` (a SELECT … FOR UPDATE, a LOCK TABLE) in a transaction on another connection
    and keep that transaction open until the block ends."""
    taken, release = threading.Event(), threading.Event()
    failures = []

    def hold():
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(sql, params)
                taken.set()
                release.wait(timeout=TIMEOUT)
        except Exception as error:  # noqa: BLE001 - reported below
            failures.append(error)
            taken.set()
        finally:
            connection.close()

    holder = threading.Thread(target=hold)
    holder.start()
    taken.wait(timeout=TIMEOUT)
    assert not failures, failures
    try:
        yield
    finally:
        release.set()
        holder.join(timeout=TIMEOUT)


def blocked_count():
    """How many other connections to this database wait for a lock right now."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


def wait_until_blocked(count, *, unless_finished=None):
    """Wait until `count` connections wait for a lock, or until the task `unless_finished`
    has finished without waiting (the outcome then tells the test what went wrong)."""
    deadline = time.monotonic() + TIMEOUT
    while blocked_count() < count:
        if unless_finished is not None and unless_finished.finished:
            return
        assert time.monotonic() < deadline, f"fewer than {count} connections ever waited"
        time.sleep(0.02)
