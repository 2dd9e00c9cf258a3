from __future__ import annotations

from celery import shared_task

from autodcc.core import outbox


@shared_task(name="autodcc.core.tasks.dispatch_outbox", ignore_result=True)
def dispatch_outbox() -> dict[str, int]:
    stats = outbox.drain()
    return {"done": stats.done, "retried": stats.retried, "failed": stats.failed}
