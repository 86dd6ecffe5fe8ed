"""gunicorn's configuration for the console in production:

    .venv/bin/gunicorn -c console/gunicorn.conf.py

The console's settings come from the environment (README, Configuration); so do these:
HOST and PORT (where it listens; 127.0.0.1:8000 by default, behind a proxy on the same host),
WEB_CONCURRENCY (worker processes, 2 per core plus 1 by default), GUNICORN_TIMEOUT and
GUNICORN_MAX_REQUESTS (requests a worker serves before it is replaced; 0 never).
"""

import multiprocessing
import os
import sys

wsgi_app = "console.wsgi:application"
bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
# Sync workers: one request at a time per process, so one database connection per process,
# which CONN_MAX_AGE keeps open between requests (and CONN_HEALTH_CHECKS replaces when the
# database restarted).
worker_class = "sync"
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = timeout
keepalive = 5
# Recycle workers now and then, so that a slow leak cannot grow without bound; not so often
# that restarts cost much: a new worker spends about 1.5 s of CPU booting and warming up (its
# compiled queries, templates, URLs and remembered pages), and serves nothing meanwhile. At
# 10,000 requests that was every 20 s per worker at 500 req/s (7% of its CPU, and the load
# benchmark's noisiest figures); at 100,000, every 3 minutes. What a worker keeps is bounded
# (accounts/lru.py).
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "100000"))
max_requests_jitter = max_requests // 10
accesslog = "-"
errorlog = "-"


def on_starting(server):
    """Refuse to start, with one line instead of a worker's traceback, when the settings are
    unusable (SECRET_KEY missing while DEBUG is off)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "console.settings")
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured

    try:
        settings.INSTALLED_APPS  # noqa: B018 - loads console/settings.py, which checks
    except ImproperlyConfigured as error:
        server.log.error("The console cannot start: %s", error)
        sys.exit(1)
