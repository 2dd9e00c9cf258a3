from celery import shared_task

from autodcc.catalog import services


@shared_task(name="autodcc.catalog.tasks.apply_due_prices", ignore_result=True)
def apply_due_prices() -> int:
    """Prices HQ set for a later day take effect on that day."""
    return services.apply_due_prices()
