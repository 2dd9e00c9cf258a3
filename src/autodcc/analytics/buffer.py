"""Events on their way to the database, written in batches so that no page waits for them.

With Redis (``REDIS_URL``) a request appends its events to one Redis list (one round trip) and the
scheduled ``flush_events`` task moves them to the database in chunks. Without Redis (the embedded
default) each process keeps a list in memory and writes it with one ``bulk_create`` after a
response once it holds ``ANALYTICS_FLUSH_SIZE`` events or its oldest is ``ANALYTICS_FLUSH_SECONDS``
old, when the scheduled task runs in that process, and when the process exits. Events buffered in
memory are lost if the process is killed (at most those few seconds of analytics; leads, bookings
and orders are never in this buffer).
"""

from __future__ import annotations

import atexit
import datetime as dt
import json
import logging
import threading
import time
from typing import Any

from django.conf import settings
from django.core.signals import request_finished
from django.db import transaction
from django.dispatch import receiver

log = logging.getLogger(__name__)

REDIS_KEY = "autodcc:analytics:events"
CHUNK = 1000
MAX_LOCAL = 20000  # the database is unreachable: keep at most this many in memory, drop the oldest

FIELDS = ("at", "visitor", "visit", "kind", "page", "subject", "path", "referrer", "source", "medium", "campaign")

_local: list[dict[str, Any]] = []
_oldest = [0.0]
_lock = threading.Lock()


def _redis() -> Any:
    """The Redis client behind the cache when ``REDIS_URL`` is set, else None."""
    if not getattr(settings, "REDIS_URL", ""):
        return None
    from django.core.cache import cache

    client = getattr(cache, "_cache", None)
    return client.get_client(write=True) if hasattr(client, "get_client") else None


def add(rows: list[dict[str, Any]]) -> None:
    """Buffer ``rows`` (dicts of FIELDS, ``at`` in epoch seconds). Never raises: analytics must not
    break the page or the conversion that produced them."""
    if not rows:
        return
    try:
        client = _redis()
        if client is not None:
            client.rpush(REDIS_KEY, *[json.dumps(r, ensure_ascii=False) for r in rows])
            return
    except Exception:
        log.warning("analytics events kept in memory: Redis is unavailable", exc_info=True)
    with _lock:
        if not _local:
            _oldest[0] = time.monotonic()
        _local.extend(rows)
        if len(_local) > MAX_LOCAL:
            del _local[: len(_local) - MAX_LOCAL]


def pending() -> int:
    """Events waiting in this process's memory (and in Redis when configured)."""
    count = len(_local)
    try:
        client = _redis()
        if client is not None:
            count += int(client.llen(REDIS_KEY))
    except Exception:
        log.warning("Redis unavailable", exc_info=True)
    return count


def _write(rows: list[dict[str, Any]]) -> None:
    from autodcc.analytics.models import Event

    events = [Event(**{k: (dt.datetime.fromtimestamp(r["at"], tz=dt.UTC) if k == "at" else r.get(k, ""))
                       for k in FIELDS}) for r in rows]
    with transaction.atomic():
        Event.objects.bulk_create(events, batch_size=500)


def _flush_local() -> int:
    with _lock:
        rows = list(_local)
        _local.clear()
        _oldest[0] = 0.0
    if not rows:
        return 0
    try:
        _write(rows)
    except Exception:
        with _lock:  # put them back in front of anything added meanwhile
            _local[:0] = rows
            _oldest[0] = _oldest[0] or time.monotonic()
        raise
    return len(rows)


def _flush_redis(client: Any) -> int:
    written = 0
    while True:
        with client.pipeline(transaction=True) as pipe:
            pipe.lrange(REDIS_KEY, 0, CHUNK - 1)
            pipe.ltrim(REDIS_KEY, CHUNK, -1)
            raw, _ok = pipe.execute()
        if not raw:
            return written
        rows = []
        for item in raw:
            try:
                rows.append(json.loads(item))
            except ValueError:
                log.warning("analytics: dropped an unreadable buffered event")
        try:
            _write(rows)
        except Exception:
            client.lpush(REDIS_KEY, *reversed(raw))  # back to the front, for the next flush
            raise
        written += len(rows)
        if len(raw) < CHUNK:
            return written


def flush() -> int:
    """Write everything buffered (this process's memory, and Redis when configured); the count."""
    written = _flush_local()
    client = _redis()
    if client is not None:
        written += _flush_redis(client)
    return written


@receiver(request_finished)
def _after_response(**_kwargs: Any) -> None:
    if not _local:
        return
    due = len(_local) >= settings.ANALYTICS_FLUSH_SIZE or (
        time.monotonic() - _oldest[0] >= settings.ANALYTICS_FLUSH_SECONDS)
    if not due:
        return
    try:
        _flush_local()
    except Exception:
        log.exception("analytics events not written yet; the next flush retries")


@atexit.register
def _at_exit() -> None:
    if not _local:
        return
    try:
        _flush_local()
    except Exception:
        log.warning("analytics: %s buffered events not written at exit", len(_local))


def clear() -> None:
    """Forget everything buffered, this process's and Redis's list (tests)."""
    with _lock:
        _local.clear()
        _oldest[0] = 0.0
    client = _redis()
    if client is not None:
        client.delete(REDIS_KEY)
