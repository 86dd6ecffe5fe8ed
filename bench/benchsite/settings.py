"""The load benchmark's settings: the production settings (console/settings.py, read from the
environment exactly as in production) with the benchmark's own URL configuration, which adds
the two baseline views. Only bench/load.py uses this module."""

from console.settings import *  # noqa: F403
from console.settings import BASE_DIR, TEMPLATES

ROOT_URLCONF = "bench.benchsite.urls"
TEMPLATES[0]["DIRS"] = [*TEMPLATES[0]["DIRS"], BASE_DIR / "bench" / "benchsite" / "templates"]
