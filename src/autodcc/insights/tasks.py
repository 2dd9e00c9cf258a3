from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.core.cache import cache
from django.utils import timezone

from autodcc.insights import reports


@shared_task(name="autodcc.insights.tasks.send_daily_reports", ignore_result=True)
def send_daily_reports() -> int:
    """Hourly check; from 08:00 each day the previous day's reports go out once."""
    now = timezone.localtime()
    if now.hour < 8:
        return 0
    day = now.date() - dt.timedelta(days=1)
    if not cache.add(f"daily-reports:{day.isoformat()}", "sent", timeout=2 * 86400):
        return 0
    return reports.send_daily_reports(day=day)
