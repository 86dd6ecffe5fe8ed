"""The load benchmark's settings: the production settings (console/settings.py, read from the
environment exactly as in production) with the benchmark's own URL configuration, which adds
the two baseline views. Only bench/load.py uses this module."""

from console.settings import *  # noqa: F403

ROOT_URLCONF = "bench.benchsite.urls"
