"""ORD-1, MSG-1: a deposit order is due ``ORDER_PAYMENT_MINUTES`` (30) after it is placed. The
scheduled sweep sends one payment reminder after ``ORDER_REMINDER_MINUTES`` (15) to a buyer who
has not paid (never to an opted-out number), closes the order at its deadline with its pending
payments, and changes nothing when it runs again. A payment that succeeds after the order was
closed reopens it as paid, once; a refunded order's stays rejected. The store says so in Chinese."""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape

from autodcc.core.errors import DomainError, message_for
from autodcc.core.models import AuditLog, OutboxEvent
from autodcc.messaging.models import Event, Message, MessageStatus, OptOut, OptOutScope
from autodcc.orders import tasks
from autodcc.orders.models import (
    NotificationOutcome,
    Order,
    OrderStatus,
    Payment,
    PaymentNotification,
    PaymentStatus,
)
from autodcc.orders.providers.sandbox import SandboxProvider
from autodcc.orders.services import close_unpaid, notification_receive, payment_start, sandbox_pay
from autodcc.orders.services.ordering import pay_by_text

NOTHING = {"reminded": 0, "closed": 0}


def minutes(order, n, seconds=0):
    return order.created_at + dt.timedelta(minutes=n, seconds=seconds)


def reminders(order):
    return list(Message.objects.filter(event=Event.PAYMENT_REMINDER, related_id=str(order.pk)))


def audits(order, action):
    return AuditLog.objects.filter(action=action, object_id=str(order.pk))


def start(order):
    payment, _checkout = payment_start(order=order, provider="sandbox", return_url=f"/store/order/{order.token}/")
    return payment


def zh_message(code, **params):
    with translation.override("zh-hans"):
        return escape(message_for(code, {k: str(v) for k, v in params.items()}))


def test_the_sweep_runs_every_minute_and_the_window_is_set_when_the_order_is_placed(new_order, settings):
    assert settings.AUTODCC_SCHEDULE["unpaid-orders"] == {"task": "autodcc.orders.tasks.close_unpaid_orders",
                                                          "seconds": 60}
    assert (settings.ORDER_PAYMENT_MINUTES, settings.ORDER_REMINDER_MINUTES) == (30, 15)
    order = new_order()
    assert order.pay_by == minutes(order, 30)
    settings.ORDER_PAYMENT_MINUTES = 45
    later = new_order()
    assert later.pay_by == minutes(later, 45)
    assert tasks.close_unpaid_orders() == NOTHING  # the task is the service, now


def test_one_reminder_fifteen_minutes_after_the_order_while_unpaid(new_order):
    order, paid = new_order(), new_order()
    Order.objects.filter(pk=paid.pk).update(status=OrderStatus.PAID)
    assert close_unpaid(now=minutes(order, 14, 59)) == NOTHING
    assert reminders(order) == []
    assert close_unpaid(now=minutes(paid, 15)) == {"reminded": 1, "closed": 0}  # the unpaid one only
    assert reminders(paid) == []
    [sms] = reminders(order)
    deadline = f"{timezone.localtime(order.pay_by, timezone.get_default_timezone()):%H:%M}"
    assert deadline == pay_by_text(order)
    assert sms.status == MessageStatus.QUEUED and sms.recipient_phone == order.customer.phone
    assert order.number in sms.body and f"{order.deposit:.2f}元" in sms.body and f"请于{deadline}前完成支付" in sms.body
    assert OutboxEvent.objects.filter(topic="messaging.deliver", payload__message_id=sms.pk).count() == 1
    [entry] = audits(order, "order.payment_reminder")
    assert entry.actor_label == "system"
    for at in (15, 16, 29):  # again, and later: no second reminder
        assert close_unpaid(now=minutes(order, at)) == NOTHING
    assert len(reminders(order)) == 1 and audits(order, "order.payment_reminder").count() == 1


@pytest.mark.parametrize(("scope", "sent"), [(OptOutScope.ALL, False), (OptOutScope.MARKETING, True)])
def test_an_opted_out_number_gets_no_reminder(new_order, scope, sent):
    order = new_order()
    OptOut.objects.create(phone=order.customer.phone, scope=scope, source="sms")
    assert close_unpaid(now=minutes(order, 15))["reminded"] == 1
    [sms] = reminders(order)
    assert (sms.status == MessageStatus.QUEUED) is sent  # a payment reminder is not marketing
    assert OutboxEvent.objects.filter(topic="messaging.deliver", payload__message_id=sms.pk).exists() is sent
    assert Order.objects.get(pk=order.pk).payment_reminded_at is not None  # and it is not tried again


def test_closed_at_the_deadline_not_before_and_once(new_order):
    order = new_order()
    payment = start(order)
    assert close_unpaid(now=minutes(order, 29, 59)) == {"reminded": 1, "closed": 0}
    assert Order.objects.get(pk=order.pk).status == OrderStatus.AWAITING_PAYMENT
    assert close_unpaid(now=minutes(order, 30)) == {"reminded": 0, "closed": 1}
    order.refresh_from_db()
    assert order.status == OrderStatus.CLOSED and order.closed_at == minutes(order, 30)
    assert Payment.objects.get(pk=payment.pk).status == PaymentStatus.CLOSED
    [entry] = audits(order, "order.closed_unpaid")
    assert entry.actor_label == "system" and entry.before == {"status": "awaiting_payment"}
    assert entry.after["status"] == "closed" and entry.after["payments_closed"] == [payment.out_trade_no]
    before = (AuditLog.objects.count(), Message.objects.count(), OutboxEvent.objects.count())
    for at in (30, 31, 600):
        assert close_unpaid(now=minutes(order, at)) == NOTHING
    assert (AuditLog.objects.count(), Message.objects.count(), OutboxEvent.objects.count()) == before
    assert Order.objects.get(pk=order.pk).updated_at == order.updated_at


def test_a_sweep_after_the_deadline_closes_without_a_reminder(new_order):
    order = new_order()  # the sweep was down at the reminder's moment: no "pay by" a time already past
    assert close_unpaid(now=minutes(order, 45)) == {"reminded": 0, "closed": 1}
    assert reminders(order) == [] and Order.objects.get(pk=order.pk).payment_reminded_at is None


def test_a_paid_order_is_never_closed(paid_order):
    order = paid_order()
    for at in (15, 30, 60 * 24 * 30):
        assert close_unpaid(now=minutes(order, at)) == NOTHING
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID and order.closed_at is None and reminders(order) == []


def test_no_new_payment_once_the_deadline_has_passed(new_order):
    order = new_order()
    Order.objects.filter(pk=order.pk).update(pay_by=timezone.now() - dt.timedelta(seconds=1))  # the sweep is late
    order.refresh_from_db()
    with pytest.raises(DomainError) as refused:
        start(order)
    assert refused.value.code == "order.closed_unpaid" and pay_by_text(order) in refused.value.message
    assert not Payment.objects.filter(order=order).exists()


def test_a_late_payment_reopens_the_closed_order_as_paid_once(new_order, django_capture_on_commit_callbacks):
    order = new_order()
    payment = start(order)  # the buyer is at the payment company's page when the deadline passes
    close_unpaid(now=minutes(order, 30))
    assert Order.objects.get(pk=order.pk).status == OrderStatus.CLOSED
    body, headers = SandboxProvider().notification(kind="payment", out_trade_no=payment.out_trade_no,
                                                   amount=payment.amount)
    assert notification_receive("sandbox", body, headers) == NotificationOutcome.APPLIED
    for _ in range(2):  # the provider sends it again: a replay
        assert notification_receive("sandbox", body, headers) == NotificationOutcome.REPLAY
    order.refresh_from_db()
    payment.refresh_from_db()
    assert order.status == OrderStatus.PAID and order.paid_at is not None
    assert payment.status == PaymentStatus.SUCCEEDED and payment.trade_no
    assert audits(order, "order.paid_after_close").count() == 1 and audits(order, "order.paid").count() == 0
    assert Message.objects.filter(event=Event.ORDER_CONFIRMATION, related_id=str(order.pk)).count() == 1
    assert [o for o, _ in PaymentNotification.objects.order_by("id").values_list("outcome", "reason")] == [
        "applied", "replay", "replay"]
    assert close_unpaid(now=minutes(order, 60)) == NOTHING
    # another trade for the same payment is not a replay: rejected, the order stays paid once
    other, other_headers = SandboxProvider().notification(kind="payment", out_trade_no=payment.out_trade_no,
                                                          amount=payment.amount)
    assert notification_receive("sandbox", other, other_headers) == NotificationOutcome.REJECTED
    assert Payment.objects.filter(order=order, status=PaymentStatus.SUCCEEDED).count() == 1


def test_a_late_payment_of_the_wrong_amount_is_rejected(new_order):
    order = new_order()
    payment = start(order)
    close_unpaid(now=minutes(order, 30))
    body, headers = SandboxProvider().notification(kind="payment", out_trade_no=payment.out_trade_no,
                                                   amount=Decimal("1.00"))
    assert notification_receive("sandbox", body, headers) == NotificationOutcome.REJECTED
    assert Order.objects.get(pk=order.pk).status == OrderStatus.CLOSED


def test_a_refunded_orders_late_payment_stays_rejected(paid_order, net, django_capture_on_commit_callbacks):
    from autodcc.orders.services import refund_dealer_decide, refund_execute, refund_request

    order = paid_order()
    refund = refund_request(token=order.token, reason="不买了")
    refund_dealer_decide(actor=net.a_manager.actor, refund=refund, approve=True)
    with django_capture_on_commit_callbacks(execute=True):
        refund_execute(actor=net.hq_service.actor, refund=refund)
    assert close_unpaid(now=minutes(order, 60)) == NOTHING
    late = Payment.objects.create(order=order, provider="sandbox", out_trade_no=order.number + "P9",
                                  amount=order.deposit)
    body, headers = SandboxProvider().notification(kind="payment", out_trade_no=late.out_trade_no, amount=late.amount)
    assert notification_receive("sandbox", body, headers) == NotificationOutcome.REJECTED
    assert Order.objects.get(pk=order.pk).status == OrderStatus.REFUNDED
    assert Payment.objects.get(pk=late.pk).status == PaymentStatus.PENDING
    assert not audits(order, "order.paid_after_close").exists()


def test_the_store_shows_the_deadline_then_says_the_order_was_closed(new_order, client):
    order = new_order()
    page_url = reverse("store:order", args=[order.token])
    page = client.get(page_url).content.decode()
    assert f"请在 {pay_by_text(order)} 前完成支付" in page and 'id="pay-now"' in page
    close_unpaid(now=minutes(order, 30))
    response = client.get(page_url)
    page = response.content.decode()
    assert response.status_code == 200 and 'id="closed-notice"' in page and "未支付已关闭" in page
    assert "订单已关闭" in page and pay_by_text(order) in page
    assert 'id="pay-now"' not in page and 'id="ask-refund"' not in page
    assert f'href="{reverse("store:trim", args=[order.trim.slug])}"' in page and "重新下单" in page
    response = client.post(reverse("store:order_pay", args=[order.token]), {"provider": "sandbox"})
    assert response.status_code == 302 and response["Location"] == page_url
    page = client.get(page_url).content.decode()
    assert zh_message("order.closed_unpaid", deadline=pay_by_text(order)) in page
    assert not Payment.objects.filter(order=order).exists()


def test_the_store_treats_an_order_past_its_deadline_as_closed_before_the_sweep(new_order, client):
    order = new_order()
    Order.objects.filter(pk=order.pk).update(pay_by=timezone.now() - dt.timedelta(minutes=1))
    page = client.get(reverse("store:order", args=[order.token])).content.decode()
    assert 'id="closed-notice"' in page and 'id="pay-now"' not in page and "未支付已关闭" in page
    response = client.post(reverse("store:order_pay", args=[order.token]), {"provider": "sandbox"}, follow=True)
    assert response.status_code == 200 and "请重新下单" in response.content.decode()


def test_the_console_shows_closed_unpaid_and_keeps_it_out_of_needs_attention(new_order, net, login):
    order = new_order()
    close_unpaid(now=minutes(order, 30))
    hq = login(net.hq_service)
    listing = hq.get(reverse("console:order_list")).content.decode()
    assert order.number in listing and "未支付已关闭" in listing
    assert order.number not in hq.get(reverse("console:order_list") + "?attention=on").content.decode()
    assert order.number in hq.get(reverse("console:order_list") + "?status=closed").content.decode()
    detail = hq.get(reverse("console:order_detail", args=[order.pk])).content.decode()
    assert "未支付已关闭" in detail and 'id="order-closed-at"' in detail and 'id="order-pay-by"' in detail


def test_sweeps_running_at_once_remind_and_close_each_order_once(live_net, enquiry):
    from autodcc.catalog import demo as catalog_demo
    from autodcc.catalog.models import Trim
    from autodcc.core.actors import consumer
    from autodcc.orders.services import order_create

    catalog_demo.build()
    trim = Trim.objects.get(code="S7-LR")
    orders = [order_create(actor=consumer("x"), trim=trim, buyer=enquiry(dealer="SH-001", city=""))
              for _ in range(5)]
    latest = max(o.created_at for o in orders)

    def sweep(at):
        try:
            return close_unpaid(now=at)
        finally:
            connection.close()

    for at, key in ((latest + dt.timedelta(minutes=20), "reminded"), (latest + dt.timedelta(minutes=31), "closed")):
        with ThreadPoolExecutor(max_workers=4) as pool:
            results = list(pool.map(sweep, [at] * 4))
        assert sum(r[key] for r in results) == 5, results
    assert Message.objects.filter(event=Event.PAYMENT_REMINDER).count() == 5
    assert AuditLog.objects.filter(action="order.closed_unpaid").count() == 5
    assert set(Order.objects.values_list("status", flat=True)) == {OrderStatus.CLOSED}


def test_sandbox_pay_after_the_close_goes_through_the_outbox(new_order, django_capture_on_commit_callbacks):
    order = new_order()
    payment = start(order)
    close_unpaid(now=minutes(order, 31))
    with django_capture_on_commit_callbacks(execute=True):
        sandbox_pay(out_trade_no=payment.out_trade_no)
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PAID
    assert audits(order, "order.paid_after_close").count() == 1
