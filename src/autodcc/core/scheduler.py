"""The embedded scheduler: runs ``settings.AUTODCC_SCHEDULE`` (the same table celery beat uses)
in-process when no broker is configured."""

from __future__ import annotations

import logging
import threading
import time

from django.conf import settings
from django.db import close_old_connections
from django.utils.module_loading import import_string

log = logging.getLogger(__name__)


def run_forever(stop: threading.Event, *, tick: float = 1.0) -> None:
    entries = [
        (name, import_string(entry["task"]), float(entry["seconds"]))
        for name, entry in settings.AUTODCC_SCHEDULE.items()
    ]
    next_run = {name: 0.0 for name, _, _ in entries}
    log.info("embedded scheduler started: %s", ", ".join(next_run))
    while not stop.is_set():
        now = time.monotonic()
        for name, task, every in entries:
            if now < next_run[name]:
                continue
            next_run[name] = now + every
            try:
                task()
            except Exception:
                log.exception("scheduled task %s failed", name)
            finally:
                close_old_connections()
        stop.wait(tick)
