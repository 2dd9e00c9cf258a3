"""The API's entry into the capture pipeline (LEAD-1).

Without a worker (the embedded default) a request is captured at once, in its own single
transaction. With a worker, ``intake_accept`` checks the input by the same rules, writes one
pending ``Capture`` row carrying the input and the caller (with its API key and its dealer
scope) and answers; a worker then runs waiting captures through the same pipeline in batches
(``process_batch``). What was accepted is captured: the rules that could change meanwhile
(a chosen dealer closing) fall back, as they do inline.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from typing import Any

from django.db import transaction
from django.utils import timezone

from autodcc.core import rows
from autodcc.core.actors import Actor
from autodcc.core.errors import Invalid
from autodcc.core.tenancy import one
from autodcc.leads.models import Capture, CaptureStatus
from autodcc.leads.services.capture import Caller, LeadInput, Outcome, Request, capture, check

log = logging.getLogger(__name__)


def _payload(data: LeadInput, caller: Caller) -> dict[str, Any]:
    values = dataclasses.asdict(data)
    if isinstance(values.get("expected_purchase_on"), dt.date):
        values["expected_purchase_on"] = values["expected_purchase_on"].isoformat()
    return {"input": values, "caller": caller.as_dict()}


def _request(row: Capture) -> Request:
    values = dict(row.payload["input"])
    if values.get("expected_purchase_on"):
        values["expected_purchase_on"] = dt.date.fromisoformat(values["expected_purchase_on"])
    return Request(LeadInput(**values), Caller(**row.payload["caller"]), key=row.key or "", capture_id=row.pk)


def _eager() -> bool:
    from autodcc.celery import app

    return bool(app.conf.task_always_eager)


def intake_accept(*, actor: Actor, data: LeadInput, key: str = "", token: Any = None) -> Outcome:
    """Capture now (no worker) or accept durably for a worker (``status`` pending)."""
    caller = Caller.of(actor, token)
    if _eager():
        return capture([Request(data, caller, key=key)])[0]
    try:
        check(data, caller)  # the same checks as the pipeline: refused now, not after the 202
    except Invalid:
        seen = one(Capture.objects.filter(key=key)) if key else None
        if seen is None:
            raise
        return _seen(seen)  # a replay of a key accepted before (its input checked then)
    now = timezone.now()
    with transaction.atomic():
        ids = rows.insert(Capture, ("key", "status", "channel", "campaign", "source_ref", "name", "duplicate",
                                    "allocation", "api_token_id", "user_id", "by_label", "payload", "at"),
                          [(key or None, CaptureStatus.PENDING, data.channel, data.campaign, data.source_ref,
                            data.name.strip(), False, "", caller.token_id, caller.user_id, caller.label,
                            _payload(data, caller), now)], returning=True, skip_conflicts_on="key")
        if ids:
            transaction.on_commit(lambda: _kick(ids[0]))
    if not ids:  # the key was accepted before (or just now, by a concurrent request): its outcome
        return _seen(Capture.objects.get(key=key))
    return Outcome(0, status=CaptureStatus.PENDING, capture_id=ids[0])


def _seen(row: Capture) -> Outcome:
    from autodcc.core.errors import DomainError

    outcome = Outcome(0, status=row.status, capture_id=row.pk, lead_id=row.lead_id, created=row.created, replay=True)
    if row.status == CaptureStatus.REJECTED:
        outcome.errors = [DomainError("lead.capture_rejected", field=e.get("field"), reason=e.get("message", ""))
                          for e in row.error or []]
    return outcome


WAKE_KEY = "leads:intake-wake"
WAKE_SECONDS = 5


def _kick(capture_id: int) -> None:
    """Wake a worker, unless one was woken in the last few seconds: a worker drains every waiting
    capture in batches, so one wake-up serves a whole burst. With the cache or the broker down
    the periodic sweep processes it; the client already has its answer."""
    from django.core.cache import cache

    from autodcc.leads.tasks import process_intake

    try:
        if not cache.add(WAKE_KEY, capture_id, WAKE_SECONDS):
            return
    except Exception:
        log.warning("cache unavailable: waking a worker anyway", exc_info=True)
    try:
        process_intake.delay(capture_id)
    except Exception:
        log.warning("broker unavailable: the periodic sweep will capture #%s", capture_id, exc_info=True)
        try:
            cache.delete(WAKE_KEY)
        except Exception:
            log.debug("cache unavailable", exc_info=True)


def drain(*, max_batches: int = 1000) -> int:
    """What a woken worker does: batches until nothing waits, then it lets the next request wake a
    worker again and takes one more look (a capture accepted in between is not left waiting)."""
    from django.core.cache import cache

    done = 0
    for _ in range(max_batches):
        n = process_batch()
        done += n
        if not n:
            break
    try:
        cache.delete(WAKE_KEY)
    except Exception:
        log.warning("cache unavailable", exc_info=True)
    return done + process_batch()


def process_batch(*, limit: int = 200, older_than: dt.datetime | None = None) -> int:
    """Take up to ``limit`` waiting captures (those another worker holds are skipped) and run them
    through the pipeline together."""
    with transaction.atomic():
        pending = Capture.objects.select_for_update(skip_locked=True).filter(status=CaptureStatus.PENDING)
        if older_than is not None:
            pending = pending.filter(at__lt=older_than)
        batch = list(pending.order_by("at", "pk")[:limit])
        if batch:
            capture([_request(row) for row in batch])
    return len(batch)


def process_pending(*, limit: int = 1000, older_than_seconds: int = 5) -> int:
    """The sweep: captures whose wake-up was lost (broker down, crash) are processed here."""
    cutoff = timezone.now() - dt.timedelta(seconds=older_than_seconds)
    done = 0
    while done < limit:
        n = process_batch(limit=min(200, limit - done), older_than=cutoff)
        if not n:
            break
        done += n
    return done
