"""The maintenance arithmetic, pure: the next service's date and mileage from the schedule, the
purchase date, the last service and the mileages recorded (CARE-2).

A service is due at N months or N km, whichever comes first. The date by time is a calendar
step; the date by mileage is extrapolated from how far the owner drives a day, measured from the
delivery (0 km) or the first reading to the latest reading."""

from __future__ import annotations

import calendar
import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass

MIN_SPAN_DAYS = 7  # a driving rate needs readings at least a week apart


@dataclass(frozen=True)
class Interval:
    first_months: int
    first_km: int
    every_months: int
    every_km: int


@dataclass(frozen=True)
class Reading:
    on: dt.date
    km: int


@dataclass(frozen=True)
class Due:
    on: dt.date
    km: int
    reason: str  # "time" or "km"
    km_per_day: float | None


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later (the month's last day when it is shorter: 31 Jan + 1 → 28/29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def km_per_day(readings: Sequence[Reading], purchase_date: dt.date | None) -> float | None:
    """How far the car goes a day: from the delivery at 0 km (or the earliest reading) to the
    latest reading; None when the readings span less than a week or show no driving."""
    if not readings:
        return None
    latest = max(readings, key=lambda r: (r.on, r.km))
    base = Reading(purchase_date, 0) if purchase_date is not None else min(readings, key=lambda r: (r.on, r.km))
    days = (latest.on - base.on).days
    if days < MIN_SPAN_DAYS or latest.km <= base.km:
        return None
    return (latest.km - base.km) / days


def next_due(interval: Interval, *, purchase_date: dt.date | None, last_service: Reading | None,
             readings: Sequence[Reading]) -> Due | None:
    """The next service: after the last one (every M months / K km) or, before any, after the
    purchase (N months / N km); whichever of the date and the extrapolated mileage comes first."""
    if last_service is not None:
        start, start_km = last_service.on, last_service.km
        months, km = interval.every_months, interval.every_km
    elif purchase_date is not None:
        start, start_km = purchase_date, 0
        months, km = interval.first_months, interval.first_km
    else:
        return None
    by_time = add_months(start, months)
    due_km = start_km + km
    points = [*readings, *([last_service] if last_service else [])]
    rate = km_per_day(points, purchase_date)
    if rate:
        latest = max(points, key=lambda r: (r.on, r.km))
        left = due_km - latest.km
        # Days until the mileage falls due; a car barely driven would reach it centuries later,
        # so only the days before the date falls due are worth counting.
        days_left = 0 if left <= 0 else math.ceil(left / rate)
        if days_left < (by_time - latest.on).days:
            return Due(latest.on + dt.timedelta(days=days_left), due_km, "km", rate)
    return Due(by_time, due_km, "time", rate)


def add_offset(day: dt.date, offset: int, unit: str) -> dt.date:
    return day + dt.timedelta(days=offset) if unit == "day" else add_months(day, offset)
