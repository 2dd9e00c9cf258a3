from __future__ import annotations

from celery import shared_task

from autodcc.orders.services import close_unpaid


@shared_task(name="autodcc.orders.tasks.close_unpaid_orders", ignore_result=True)
def close_unpaid_orders() -> dict[str, int]:
    """Payment reminders due, and unpaid deposit orders closed at their deadline (every minute)."""
    return close_unpaid()
