"""Shared by the store tests: the demo catalogue, the next open day and a local time on it."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone


def next_open_day(days: int = 2) -> dt.date:
    from autodcc.core import workhours

    day = timezone.localdate() + dt.timedelta(days=days)
    while not workhours.is_open_day(day, "1234567"):
        day += dt.timedelta(days=1)
    return day


def local(day: dt.date, hour: int, minute: int = 30) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def build_catalogue() -> None:
    from autodcc.catalog import demo as catalog_demo
    from autodcc.testdrives import demo as testdrive_demo

    catalog_demo.build()
    testdrive_demo.build()
