"""Helpers of the complaint tests: a complaint as the store files it, and the moments of a
working day (the dealers of the personas open 08:30–18:00 every day; HQ 09:00–18:00 on working days)."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest
from django.utils import timezone

from autodcc.core import workhours
from autodcc.core.actors import consumer

_phones = itertools.count(1)


def working_day(start: dt.date | None = None) -> dt.date:
    """The next Monday–Friday that is neither a holiday nor a make-up day (both HQ and dealers open)."""
    day = (start or timezone.localdate()) + dt.timedelta(days=1)
    while not (workhours.is_open_day(day, "12345") and day.isoweekday() <= 5):
        day += dt.timedelta(days=1)
    return day


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), workhours.SHANGHAI)


@pytest.fixture
def file_complaint():
    """``file_complaint(category=..., dealer=..., order=..., now=...)``: a consumer's complaint."""
    from autodcc.feedback import services
    from autodcc.feedback.models import Source

    def make(category: str = "sales_service", *, actor: Any = None, source: str = Source.STORE, now: Any = None,
             **values: Any):
        data = {"name": "李娜", "phone": f"1367777{next(_phones):04d}", "category": category,
                "description": "销售顾问承诺的赠品没有兑现。", "consent_version": "store-2026-01", "consent_share": True}
        data.update(values)
        order = data.pop("order_obj", None)
        complaint, _created = services.complaint_file(actor=actor or consumer("storefront"),
                                                      data=services.ComplaintInput(**data), source=source,
                                                      order=order, now=now)
        return complaint

    return make
