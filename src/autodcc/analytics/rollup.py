"""Daily rollups: a day's events grouped into visits, each visit summarised (entry page, source,
campaign, what it did, the path it took to a goal), then counted for all visits and by source,
campaign and entry page. A day is recomputed whole, so a rollup can run again at any time.

A deposit counts for the visit in which its order was made, once the order is paid (read from the
order at rollup time): the scheduled rollup goes back ``ANALYTICS_ROLLUP_DAYS`` days so that a
deposit paid a few days after the visit is counted. A visit that runs past midnight counts on
each day for what it did that day.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import groupby
from typing import NamedTuple

from django.db import transaction
from django.utils import timezone

from autodcc.analytics.models import (
    PRODUCT_PAGES,
    DailyFigure,
    DailyPath,
    Dimension,
    Event,
    EventKind,
    Goal,
    PageType,
)

MAX_STEPS = 8
ELLIPSIS = "…"


class Ev(NamedTuple):
    at: dt.datetime
    visitor: str
    visit: str
    kind: str
    page: str
    subject: str
    path: str
    source: str
    campaign: str


@dataclass
class Visit:
    visitor: str
    entry: str = ""
    source: str = ""
    campaign: str = ""
    page_views: int = 0
    product_views: int = 0
    calculator: bool = False
    compare: bool = False
    enquiries: int = 0
    bookings: int = 0
    orders: int = 0
    deposits: int = 0
    paths: dict[str, str] = field(default_factory=dict)  # goal → path of page types


def split_visits(events: list[Ev]) -> list[list[Ev]]:
    """One visitor's events (in time order) by visit id; an event without one (a conversion whose
    page kept no visit cookie) joins the visit under way at that moment."""
    visits: dict[str, list[Ev]] = {}
    current = ""
    for e in events:
        key = e.visit or current
        if e.visit:
            current = e.visit
        visits.setdefault(key, []).append(e)
    return list(visits.values())


def path_text(steps: list[str]) -> str:
    """Page types in order, repeats in a row merged, the last MAX_STEPS kept: ``home>trim>booking``."""
    merged = [s for i, s in enumerate(steps) if i == 0 or s != steps[i - 1]]
    if len(merged) > MAX_STEPS:
        merged = [ELLIPSIS, *merged[-(MAX_STEPS - 1):]]
    return ">".join(merged)


def summarise(events: list[Ev], paid_orders: set[str]) -> Visit:
    """What one visit did (its events in time order)."""
    v = Visit(visitor=events[0].visitor)
    steps: list[str] = []
    for e in events:
        if e.kind == EventKind.PAGE_VIEW:
            if v.page_views == 0:
                v.entry, v.source = e.path, e.source
            v.page_views += 1
            v.product_views += e.page in PRODUCT_PAGES
            v.calculator |= e.page == PageType.CALCULATOR
            v.compare |= e.page == PageType.COMPARE and "," in e.subject
            steps.append(e.page)
        if e.campaign and not v.campaign:
            v.campaign = e.campaign
        goal = None
        if e.kind == EventKind.ENQUIRY:
            v.enquiries += 1
            goal = Goal.ENQUIRY
        elif e.kind == EventKind.BOOKING:
            v.bookings += 1
            goal = Goal.BOOKING
        elif e.kind == EventKind.ORDER:
            v.orders += 1
            if e.subject in paid_orders:
                v.deposits += 1
                goal = Goal.DEPOSIT
        if goal and goal not in v.paths and steps:
            v.paths[goal] = path_text(steps)
    return v


COUNTED = ("visits", "page_views", "product_views", "product_visits", "tool_visits", "calculator_visits",
           "compare_visits", "lead_visits", "deposit_visits", "enquiries", "bookings", "orders", "deposits")


def _add(row: Counter[str], v: Visit) -> None:
    row["visits"] += 1
    row["page_views"] += v.page_views
    row["product_views"] += v.product_views
    row["product_visits"] += v.product_views > 0
    row["tool_visits"] += v.calculator or v.compare
    row["calculator_visits"] += v.calculator
    row["compare_visits"] += v.compare
    row["lead_visits"] += (v.enquiries + v.bookings) > 0
    row["deposit_visits"] += v.deposits > 0
    row["enquiries"] += v.enquiries
    row["bookings"] += v.bookings
    row["orders"] += v.orders
    row["deposits"] += v.deposits


def day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    return start, timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))


def _events(day: dt.date) -> Iterator[Ev]:
    start, end = day_bounds(day)
    rows = (Event.objects.filter(at__gte=start, at__lt=end).exclude(kind=EventKind.CONSENT)
            .order_by("visitor", "at", "id")
            .values_list("at", "visitor", "visit", "kind", "page", "subject", "path", "source", "campaign"))
    for row in rows.iterator(chunk_size=5000):
        yield Ev(*row)


def _paid(order_ids: Iterable[str]) -> set[str]:
    from autodcc.orders.models import Order

    ids = {int(i) for i in order_ids if i.isdigit()}
    if not ids:
        return set()
    return {str(pk) for pk in Order.objects.filter(pk__in=ids, paid_at__isnull=False).values_list("pk", flat=True)}


def rollup_day(day: dt.date) -> dict[str, int]:
    """Recompute ``day``'s figures and paths; returns the day's totals."""
    start, end = day_bounds(day)
    order_ids = (Event.objects.filter(at__gte=start, at__lt=end, kind=EventKind.ORDER)
                 .values_list("subject", flat=True))
    paid = _paid(order_ids)
    figures: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    visitors: dict[tuple[str, str], set[str]] = defaultdict(set)
    paths: Counter[tuple[str, str]] = Counter()
    for visitor, own in groupby(_events(day), key=lambda e: e.visitor):
        for visit_events in split_visits(list(own)):
            v = summarise(visit_events, paid)
            for key in ((Dimension.ALL, ""), (Dimension.SOURCE, v.source), (Dimension.CAMPAIGN, v.campaign),
                        (Dimension.ENTRY, v.entry)):
                _add(figures[key], v)
                visitors[key].add(visitor)
            for goal, path in v.paths.items():
                paths[(goal, path)] += 1
    rows = [DailyFigure(day=day, dimension=dim, key=key, visitors=len(visitors[(dim, key)]),
                        **{name: counts[name] for name in COUNTED})
            for (dim, key), counts in figures.items()]
    with transaction.atomic():
        DailyFigure.objects.filter(day=day).delete()
        DailyPath.objects.filter(day=day).delete()
        DailyFigure.objects.bulk_create(rows)
        DailyPath.objects.bulk_create([DailyPath(day=day, goal=g, path=p, visits=n) for (g, p), n in paths.items()])
    total = figures.get((Dimension.ALL, ""), Counter())
    return {"visitors": len(visitors.get((Dimension.ALL, ""), set())), **{k: total[k] for k in COUNTED}}
