"""Background work, with Django's tasks framework (`django.tasks`): usage-trigger callbacks,
emails, and the periodic sweep of usage triggers.

In production the backend is django-tasks-db: a task is a row in the database, and
`manage.py db_worker` processes (as many as wanted) claim and run them; `manage.py
schedule_periodic` queues the periodic ones. `enqueue` queues a task *inside* the caller's
transaction, so a write that rolls back queues nothing and a committed one cannot lose its
task. A backend that keeps no rows (the test suite's immediate backend) gets the task once the
transaction commits instead.

Tasks that run a service live next to it (`services.triggers.usage_trigger_deliver`, …):
the services queue them, so this module stays below the services and imports none of them.
"""

from django.core.mail import send_mail
from django.db import transaction
from django.tasks import task
from django_tasks_db import DatabaseBackend


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
