"""Background tasks in tests.

The suite's backend is Django's immediate backend: a task queued in a service runs as soon as
the transaction commits (in tests, inside `django_capture_on_commit_callbacks(execute=True)`).
`database_tasks` switches to the production backend (django-tasks-db), where a task is a row
written in the service's own transaction; `run_queued_tasks` then runs the ready rows in this
process as the worker would (`manage.py db_worker` runs the same `Worker.run_task`).
"""

import pytest
from asgiref.local import Local
from django.db.models import Q
from django.tasks import task_backends
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult, get_date_max


def _reset_backends():
    task_backends._settings = None
    task_backends.__dict__.pop("settings", None)
    task_backends._connections = Local(task_backends.thread_critical)


@pytest.fixture
def database_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    _reset_backends()
    yield
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    _reset_backends()


def run_queued_tasks(*, until=None, limit=50):
    """Run the queued tasks that are ready (by `until`, default now: pass a later moment to
    run deferred retries), as many rounds as they queue more. Answers how many ran."""
    worker = Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="tests",
        excluded_queue_names=[],
    )
    ran = 0
    while ran < limit:
        moment = until or timezone.now()
        ready = (
            DBTaskResult.objects.filter(status="READY")
            .filter(Q(run_after=get_date_max()) | Q(run_after__lte=moment))
            .order_by("run_after", "enqueued_at")
            .first()
        )
        if ready is None:
            return ran
        ready.claim(worker.worker_id)
        worker.run_task(ready)
        ran += 1
    return ran
