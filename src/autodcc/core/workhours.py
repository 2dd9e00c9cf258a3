"""Clocks that run only while a dealer is open: opening hours on open days.

An open day is one of the dealer's opening weekdays that is not an official holiday, or a
make-up workday (调休) whatever its weekday; holidays and make-up days come from chinese-calendar.
Years the calendar does not cover fall back to the weekday rule alone.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from functools import lru_cache
from zoneinfo import ZoneInfo

import chinese_calendar

log = logging.getLogger(__name__)
SHANGHAI = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class OpeningHours:
    opens: dt.time
    closes: dt.time
    weekdays: str = "1234567"  # ISO weekdays the dealer opens on

    @classmethod
    def of(cls, dealer: object) -> OpeningHours:
        return cls(dealer.opens_at, dealer.closes_at, dealer.open_weekdays)  # type: ignore[attr-defined]


@lru_cache(maxsize=4096)
def _calendar(day: dt.date) -> tuple[bool, bool]:
    """(official holiday, make-up workday) for ``day``."""
    try:
        is_holiday, name = chinese_calendar.get_holiday_detail(day)
        makeup = chinese_calendar.is_workday(day) and day.weekday() >= 5
    except NotImplementedError:
        return False, False
    return bool(is_holiday and name), makeup


def is_open_day(day: dt.date, weekdays: str) -> bool:
    holiday, makeup = _calendar(day)
    if makeup:
        return True
    return str(day.isoweekday()) in weekdays and not holiday


def add_open_minutes(start: dt.datetime, minutes: int, hours: OpeningHours, tz: ZoneInfo = SHANGHAI) -> dt.datetime:
    """The moment ``minutes`` of opening time after ``start`` (aware datetimes)."""
    cursor = start.astimezone(tz)
    remaining = dt.timedelta(minutes=minutes)
    for _ in range(400):
        day = cursor.date()
        if is_open_day(day, hours.weekdays):
            opens = dt.datetime.combine(day, hours.opens, tz)
            closes = dt.datetime.combine(day, hours.closes, tz)
            begin = max(cursor, opens)
            if begin < closes:
                available = closes - begin
                if remaining <= available:
                    return begin + remaining
                remaining -= available
        cursor = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tz)
    raise ValueError("no opening time within 400 days")


def open_minutes_between(start: dt.datetime, end: dt.datetime, hours: OpeningHours, tz: ZoneInfo = SHANGHAI) -> int:
    """Opening minutes elapsed from ``start`` to ``end`` (0 if end is before start)."""
    if end <= start:
        return 0
    cursor, end = start.astimezone(tz), end.astimezone(tz)
    total = dt.timedelta()
    while cursor < end:
        day = cursor.date()
        if is_open_day(day, hours.weekdays):
            opens = dt.datetime.combine(day, hours.opens, tz)
            closes = dt.datetime.combine(day, hours.closes, tz)
            begin, finish = max(cursor, opens), min(end, closes)
            if finish > begin:
                total += finish - begin
        cursor = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tz)
    return int(total.total_seconds() // 60)


def next_open_day(day: dt.date, weekdays: str) -> dt.date:
    for n in range(1, 400):
        candidate = day + dt.timedelta(days=n)
        if is_open_day(candidate, weekdays):
            return candidate
    raise ValueError("no open day within 400 days")


def previous_open_day(day: dt.date, weekdays: str) -> dt.date:
    for n in range(1, 400):
        candidate = day - dt.timedelta(days=n)
        if is_open_day(candidate, weekdays):
            return candidate
    raise ValueError("no open day within 400 days")
