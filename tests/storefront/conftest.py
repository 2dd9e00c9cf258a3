"""The store's tests: a demo catalogue with test-drive cars, plain static URLs, pictures in a
temporary media folder, and a fresh rate-limit count for every test."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone


@pytest.fixture(autouse=True)
def store_settings(settings: Any, tmp_path: Any) -> None:
    # the manifest storage would look for storefront/*.css in a collectstatic run that predates them
    settings.STORAGES = {**settings.STORAGES,
                         "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def fresh_cache() -> Any:
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def build_catalogue() -> None:
    from autodcc.catalog import demo as catalog_demo
    from autodcc.testdrives import demo as testdrive_demo

    catalog_demo.build()
    testdrive_demo.build()


@pytest.fixture
def shop(net: Any) -> Any:
    """The persona network with the demo catalogue and a test-drive S7 at every dealer."""
    build_catalogue()
    return net


def next_open_day(days: int = 2) -> dt.date:
    from autodcc.core import workhours

    day = timezone.localdate() + dt.timedelta(days=days)
    while not workhours.is_open_day(day, "1234567"):
        day += dt.timedelta(days=1)
    return day


def local(day: dt.date, hour: int, minute: int = 30) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))
