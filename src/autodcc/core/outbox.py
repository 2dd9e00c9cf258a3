"""The transactional outbox.

``enqueue()`` writes an :class:`OutboxEvent` in the caller's transaction and, once that
transaction commits, asks for a dispatch: a Celery task when a broker is configured, in-process
otherwise. The dispatcher calls the handler registered for the topic; a failure is retried with
exponential back-off until ``max_attempts``, then the event is marked failed. A handler's ``on_error`` hook hears of every
failed attempt (``gave_up`` on the last) outside the rolled-back savepoint, so the owner of the
side effect can record it. Handlers must be idempotent: an event may run again after a crash.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.signals import request_finished, request_started
from django.db import models, transaction
from django.dispatch import receiver
from django.utils import timezone

from autodcc.core.models import OutboxEvent, OutboxStatus

log = logging.getLogger(__name__)

Handler = Callable[[dict[str, Any]], None]
ErrorHook = Callable[[dict[str, Any], str, int, bool], None]


class PermanentFailure(Exception):
    """Raised by a handler when retrying cannot help (bad address, rejected content)."""


@dataclass(frozen=True)
class _Registered:
    handle: Any
    on_error: ErrorHook | None
    batch: bool = False
    keep: bool = True


_HANDLERS: dict[str, _Registered] = {}


def handler(topic: str, *, on_error: ErrorHook | None = None, batch: bool = False,
            keep: bool = True) -> Callable[[Any], Any]:
    """Register the handler of ``topic``. A ``batch`` handler takes the payloads of every event of
    its topic that is due at once (a list), so a burst of events costs one run. ``keep=False``:
    an event done is deleted (a notice whose message is itself recorded), failed ones stay."""

    def register(fn: Any) -> Any:
        _HANDLERS[topic] = _Registered(fn, on_error, batch, keep)
        return fn

    return register


def enqueue(topic: str, payload: dict[str, Any], *, max_attempts: int | None = None,
            at: dt.datetime | None = None, returning: bool = True) -> OutboxEvent:
    """Queue ``payload`` for ``topic``'s handler, in the caller's transaction; due now or ``at``.
    ``returning=False``: the event's id is not read back (it can then share a round trip)."""
    now = timezone.now()
    event = OutboxEvent(topic=topic, payload=payload, max_attempts=max_attempts or settings.OUTBOX_MAX_ATTEMPTS,
                        next_attempt_at=at or now, created_at=now)
    ids = _insert(topic, [(payload, event.next_attempt_at)], event.max_attempts, now, returning=returning)
    if ids:
        event.pk = ids[0]
        event._state.adding = False
    return event


def enqueue_many(topic: str, items: list[tuple[dict[str, Any], dt.datetime | None]], *,
                 max_attempts: int | None = None) -> int:
    """Queue many payloads for ``topic`` in one insert, each due at its own time (None: now)."""
    if items:
        _insert(topic, items, max_attempts or settings.OUTBOX_MAX_ATTEMPTS, timezone.now(), returning=False)
    return len(items)


def _insert(topic: str, items: list[tuple[dict[str, Any], dt.datetime | None]], attempts: int, now: dt.datetime, *,
            returning: bool) -> list[int]:
    """One insert of the events (a batch of one included), then a dispatch asked for after commit."""
    from autodcc.core import rows

    ids = rows.insert(OutboxEvent, ("topic", "payload", "status", "attempts", "max_attempts", "next_attempt_at",
                                    "last_error", "created_at"),
                      [(topic, payload, OutboxStatus.PENDING, 0, attempts, at or now, "", now) for payload, at in items],
                      returning=returning)
    transaction.on_commit(kick)
    return ids


WAKE_KEY = "core:outbox-wake"
WAKE_SECONDS = 5
_request = threading.local()


def kick() -> None:
    """Ask for a dispatch: with a broker, wake a worker unless one was woken in the last few
    seconds (the woken worker drains everything that is due); without one, dispatch in this
    process — after the response when this is a web request, so the client does not wait."""
    from django.core.cache import cache

    from autodcc.celery import app
    from autodcc.core.tasks import dispatch_outbox

    if app.conf.task_always_eager:
        if getattr(_request, "dispatching", False):
            return  # the dispatch running in this thread takes new events before it stops
        if getattr(_request, "active", False):
            _request.kick = True  # once, when the response has been sent
            return
        dispatch_outbox.delay()
        return
    try:
        if not cache.add(WAKE_KEY, 1, WAKE_SECONDS):
            return
    except Exception:  # the cache is down: wake a worker anyway
        log.warning("cache unavailable; waking an outbox worker anyway", exc_info=True)
    try:
        dispatch_outbox.delay()
    except Exception:  # the broker is down: the scheduled sweep will pick the event up
        log.exception("could not queue the outbox dispatch; the periodic sweep will retry")
        try:
            cache.delete(WAKE_KEY)
        except Exception:
            log.debug("cache unavailable", exc_info=True)


@receiver(request_started)
def _request_started(**_kwargs: Any) -> None:
    _request.active, _request.kick = True, False


_last_dispatch = [0.0]


@receiver(request_finished)
def _request_finished(**_kwargs: Any) -> None:
    """The response is out: run the dispatch a request asked for (no broker configured) — unless
    this process dispatched less than ``OUTBOX_DISPATCH_INTERVAL`` seconds ago: under a burst one
    dispatch serves many requests; what it left is taken by the next one or the periodic sweep."""
    wanted = getattr(_request, "kick", False)
    _request.active, _request.kick = False, False
    if not wanted:
        return
    started = time.monotonic()
    if started - _last_dispatch[0] < settings.OUTBOX_DISPATCH_INTERVAL:
        return
    _last_dispatch[0] = started
    from autodcc.core.tasks import dispatch_outbox

    try:
        dispatch_outbox.delay()
    except Exception:  # the event stays due: the next dispatch or the periodic sweep sends it
        log.exception("outbox dispatch after the response failed")


def drain(*, now: dt.datetime | None = None) -> DispatchStats:
    """What a woken worker does: dispatch until nothing is due, let the next event wake a worker
    again, and look once more (an event queued in between is not left waiting)."""

    if getattr(_request, "dispatching", False):
        return DispatchStats()  # already draining in this thread (a handler's commit asked again)
    _request.dispatching = True
    try:
        return _drain(now)
    finally:
        _request.dispatching = False


def _drain(now: dt.datetime | None) -> DispatchStats:
    from django.core.cache import cache

    total = DispatchStats()
    while True:
        stats = dispatch_due(now=now)
        total.done, total.retried, total.failed = (total.done + stats.done, total.retried + stats.retried,
                                                   total.failed + stats.failed)
        if not (stats.done or stats.failed):
            break
    cache.delete(WAKE_KEY)
    last = dispatch_due(now=now)
    total.done, total.retried, total.failed = (total.done + last.done, total.retried + last.retried,
                                               total.failed + last.failed)
    return total


def backoff(attempts: int) -> dt.timedelta:
    seconds = settings.OUTBOX_BACKOFF_SECONDS * 2 ** max(0, attempts - 1)
    return dt.timedelta(seconds=min(seconds, settings.OUTBOX_BACKOFF_MAX_SECONDS))


@dataclass
class DispatchStats:
    done: int = 0
    retried: int = 0
    failed: int = 0


def dispatch_due(*, now: dt.datetime | None = None, limit: int = 200) -> DispatchStats:
    """Run due events, up to ``PER_TRANSACTION`` per transaction holding their row locks; each
    event (or a batch handler's events of one topic) runs in its own savepoint, so one failing
    handler leaves the others' work in place. Events another dispatcher holds are skipped."""
    stats = DispatchStats()
    now = now or timezone.now()
    taken = 0
    while taken < limit:
        with transaction.atomic():
            due = list(OutboxEvent.objects.select_for_update(skip_locked=True)
                       .filter(status=OutboxStatus.PENDING, next_attempt_at__lte=now)
                       .order_by("next_attempt_at", "id")[:min(PER_TRANSACTION, limit - taken)])
            if not due:
                break
            taken += len(due)
            groups: dict[str, list[OutboxEvent]] = {}
            for event in due:
                registered = _HANDLERS.get(event.topic)
                if registered is not None and registered.batch:
                    groups.setdefault(event.topic, []).append(event)
                else:
                    groups[f"{event.topic}#{event.pk}"] = [event]
            done: list[OutboxEvent] = []
            for events in groups.values():
                done += _run(events, _HANDLERS.get(events[0].topic), now, stats)
            _save(done, now)
        if len(due) < PER_TRANSACTION:
            break
    return stats


PER_TRANSACTION = 50


def _save(events: list[OutboxEvent], now: dt.datetime) -> None:
    """The events' new state: the ones done in one plain UPDATE (or deleted, for a topic that
    keeps none), the others one by one."""
    ok = [e for e in events if e.status == OutboxStatus.DONE]
    gone = [e.pk for e in ok if not getattr(_HANDLERS.get(e.topic), "keep", True)]
    if gone:
        OutboxEvent.objects.filter(pk__in=gone).delete()
        ok = [e for e in ok if e.pk not in set(gone)]
    if ok:
        OutboxEvent.objects.filter(pk__in=[e.pk for e in ok]).update(
            status=OutboxStatus.DONE, done_at=now, last_error="", attempts=models.F("attempts") + 1)
    for event in events:
        if event.status != OutboxStatus.DONE:
            event.save(update_fields=["attempts", "status", "done_at", "last_error", "next_attempt_at"])

def _run(events: list[OutboxEvent], registered: _Registered | None, now: dt.datetime,
         stats: DispatchStats) -> list[OutboxEvent]:
    topic = events[0].topic
    for event in events:
        event.attempts += 1
    error = ""
    permanent = False
    if registered is None:
        error, permanent = f"no handler for topic {topic!r}", True
    else:
        try:
            with transaction.atomic():  # a savepoint: a failing handler leaves nothing behind
                if registered.batch:
                    registered.handle([e.payload for e in events])
                else:
                    registered.handle(events[0].payload)
        except PermanentFailure as exc:
            error, permanent = str(exc) or exc.__class__.__name__, True
        except Exception as exc:
            log.warning("outbox %s #%s attempt %s failed: %s", topic, events[0].pk, events[0].attempts, exc)
            error = f"{exc.__class__.__name__}: {exc}"
    failed_at = max(now, timezone.now())  # the back-off counts from the failure, not from the start of the pass
    for event in events:
        if not error:
            event.status, event.done_at, event.last_error = OutboxStatus.DONE, now, ""
            stats.done += 1
            continue
        gave_up = permanent or event.attempts >= event.max_attempts
        if gave_up:
            event.status, event.done_at, event.last_error = OutboxStatus.FAILED, failed_at, error
            stats.failed += 1
        else:
            event.next_attempt_at = failed_at + backoff(event.attempts)
            event.last_error = error
            stats.retried += 1
        if registered is not None and registered.on_error is not None:
            registered.on_error(event.payload, error, event.attempts, gave_up)
    return events
