from __future__ import annotations

import datetime as dt

from celery import shared_task

from autodcc.aftercare import revisits, services


@shared_task(name="autodcc.aftercare.tasks.run_daily", ignore_result=True)
def run_daily(today: str | None = None) -> dict[str, int]:
    """The day's maintenance reminders (a week before each service, once) and revisit calls.
    Safe to run every hour: what was done is not done again. ``today``: an ISO date (tests, replays)."""
    day = dt.date.fromisoformat(today) if today else None
    return {"reminders": services.reminders_send(today=day), "revisits": revisits.revisits_generate(today=day)}
