"""ORD-7: the receipt reminder carries the order page's link, where the buyer confirms; a
scheduled sweep reminds by itself a set number of days after delivery (then once more), the
dealer's own reminders count, and nothing is sent twice or in the quiet hours."""

import datetime as dt
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings as django_settings

from autodcc.core.errors import DomainError, NotFound
from autodcc.core.models import AuditLog
from autodcc.messaging.models import Event, Message
from autodcc.orders.models import Order, OrderStatus
from autodcc.orders.services import order_record_step, order_remind_receipt, remind_receipts
from autodcc.orders.tasks import send_receipt_reminders

SHANGHAI = ZoneInfo("Asia/Shanghai")
DELIVERED = dt.datetime(2026, 11, 2, 15, 0, tzinfo=SHANGHAI)  # a Monday afternoon


def delivered(order, actor, at=DELIVERED):
    order_record_step(actor=actor, order=order, step="visited")
    order_record_step(actor=actor, order=order, step="contracted")
    order_record_step(actor=actor, order=order, step="delivered", vin=f"LVGRCPT{order.pk:010d}")
    Order.objects.filter(pk=order.pk).update(delivered_at=at)  # the clock of the test, not of the machine
    return Order.objects.get(pk=order.pk)


def reminders(order):
    return list(Message.objects.filter(event=Event.RECEIPT_REMINDER, related_id=str(order.pk)).order_by("pk"))


def day(n, hour=10):
    return (DELIVERED + dt.timedelta(days=n)).replace(hour=hour)


def test_the_reminder_carries_the_link_where_the_buyer_confirms(net, paid_order, client):
    order = delivered(paid_order(name="赵敏"), net.a_consultant.actor)
    order_remind_receipt(actor=net.a_consultant.actor, order=order)
    sms = reminders(order)[0]
    assert "赵敏" in sms.body and order.number in sms.body and sms.recipient_phone == order.customer.phone
    link = sms.data["link"]
    assert link in sms.body and link not in sms.display_body  # staff reading the outbox never get the link
    page = client.get(urlparse(link).path)
    assert page.status_code == 200 and "receipt/" in page.content.decode()
    assert client.post(urlparse(link).path + "receipt/").status_code == 302
    assert Order.objects.get(pk=order.pk).status == OrderStatus.RECEIVED


def test_the_sweep_reminds_after_the_set_days_once_then_once_more(net, paid_order):
    assert django_settings.ORDER_RECEIPT_REMINDER_DAYS == 3  # the default
    order = delivered(paid_order(), net.a_consultant.actor)
    confirmed = delivered(paid_order(), net.a_consultant.actor)
    confirmed.status = OrderStatus.RECEIVED
    confirmed.save(update_fields=["status"])

    assert remind_receipts(now=day(2)) == 0  # too early
    assert remind_receipts(now=day(3, hour=23)) == 0  # due, but in the quiet hours
    assert remind_receipts(now=day(4, hour=9)) == 1
    assert remind_receipts(now=day(4, hour=9)) == 0  # run again: nothing more
    assert remind_receipts(now=day(6, hour=10)) == 0  # the next one waits three days after the first
    assert remind_receipts(now=day(7, hour=10)) == 1
    assert remind_receipts(now=day(30, hour=10)) == 0  # two in all, then the dealer takes it up
    sent = reminders(order)
    assert len(sent) == 2 and all(order.number in m.body and m.data["link"] in m.body for m in sent)
    assert not reminders(confirmed)  # the buyer who confirmed hears nothing
    order.refresh_from_db()
    assert order.receipt_reminders == 2 and order.receipt_reminded_at == day(7, hour=10)
    rows = AuditLog.objects.filter(action="order.receipt_reminder", object_id=str(order.pk)).order_by("pk")
    assert [r.after["automatic"] for r in rows] == [True, True] and rows[0].actor_label != ""
    # the dealer may still remind by hand, and it is counted
    order_remind_receipt(actor=net.a_consultant.actor, order=order)
    order.refresh_from_db()
    assert order.receipt_reminders == 3 and len(reminders(order)) == 3


def test_the_dealers_reminder_counts_and_restarts_the_wait(net, paid_order):
    order = delivered(paid_order(), net.a_consultant.actor)
    with pytest.MonkeyPatch.context() as mp:  # the dealer's reminder on day 2
        from django.utils import timezone

        mp.setattr(timezone, "now", lambda: day(2))
        order_remind_receipt(actor=net.a_manager.actor, order=order)
    assert remind_receipts(now=day(3)) == 0  # three days after the dealer's reminder, not after delivery
    assert remind_receipts(now=day(5)) == 1
    assert remind_receipts(now=day(20)) == 0  # the dealer's and the sweep's: two in all
    order.refresh_from_db()
    assert order.receipt_reminders == 2 and len(reminders(order)) == 2


def test_the_setting_and_the_schedule(net, paid_order, settings):
    settings.ORDER_RECEIPT_REMINDER_DAYS = 5
    order = delivered(paid_order(), net.a_consultant.actor)
    assert remind_receipts(now=day(5, hour=14)) == 0 and remind_receipts(now=day(5, hour=16)) == 1
    entry = settings.AUTODCC_SCHEDULE["receipt-reminders"]
    assert entry["task"] == send_receipt_reminders.name == "autodcc.orders.tasks.remind_receipts"
    assert remind_receipts(now=day(10, hour=16)) == 1
    assert send_receipt_reminders() == 0  # the task on the real clock: this order has had both reminders
    assert len(reminders(order)) == 2


def test_only_the_orders_dealer_reminds_and_only_after_delivery(net, paid_order):
    order = paid_order()
    with pytest.raises(DomainError):
        order_remind_receipt(actor=net.a_consultant.actor, order=order)
    order = delivered(order, net.a_consultant.actor)
    with pytest.raises(NotFound):  # another dealer's staff do not find it
        order_remind_receipt(actor=net.b_manager.actor, order=order)
    assert not reminders(order) and Order.objects.get(pk=order.pk).receipt_reminders == 0
