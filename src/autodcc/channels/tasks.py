from __future__ import annotations

from celery import shared_task


@shared_task(name="autodcc.channels.tasks.pull_channels", ignore_result=True)
def pull_channels() -> dict[str, int]:
    """The platforms' new leads and Tmall's paid deposit orders (every five minutes)."""
    from autodcc.channels.services import pull_all

    return pull_all()


@shared_task(name="autodcc.channels.tasks.send_feedback", ignore_result=True)
def send_feedback() -> int:
    """Queue the status feedback due to the platforms (the outbox sends it)."""
    from autodcc.channels.feedback import feedback_sweep

    return feedback_sweep()
