"""The money path under concurrency: refund executions and the provider's refund never wait on
each other in a cycle (every refund operation locks the order, then the refund), and a payment
notification is applied only together with its log row."""

from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from django.db import connection

from autodcc.catalog import demo as catalog_demo
from autodcc.catalog.models import Trim
from autodcc.core.actors import consumer
from autodcc.orders.models import Order, OrderStatus, PaymentNotification, PaymentStatus, Refund, RefundStatus
from autodcc.orders.services import order_create, payment_start, sandbox_pay
from autodcc.orders.services.refunds import refund_dealer_decide, refund_execute, refund_request


def paid(enquiry, n):
    order = order_create(actor=consumer("store"), trim=Trim.objects.get(code="S7-LR"),
                         buyer=enquiry(channel="storefront", dealer="SH-001", city="", phone=f"1391111{n:04d}"))
    payment, _checkout = payment_start(order=order, provider="sandbox", return_url="/")
    sandbox_pay(out_trade_no=payment.out_trade_no)  # transactional test: the notification follows the commit
    return Order.objects.get(pk=order.pk)


def test_simultaneous_refund_executions_apply_once_and_never_deadlock(live_net, enquiry):
    net = live_net
    catalog_demo.build()
    refunds = []
    for n in range(30):
        order = paid(enquiry, n)
        assert order.status == OrderStatus.PAID
        refund = refund_request(token=order.token, reason="计划有变")
        refund_dealer_decide(actor=net.a_manager.actor, refund=refund, approve=True)
        refunds.append(refund)

    def execute(refund):
        try:
            # each call commits and, with no broker, sends the refund through the provider right after
            return refund_execute(actor=net.hq_service.actor, refund=refund).status
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(execute, [r for r in refunds for _ in range(2)]))  # each refund executed twice at once
    for refund in refunds:
        refund.refresh_from_db()
        assert refund.status == RefundStatus.SUCCEEDED
        assert Order.objects.get(pk=refund.order_id).status == OrderStatus.REFUNDED
    assert Refund.objects.count() == 30


def test_a_payment_is_applied_only_with_its_log_row(net, enquiry, monkeypatch, django_capture_on_commit_callbacks):
    from autodcc.orders.providers.sandbox import SandboxProvider
    from autodcc.orders.services import ordering

    catalog_demo.build()
    order = order_create(actor=consumer("store"), trim=Trim.objects.get(code="S7-LR"),
                         buyer=enquiry(channel="storefront", dealer="SH-001", city=""))
    payment, _checkout = payment_start(order=order, provider="sandbox", return_url="/")
    body, headers = SandboxProvider().notification(kind="payment", out_trade_no=payment.out_trade_no,
                                                   amount=Decimal("500.00"))

    def log_fails(*_args, **_kwargs):
        raise ConnectionError("the database went away")

    monkeypatch.setattr(ordering, "_log", log_fails)
    with pytest.raises(ConnectionError):
        ordering.notification_receive("sandbox", body, headers)
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PENDING and not PaymentNotification.objects.exists()
    monkeypatch.undo()
    assert ordering.notification_receive("sandbox", body, headers) == "applied"  # the provider's retry
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.SUCCEEDED and PaymentNotification.objects.count() == 1
