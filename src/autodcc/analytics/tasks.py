from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from autodcc.analytics import buffer, rollup
from autodcc.analytics.models import Event


@shared_task(name="autodcc.analytics.tasks.flush_events", ignore_result=True)
def flush_events() -> int:
    """Buffered events to the database (Redis's list; this process's memory)."""
    return buffer.flush()


@shared_task(name="autodcc.analytics.tasks.rollup_recent", ignore_result=True)
def rollup_recent() -> int:
    """Today's figures so far and the last ``ANALYTICS_ROLLUP_DAYS`` days again (deposits paid
    since); raw events older than ``ANALYTICS_RETENTION_DAYS`` are deleted."""
    buffer.flush()
    today = timezone.localdate()
    days = [today - dt.timedelta(days=n) for n in range(settings.ANALYTICS_ROLLUP_DAYS + 1)]
    for day in days:
        rollup.rollup_day(day)
    cutoff = timezone.now() - dt.timedelta(days=settings.ANALYTICS_RETENTION_DAYS)
    Event.objects.filter(at__lt=cutoff).delete()
    return len(days)
