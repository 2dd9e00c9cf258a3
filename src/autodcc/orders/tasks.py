from __future__ import annotations

from celery import shared_task

from autodcc.orders.services import close_unpaid, remind_receipts


@shared_task(name="autodcc.orders.tasks.close_unpaid_orders", ignore_result=True)
def close_unpaid_orders() -> dict[str, int]:
    """Payment reminders due, and unpaid deposit orders closed at their deadline (every minute)."""
    return close_unpaid()


@shared_task(name="autodcc.orders.tasks.remind_receipts", ignore_result=True)
def send_receipt_reminders() -> int:
    """Automatic receipt reminders for delivered orders the buyer has not confirmed (hourly)."""
    return remind_receipts()
