"""Pure rules of the lead spine: grade cadence, the even split, the nearest choice, SLA defaults."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from autodcc.core.geo import haversine_km

DEFAULT_SLA_MINUTES = 30
# revisit interval per grade, days (a dealer CRM's configurable ranges: H 1–2, A 1–4, B 1–7, C 1–15)
DEFAULT_GRADE_INTERVALS: dict[str, int] = {"N": 1, "H": 1, "A": 3, "B": 7, "C": 15}
# purchase window per grade, days (H within 7 days, A 15, B 30, C 2–3 months)
DEFAULT_GRADE_WINDOWS: dict[str, int] = {"H": 7, "A": 15, "B": 30, "C": 90}
DEFAULT_POST_DELIVERY_DAYS: list[int] = [1, 7, 30]


def interval_for(grade: str, intervals: Mapping[str, int] | None = None) -> int:
    merged = {**DEFAULT_GRADE_INTERVALS, **(intervals or {})}
    return int(merged.get(grade, merged["N"]))


def next_follow_up(grade: str, today: dt.date, intervals: Mapping[str, int] | None = None) -> dt.date:
    """The grade sets the next revisit date."""
    return today + dt.timedelta(days=interval_for(grade, intervals))


def grade_for_purchase(expected: dt.date | None, today: dt.date, windows: Mapping[str, int] | None = None) -> str:
    """The grade an expected purchase date suggests (N when unknown)."""
    if expected is None:
        return "N"
    merged = {**DEFAULT_GRADE_WINDOWS, **(windows or {})}
    days = (expected - today).days
    for grade in ("H", "A", "B", "C"):
        if days <= merged[grade]:
            return grade
    return "C"


def choose_even(counts: Mapping[int, int]) -> int:
    """The key with the fewest so far; ties go to the smallest key. ``counts`` is not empty."""
    return min(counts, key=lambda key: (counts[key], key))


def nearest_ids(lat: float, lng: float, candidates: Iterable[tuple[int, float, float]]) -> tuple[list[int], float]:
    """All candidate ids at the smallest distance (dealers of one city share its centre) and that distance."""
    best: list[int] = []
    best_km = float("inf")
    for key, c_lat, c_lng in candidates:
        km = haversine_km(lat, lng, c_lat, c_lng)
        if km < best_km - 1e-9:
            best, best_km = [key], km
        elif abs(km - best_km) <= 1e-9:
            best.append(key)
    return sorted(best), best_km
