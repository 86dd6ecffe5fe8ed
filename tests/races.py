"""Running requests at the same moment, each thread on its own database connection, for the
concurrency tests (PostgreSQL only: SQLite has no row locks)."""

import threading

from django.db import connection


def run_at_once(*tasks):
    """Run each task in its own thread (and connection), released together by a barrier.
    Returns what each task returned or raised, in order."""
    barrier = threading.Barrier(len(tasks))
    outcomes = [None] * len(tasks)

    def run(index, task):
        try:
            barrier.wait(timeout=10)
            outcomes[index] = task()
        except Exception as error:  # noqa: BLE001 - every outcome is asserted by the test
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=item) for item in enumerate(tasks)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads), "a thread is stuck"
    return outcomes


def split(outcomes, refusal):
    """(successes, refusals); anything else (a deadlock, a lost lock) fails the test."""
    unexpected = [o for o in outcomes if isinstance(o, Exception) and not isinstance(o, refusal)]
    assert not unexpected, unexpected
    return (
        [o for o in outcomes if not isinstance(o, Exception)],
        [o for o in outcomes if isinstance(o, refusal)],
    )
