"""Unpaid deposit orders (ORD-1, MSG-1): one payment reminder, then closing at the deadline.

Every order is due by its ``pay_by`` (``ORDER_PAYMENT_MINUTES`` after it was placed, fixed then).
The scheduled sweep (``orders.tasks.close_unpaid_orders``, every minute) sends the buyer one
``payment_reminder`` ``ORDER_REMINDER_MINUTES`` after the order while it is still unpaid and
before its deadline, and closes what is still unpaid at the deadline, with its pending payments.

Set-based and safe to run twice or at once: each batch locks its due orders with
``SELECT … FOR UPDATE SKIP LOCKED`` (SQLite: the immediate transaction serialises the sweeps) and
marks them in the same transaction, so a second sweep finds nothing to do. A payment that lands
after the order was closed reopens it as paid (``ordering.payment_apply``).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from autodcc.core import audit
from autodcc.core.actors import SYSTEM
from autodcc.core.models import AuditLog
from autodcc.messaging.models import Event
from autodcc.orders.models import Order, OrderStatus, Payment, PaymentStatus
from autodcc.orders.services.ordering import pay_by_text, tell_buyer

BATCH = 500


def close_unpaid(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Send the reminders due and close the orders unpaid at their deadline; returns how many of each."""
    now = now or timezone.now()
    counts = {"reminded": 0, "closed": 0}
    for key, batch in (("reminded", _remind_batch), ("closed", _close_batch)):
        while True:
            done = batch(now)
            counts[key] += done
            if done < BATCH:
                break
    return counts


@transaction.atomic
def _remind_batch(now: dt.datetime) -> int:
    """One reminder per order, while there is still time to pay (a sweep that was down for a while
    does not ask to pay by a time already past)."""
    due = list(Order.objects.select_for_update(skip_locked=True, of=("self",)).select_related("customer", "dealer")
               .filter(status=OrderStatus.AWAITING_PAYMENT, payment_reminded_at__isnull=True, pay_by__gt=now,
                       created_at__lte=now - dt.timedelta(minutes=settings.ORDER_REMINDER_MINUTES))
               .order_by("pk")[:BATCH])
    if not due:
        return 0
    Order.objects.filter(pk__in=[o.pk for o in due]).update(payment_reminded_at=now)
    for order in due:
        if order.customer.phone:  # an opted-out number gets a 'not sent' row (messaging honours opt-outs)
            tell_buyer(order, Event.PAYMENT_REMINDER, amount=f"{order.deposit:.2f}", deadline=pay_by_text(order))
    AuditLog.objects.bulk_create([
        audit.build(actor=SYSTEM, action="order.payment_reminder", obj=order,
                    after={"payment_reminded_at": now, "pay_by": order.pay_by}) for order in due])
    return len(due)


@transaction.atomic
def _close_batch(now: dt.datetime) -> int:
    """The orders still unpaid at their deadline: closed, with their pending payments."""
    due = list(Order.objects.select_for_update(skip_locked=True)
               .filter(status=OrderStatus.AWAITING_PAYMENT, pay_by__lte=now)
               .only("pk", "number", "dealer_id", "status", "pay_by").order_by("pk")[:BATCH])
    if not due:
        return 0
    ids = [o.pk for o in due]
    pending: dict[int, list[str]] = {}
    for order_id, out_trade_no in (Payment.objects.filter(order_id__in=ids, status=PaymentStatus.PENDING)
                                   .values_list("order_id", "out_trade_no")):
        pending.setdefault(order_id, []).append(out_trade_no)
    Order.objects.filter(pk__in=ids).update(status=OrderStatus.CLOSED, closed_at=now, updated_at=now)
    if pending:
        Payment.objects.filter(order_id__in=ids, status=PaymentStatus.PENDING).update(status=PaymentStatus.CLOSED)
    AuditLog.objects.bulk_create([
        audit.build(actor=SYSTEM, action="order.closed_unpaid", obj=order, before={"status": order.status},
                    after={"status": OrderStatus.CLOSED, "pay_by": order.pay_by, "closed_at": now,
                           "payments_closed": pending.get(order.pk, [])}) for order in due])
    return len(due)
