"""Reads of complaints: the console's list with its filters, one complaint with its history, and
the report by category, dealer and time to resolve."""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from autodcc.core.actors import Actor
from autodcc.feedback.models import OPEN_STATUSES, Category, Complaint, Queue


def complaints_for(actor: Actor) -> QuerySet[Complaint]:
    """The complaints a person may see: HQ all; a region its dealers'; a dealer's staff their
    dealer's (those an HQ department handles about their dealer included)."""
    return Complaint.objects.visible_to(actor).select_related("dealer", "customer", "assignee")


def overdue_q(now: dt.datetime) -> Q:
    return Q(status__in=sorted(OPEN_STATUSES)) & (
        Q(first_response_at__isnull=True, respond_by__lte=now) | Q(resolve_by__lte=now))


def complaint_filter(qs: QuerySet[Complaint], filters: dict[str, Any], now: dt.datetime | None = None,
                     ) -> QuerySet[Complaint]:
    now = now or timezone.now()
    if filters.get("status") == "open":
        qs = qs.filter(status__in=sorted(OPEN_STATUSES))
    elif filters.get("status"):
        qs = qs.filter(status=filters["status"])
    if filters.get("category"):
        qs = qs.filter(category=filters["category"])
    if filters.get("dealer"):
        qs = qs.filter(dealer=filters["dealer"])
    if filters.get("queue"):
        qs = qs.filter(queue=filters["queue"])
    if filters.get("overdue"):
        qs = qs.filter(overdue_q(now))
    if filters.get("mine") and filters.get("staff_id"):
        qs = qs.filter(assignee_id=filters["staff_id"])
    q = (filters.get("q") or "").strip()
    if q:
        qs = qs.filter(Q(number__icontains=q) | Q(contact_name__icontains=q) | Q(customer__name__icontains=q))
    return qs.order_by("-created_at", "-id")


@dataclass
class Group:
    key: Any
    label: str
    filed: int = 0
    open: int = 0
    resolved: int = 0
    in_time: int = 0
    confirmed: int = 0
    reopened: int = 0
    minutes: list[int] = field(default_factory=list)

    @property
    def median_hours(self) -> float | None:
        return round(statistics.median(self.minutes) / 60, 1) if self.minutes else None

    @property
    def in_time_rate(self) -> float | None:
        return round(100 * self.in_time / self.resolved, 1) if self.resolved else None


@dataclass
class Report:
    start: dt.date
    end: dt.date
    total: Group
    by_category: list[Group]
    by_dealer: list[Group]
    buckets: list[tuple[str, int]]


BUCKETS = ((8 * 60, "≤ 1"), (3 * 8 * 60, "1–3"), (5 * 8 * 60, "3–5"), (10 * 8 * 60, "5–10"))


def report(actor: Actor, start: dt.date, end: dt.date, hq_label: str) -> Report:
    """Complaints filed from ``start`` to ``end`` (local days) that the actor may see, grouped by
    category and by dealer: filed, still open, resolved, resolved within the SLA, confirmed by the
    consumer, reopened, and the median opening hours to resolve."""
    first = timezone.make_aware(dt.datetime.combine(start, dt.time.min))
    last = timezone.make_aware(dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min))
    rows = (Complaint.objects.visible_to(actor).filter(created_at__gte=first, created_at__lt=last)
            .values_list("category", "dealer_id", "dealer__short_name", "dealer__name", "queue", "status",
                         "minutes_to_resolve", "resolved_in_time", "reopen_count", "confirmed_at"))
    total = Group("all", "")
    categories = {c: Group(c, str(label)) for c, label in Category.choices}
    dealers: dict[Any, Group] = {}
    bucket_counts = [0] * (len(BUCKETS) + 1)
    for category, dealer_id, short, name, _queue, status, minutes, in_time, reopened, confirmed in rows:
        key = dealer_id if dealer_id is not None else "hq"
        if key not in dealers:
            dealers[key] = Group(key, (short or name) if dealer_id is not None else hq_label)
        for g in (total, categories[category], dealers[key]):
            g.filed += 1
            g.open += status in OPEN_STATUSES
            g.reopened += reopened > 0
            g.confirmed += confirmed is not None
            if minutes is not None:
                g.resolved += 1
                g.in_time += bool(in_time)
                g.minutes.append(minutes)
        if minutes is not None:
            index = next((i for i, (limit, _label) in enumerate(BUCKETS) if minutes <= limit), len(BUCKETS))
            bucket_counts[index] += 1
    labels = [label for _limit, label in BUCKETS] + ["> 10"]
    return Report(start, end, total, list(categories.values()),
                  sorted(dealers.values(), key=lambda g: (g.key == "hq", -g.filed, g.label)),
                  list(zip(labels, bucket_counts, strict=True)))


__all__ = ["Queue", "complaint_filter", "complaints_for", "overdue_q", "report"]
