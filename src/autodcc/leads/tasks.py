from __future__ import annotations

from celery import shared_task

from autodcc.leads.services import sweeps


@shared_task(name="autodcc.leads.tasks.sweep_leads", ignore_result=True)
def sweep_leads() -> dict[str, int]:
    """Leave cover, the waiting pool, SLA escalation, missed appointments (every minute)."""
    return sweeps.run_all()


@shared_task(name="autodcc.leads.tasks.import_leads", ignore_result=True)
def import_leads(job_id: int, skip_bad_rows: bool) -> None:
    from autodcc.leads import importing

    importing.run_job(job_id, skip_bad_rows=skip_bad_rows)


@shared_task(name="autodcc.leads.tasks.process_intake", ignore_result=True, acks_late=True)
def process_intake(intake_id: int) -> int:
    """Woken by an accepted intake: capture every waiting intake, batch after batch."""
    from autodcc.leads.services.intake import drain

    return drain()


@shared_task(name="autodcc.leads.tasks.process_pending_intakes", ignore_result=True)
def process_pending_intakes() -> int:
    from autodcc.leads.services.intake import process_pending

    return process_pending()
