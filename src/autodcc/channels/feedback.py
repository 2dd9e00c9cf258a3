"""Status feedback to the platforms: when a platform's lead is contacted, found invalid or
arrives in the showroom, the platform hears of it (where it takes that status), once per status.

A sweep reads the platform leads whose status changed (the lead's own stamps: first contact,
arrival, the invalid status) and queues one :class:`Feedback` row and one outbox event each;
the outbox sends it with retries (:func:`send`), the transport injectable for tests. Leads
received more than ``WINDOW`` ago are no longer told about.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from autodcc.channels import connectors
from autodcc.channels.connectors.transport import Transport, urllib_transport
from autodcc.channels.models import DONE_OUTCOMES, Delivery, DeliveryKind, Feedback, FeedbackState, FeedbackStatus
from autodcc.core import outbox
from autodcc.leads.models import Status

TOPIC = "channels.feedback"
WINDOW = dt.timedelta(days=60)
_transport: list[Transport] = []  # tests put a fake platform here


def use_transport(transport: Transport | None) -> None:
    _transport.clear()
    if transport is not None:
        _transport.append(transport)


def _takers() -> dict[str, Any]:
    return {name: c for name, c in connectors.CONNECTORS.items() if c.gives_feedback}


def feedback_sweep(*, now: dt.datetime | None = None) -> int:
    """Queue the feedback due: one row and one outbox event per (platform lead, status)."""
    now = now or timezone.now()
    takers = _takers()
    if not takers:
        return 0
    found = (Delivery.objects.filter(kind=DeliveryKind.LEAD, connector__in=list(takers), outcome__in=DONE_OUTCOMES,
                                     lead__isnull=False, received_at__gte=now - WINDOW)
             .filter(Q(lead__contacted_at__isnull=False) | Q(lead__arrived_at__isnull=False)
                     | Q(lead__status=Status.INVALID))
             .values_list("pk", "connector", "platform_id", "lead__contacted_at", "lead__arrived_at", "lead__status"))
    wanted: list[tuple[int, str]] = []
    for pk, name, platform_id, contacted, arrived, status in found:
        if not takers[name].takes_feedback_for(platform_id):
            continue
        taken = takers[name].feedback_statuses
        for fb, holds in ((FeedbackStatus.CONTACTED, contacted is not None), (FeedbackStatus.ARRIVED, arrived is not None),
                          (FeedbackStatus.INVALID, status == Status.INVALID)):
            if holds and fb in taken:
                wanted.append((pk, fb))
    if not wanted:
        return 0
    try:
        with transaction.atomic():
            have = set(Feedback.objects.filter(delivery_id__in={pk for pk, _s in wanted})
                       .values_list("delivery_id", "status"))
            made = Feedback.objects.bulk_create([Feedback(delivery_id=pk, status=s, created_at=now)
                                                 for pk, s in wanted if (pk, s) not in have])
            if made:
                outbox.enqueue_many(TOPIC, [({"feedback_id": f.pk}, None) for f in made])
    except IntegrityError:  # a concurrent sweep queued them: nothing twice
        return 0
    return len(made)


def _failed(payload: dict[str, Any], error: str, attempts: int, gave_up: bool) -> None:
    Feedback.objects.filter(pk=payload["feedback_id"]).update(
        error=error[:300], **({"state": FeedbackState.FAILED} if gave_up else {}))


@outbox.handler(TOPIC, on_error=_failed)
def send(payload: dict[str, Any]) -> None:
    """Post one status to its platform (a failure is retried by the outbox with back-off)."""
    row = Feedback.objects.select_related("delivery").filter(pk=payload["feedback_id"]).first()
    if row is None or row.state == FeedbackState.SENT:
        return
    connector = connectors.get(row.delivery.connector)
    if connector is None or row.status not in connector.feedback_statuses:
        raise outbox.PermanentFailure(f"{row.delivery.connector} takes no {row.status} feedback")
    transport = _transport[0] if _transport else urllib_transport
    connector.send_feedback(transport, row.delivery.platform_id, row.status)  # type: ignore[attr-defined]
    Feedback.objects.filter(pk=row.pk).update(state=FeedbackState.SENT, sent_at=timezone.now(), error="")
