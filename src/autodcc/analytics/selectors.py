"""Reads of the rollups for the console: the funnel, the figures by day, source, campaign and
entry page, and the top paths to each goal over a date range."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Sum

from autodcc.analytics.models import FIGURES, DailyFigure, DailyPath, Dimension, Goal, PageType
from autodcc.core.actors import Actor
from autodcc.core.errors import Forbidden

SUMMED = tuple(f for f in FIGURES)
TOP = 20


@dataclass
class Report:
    date_from: dt.date
    date_to: dt.date
    total: dict[str, int]
    days: list[tuple[dt.date, dict[str, int]]]
    by: dict[str, list[tuple[str, dict[str, int]]]]
    paths: dict[str, list[tuple[str, int]]] = field(default_factory=dict)


def _sums(queryset: Any) -> dict[str, int]:
    row = queryset.aggregate(**{f: Sum(f) for f in SUMMED})
    return {f: int(row[f] or 0) for f in SUMMED}


def path_steps(path: str) -> list[str]:
    """``home>trim>booking`` → the page types' labels."""
    labels = dict(PageType.choices)
    return [str(labels.get(step, step)) for step in path.split(">") if step]


def report(*, actor: Actor, date_from: dt.date, date_to: dt.date) -> Report:
    if not actor.can("analytics.view"):
        raise Forbidden("analytics.view")
    days = DailyFigure.objects.filter(day__gte=date_from, day__lte=date_to)
    total = _sums(days.filter(dimension=Dimension.ALL))
    per_day = {d: {f: 0 for f in SUMMED} for d in
               (date_from + dt.timedelta(days=n) for n in range((date_to - date_from).days + 1))}
    for row in days.filter(dimension=Dimension.ALL).values("day", *SUMMED):
        per_day[row["day"]] = {f: row[f] for f in SUMMED}
    by: dict[str, list[tuple[str, dict[str, int]]]] = {}
    for dim in (Dimension.SOURCE, Dimension.CAMPAIGN, Dimension.ENTRY):
        rows = (days.filter(dimension=dim).values("key").annotate(**{f"s_{f}": Sum(f) for f in SUMMED})
                .order_by("-s_visits", "key")[:TOP])
        by[dim] = [(r["key"], {f: int(r[f"s_{f}"] or 0) for f in SUMMED}) for r in rows]
    paths: dict[str, list[tuple[str, int]]] = {}
    for goal in (Goal.DEPOSIT, Goal.BOOKING, Goal.ENQUIRY):
        rows = (DailyPath.objects.filter(day__gte=date_from, day__lte=date_to, goal=goal).values("path")
                .annotate(n=Sum("visits")).order_by("-n", "path")[:10])
        paths[goal] = [(r["path"], int(r["n"])) for r in rows]
    return Report(date_from, date_to, total, sorted(per_day.items()), by, paths)
