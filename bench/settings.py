"""autodcc's settings plus a tiny bench app and URLs (used by the benchmarks only)."""

from autodcc.settings import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "bench.benchapp"]  # noqa: F405
ROOT_URLCONF = "bench.urls"
