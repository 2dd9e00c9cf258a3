from __future__ import annotations

from celery import shared_task

from autodcc.feedback import services


@shared_task(name="autodcc.feedback.tasks.sweep_complaints", ignore_result=True)
def sweep_complaints() -> dict[str, int]:
    """Escalate overdue complaints; close resolved ones whose link expired unanswered (every minute)."""
    return services.escalate_due()
