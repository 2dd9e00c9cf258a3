"""What the console shows of the connectors: per connector its last receipt, counts by outcome,
refusals, pull cursors and feedback; deliveries with their lead and order."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Max, Q, QuerySet, Sum
from django.utils import timezone

from autodcc.channels import connectors
from autodcc.channels.models import (
    REPLAYABLE_OUTCOMES,
    Connector,
    Delivery,
    Feedback,
    FeedbackState,
    Outcome,
    PullCursor,
    Refusal,
)
from autodcc.core import phone

RECENT_DAYS = 7
OUTCOME_ORDER = [Outcome.CAPTURED, Outcome.JOINED, Outcome.ORDERED, Outcome.REJECTED, Outcome.FAILED]
_MOBILE = re.compile(r"(?<!\d)(1[3-9]\d)(\d{4})(\d{4})(?!\d)")


@dataclass
class Overview:
    name: str
    label: str
    configured: bool
    last_received_at: dt.datetime | None = None
    counts: dict[str, int] = field(default_factory=dict)  # outcome → deliveries in the recent days
    total: int = 0
    failed: int = 0  # replayable now, whatever their age
    refused: int = 0  # in the recent days
    cursors: list[PullCursor] = field(default_factory=list)
    feedback: dict[str, int] = field(default_factory=dict)
    takes_feedback: list[str] = field(default_factory=list)

    @property
    def by_outcome(self) -> list[tuple[str, str, int]]:
        return [(o.value, str(o.label), self.counts.get(o.value, 0)) for o in OUTCOME_ORDER]

    @property
    def pull_error(self) -> str:
        return next((c.last_error for c in self.cursors if c.last_error), "")


def overviews(*, now: dt.datetime | None = None) -> list[Overview]:
    """Every connector's figures, in five statements whatever the volume."""
    now = now or timezone.now()
    since = now - dt.timedelta(days=RECENT_DAYS)
    out = {c.value: Overview(c.value, str(c.label), bool(connectors.get(c.value) and connectors.get(c.value).configured),
                             takes_feedback=sorted(connectors.get(c.value).feedback_statuses))  # type: ignore[union-attr]
           for c in Connector}
    for row in Delivery.objects.values("connector").annotate(
            last=Max("last_received_at"), failed=Count("pk", filter=Q(outcome__in=REPLAYABLE_OUTCOMES))):
        out[row["connector"]].last_received_at, out[row["connector"]].failed = row["last"], row["failed"]
    for row in (Delivery.objects.filter(last_received_at__gte=since).values("connector", "outcome")
                .annotate(n=Count("pk"))):
        out[row["connector"]].counts[row["outcome"]] = row["n"]
        out[row["connector"]].total += row["n"]
    for row in (Refusal.objects.filter(day__gte=timezone.localdate(since)).values("connector")
                .annotate(n=Sum("count"))):
        out[row["connector"]].refused = row["n"] or 0
    for cursor in PullCursor.objects.order_by("stream"):
        out[cursor.connector].cursors.append(cursor)
    for row in Feedback.objects.values("delivery__connector", "state").annotate(n=Count("pk")):
        out[row["delivery__connector"]].feedback[row["state"]] = row["n"]
    return list(out.values())


def overview(name: str) -> Overview:
    return next(o for o in overviews() if o.name == name)


def refusals(name: str) -> QuerySet[Refusal]:
    since = timezone.localdate() - dt.timedelta(days=RECENT_DAYS)
    return Refusal.objects.filter(connector=name, day__gte=since).order_by("-day", "reason")


def deliveries(name: str, *, only_failed: bool = False, kind: str = "") -> QuerySet[Delivery]:
    qs = Delivery.objects.filter(connector=name).select_related("lead", "lead__dealer", "order").defer("body", "params")
    if only_failed:
        qs = qs.filter(outcome__in=REPLAYABLE_OUTCOMES)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("-last_received_at", "-id")


def failed_feedback(name: str) -> QuerySet[Feedback]:
    return (Feedback.objects.filter(delivery__connector=name, state=FeedbackState.FAILED)
            .select_related("delivery").order_by("-created_at")[:20])


def masked(text: str) -> str:
    """A raw body as staff see it: mobile numbers masked."""
    return _MOBILE.sub(lambda m: phone.mask(m.group(0)), text or "")


def readable_body(text: str) -> str:
    """A raw body laid out for reading (JSON indented, form fields one a line), mobiles masked."""
    import json
    from urllib.parse import parse_qsl

    text = text or ""
    try:
        laid = json.dumps(json.loads(text), ensure_ascii=False, indent=2)
    except ValueError:
        fields = parse_qsl(text, keep_blank_values=True) if "=" in text and "\n" not in text else []
        laid = "\n".join(f"{k}={v}" for k, v in fields) if fields else text
    return masked(laid)


def item_summary(delivery: Delivery) -> dict[str, Any]:
    """Who and what the platform sent, as the delivery lists show it (mobile masked)."""
    item = delivery.item or {}
    name = ""
    for key in ("name", "customerName", "userName", "user_name", "receiver_name"):
        if item.get(key):
            name = str(item[key])
            break
    mobile = ""
    for key in ("mobile", "userPhone", "phone", "receiver_mobile"):
        if item.get(key):
            mobile = masked(str(item[key]))
            break
    return {"name": name[:30], "mobile": mobile}

