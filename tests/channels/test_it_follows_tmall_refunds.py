"""A deposit paid on Tmall is refunded on Tmall (the buyer asks there, Tmall pays back): the store
page says so instead of offering our refund, and the refunds Tmall completes are pulled
(taobao.refunds.receive.get) onto the order once — the buyer told, the order refunded."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from autodcc.channels.models import PullCursor
from autodcc.channels.orders import tmall_orders_pull, tmall_refunds_pull
from autodcc.core.models import AuditLog
from autodcc.messaging.models import Event, Message
from autodcc.orders.models import Order, OrderStatus, Refund, RefundStatus
from tests.channels import fakes


def _at(minutes_ago: int) -> str:
    return fakes.gmt8(dt.datetime.now(dt.UTC) - dt.timedelta(minutes=minutes_ago))


def test_a_tmall_deposit_is_refunded_on_tmall_and_followed_here_once(net, catalogue, client):
    top = fakes.FakeTop([fakes.tmall_trade(9501, created=_at(50)), fakes.tmall_trade(9502, created=_at(45))])
    assert tmall_orders_pull(transport=top) == 2
    order = Order.objects.get(lead__source_ref="9501")
    page = client.get(reverse("store:order", args=[order.token])).content.decode()
    assert 'id="refund-on-marketplace"' in page and "天猫" in page and 'id="ask-refund"' not in page
    asked = client.post(reverse("store:order_refund", args=[order.token]), {"reason": "不想买了"}, follow=True)
    assert asked.status_code in (200, 400) and "请在天猫" in asked.content.decode() and not Refund.objects.exists()

    top.refunds = [
        fakes.tmall_refund(77001, 9501, modified=_at(10)),  # paid back by Tmall
        fakes.tmall_refund(77002, 9502, modified=_at(9), status="WAIT_SELLER_AGREE"),  # not yet: nothing
        fakes.tmall_refund(77003, 123456, modified=_at(8)),  # a trade that never became an order: skipped
        fakes.tmall_refund(77004, 9502, modified=_at(7), refund_fee="9999.00"),  # more than was paid: refused
        fakes.tmall_refund(77005, 9502, modified=_at(6), refund_fee="五百"),  # unreadable: skipped
    ]
    assert tmall_refunds_pull(transport=top) == 1
    order.refresh_from_db()
    refund = Refund.objects.get()
    assert (order.status, refund.status, refund.refund_no, refund.amount) == (OrderStatus.REFUNDED,
                                                                              RefundStatus.SUCCEEDED, "77001",
                                                                              order.deposit)
    assert Message.objects.filter(event=Event.REFUND_PAID, related_id=str(order.pk)).count() == 1
    assert AuditLog.objects.filter(action="refund.marketplace").count() == 1
    other = Order.objects.get(lead__source_ref="9502")
    assert other.status == OrderStatus.PAID and not other.refunds.exists()
    # the next pulls look back over the same refunds: nothing twice
    assert tmall_refunds_pull(transport=top) == 0
    assert Refund.objects.count() == 1 and Message.objects.filter(event=Event.REFUND_PAID).count() == 1
    assert PullCursor.objects.get(connector="tmall", stream="refund").last_error == ""
    page = client.get(reverse("store:order", args=[order.token])).content.decode()
    assert 'id="refund-on-marketplace"' not in page  # refunded: nothing left to ask


def test_a_failed_refund_pull_is_an_error_on_its_cursor_and_changes_nothing(net, catalogue, settings):
    top = fakes.FakeTop([fakes.tmall_trade(9601, created=_at(30))], refunds=[fakes.tmall_refund(78001, 9601,
                                                                                                modified=_at(5))])
    tmall_orders_pull(transport=top)
    top.session = "another-seller"
    assert tmall_refunds_pull(transport=top) == 0
    assert "Invalid session" in PullCursor.objects.get(connector="tmall", stream="refund").last_error
    assert Order.objects.get().status == OrderStatus.PAID and not Refund.objects.exists()


def test_a_refund_pulled_before_its_trade_waits_and_is_applied_with_the_trade(net, catalogue, login):
    from autodcc.channels.models import Delivery, Outcome

    top = fakes.FakeTop([], refunds=[fakes.tmall_refund(79001, 9701, modified=_at(5))])
    assert tmall_refunds_pull(transport=top) == 0  # no order for that trade yet
    waiting = Delivery.objects.get(kind="refund", platform_id="79001")
    assert waiting.outcome == Outcome.REJECTED and waiting.params["tid"] == "9701"
    top.trades = [fakes.tmall_trade(9701, created=_at(30))]
    assert tmall_orders_pull(transport=top) == 1
    order = Order.objects.get(lead__source_ref="9701")
    assert order.status == OrderStatus.REFUNDED and order.refunds.get().refund_no == "79001"
    waiting.refresh_from_db()
    assert waiting.outcome == Outcome.REFUNDED and waiting.order_id == order.pk
    assert tmall_refunds_pull(transport=top) == 0 and Refund.objects.count() == 1  # pulled again: nothing twice
