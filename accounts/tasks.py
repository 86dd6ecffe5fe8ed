"""Background work, with Django's tasks framework (`django.tasks`): usage-trigger callbacks,
emails, and the periodic sweep of usage triggers.

In production the backend is django-tasks-db: a task is a row in the database, and
`manage.py db_worker` processes (as many as wanted) claim and run them; `manage.py
schedule_periodic` queues the periodic ones. `enqueue` queues a task *inside* the caller's
transaction, so a write that rolls back queues nothing and a committed one cannot lose its
task. A backend that keeps no rows (the test suite's immediate backend) gets the task once the
transaction commits instead.

The task bodies import the services when they run: the services queue these tasks, so the
import goes one way at load time.
"""

from django.core.mail import send_mail
from django.db import transaction
from django.tasks import task
from django_tasks_db import DatabaseBackend

SWEEP_TASK_PATH = "accounts.tasks.usage_triggers_sweep"


def enqueue(task_, *args, run_after=None):
    """Queue `task_(*args)` as part of the current transaction."""
    backend = task_.get_backend()
    if run_after is not None and backend.supports_defer:
        task_ = task_.using(run_after=run_after)
    if isinstance(backend, DatabaseBackend):
        return task_.enqueue(*args)
    transaction.on_commit(lambda: task_.enqueue(*args))
    return None


@task
def email_send(subject, body, from_email, recipients):
    """One email (invitations)."""
    send_mail(subject, body, from_email, recipients)


@task
def usage_trigger_deliver(delivery_id):
    """One try at a usage trigger's callback; the service records it and queues the next try
    when it failed and tries are left."""
    from .services import triggers

    return triggers.usage_trigger_delivery_try(delivery_id=delivery_id)


@task
def usage_triggers_sweep():
    """Fire the triggers whose value is reached in their current period (recurring ones
    start again each day, month or year), and queue again any stuck callback."""
    from .services import triggers
    from .services.events import Actor

    return triggers.usage_triggers_sweep(actor=Actor.system())
