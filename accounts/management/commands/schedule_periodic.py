import signal
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django_tasks_db.models import DBTaskResult

from accounts.services import deletion, triggers

# The periodic sweeps: (what it is, its task's path, the task).
SWEEPS = [
    ("usage-trigger sweep", triggers.SWEEP_TASK_PATH, triggers.usage_triggers_sweep_task),
    (
        "deletion of closed subaccounts",
        deletion.SWEEP_TASK_PATH,
        deletion.closed_subaccounts_delete_task,
    ),
]


def _queue(task_path, task):
    if DBTaskResult.objects.filter(status="READY", task_path=task_path).exists():
        return False
    task.enqueue()
    return True


def sweep_queue():
    """Queue the usage-trigger sweep unless one is already waiting (several schedulers, or a
    slow worker, then never pile sweeps up). Answers whether it queued one."""
    return _queue(triggers.SWEEP_TASK_PATH, triggers.usage_triggers_sweep_task)


def sweeps_queue():
    """Queue every periodic sweep that is not already waiting: {name: queued}."""
    return {name: _queue(path, task) for name, path, task in SWEEPS}


class Command(BaseCommand):
    help = (
        "Queue the periodic tasks (the usage-trigger sweep, the deletion of closed subaccounts) "
        "for the workers "
        "(manage.py db_worker), every USAGE_TRIGGER_SWEEP_SECONDS (default 300). With --once, "
        "queue them once and exit (for cron). Run one of these next to the workers."
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Queue once, then exit.")
        parser.add_argument(
            "--interval",
            type=float,
            default=None,
            help="Seconds between sweeps (default: settings.USAGE_TRIGGER_SWEEP_SECONDS).",
        )

    def handle(self, *args, once=False, interval=None, **options):
        interval = interval or settings.USAGE_TRIGGER_SWEEP_SECONDS
        self.verbosity = options.get("verbosity", 1)
        if once:
            self._queue()
            return
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        self.stdout.write(f"Queueing the periodic sweeps every {interval:g} s (Ctrl-C stops).")
        try:
            while True:
                self._queue()
                time.sleep(interval)
        except KeyboardInterrupt:
            pass

    def _queue(self):
        for name, queued in sweeps_queue().items():
            if self.verbosity > 1:
                self.stdout.write(
                    f"Queued the {name}." if queued else f"The {name} is already queued."
                )
