"""Tmall's paid deposit orders, pulled with taobao.trades.sold.get, become deposit orders once."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from autodcc.channels.models import Delivery, Outcome, PullCursor
from autodcc.channels.orders import tmall_orders_pull
from autodcc.channels.services import delivery_replay
from autodcc.core.models import AuditLog
from autodcc.orders.models import Order, OrderStatus, Payment, PaymentStatus
from tests.channels import fakes


def _at(minutes_ago: int) -> str:
    return fakes.gmt8(dt.datetime.now(dt.UTC) - dt.timedelta(minutes=minutes_ago))


def test_paid_trades_become_paid_deposit_orders_once_across_pulls(net, catalogue):
    trades = [fakes.tmall_trade(9001, created=_at(50)), fakes.tmall_trade(9002, created=_at(40), store="HZ-001"),
              fakes.tmall_trade(9003, created=_at(30), status="WAIT_BUYER_PAY"),  # not paid: not an order
              fakes.tmall_trade(9004, created=_at(20), outer_iid="S7-LR", payment="500.00", store="XX-1")]
    top = fakes.FakeTop(trades)
    assert tmall_orders_pull(transport=top) == 3
    assert len(top.calls) == 2 and top.calls[0]["sign_method"] == "hmac-sha256"
    orders = {o.lead.source_ref: o for o in Order.objects.select_related("lead", "dealer", "edition")}
    assert set(orders) == {"9001", "9002", "9004"}
    first = orders["9001"]
    assert first.status == OrderStatus.PAID and first.paid_at is not None and first.edition.code == "S7-TMALL"
    assert first.dealer == net.dealer_a and first.lead.channel == "tmall" and first.deposit == Decimal("500.00")
    payment = first.payments.get()
    assert (payment.provider, payment.trade_no, payment.status) == ("tmall", "9001", PaymentStatus.SUCCEEDED)
    assert orders["9002"].dealer == net.dealer_b
    assert orders["9004"].dealer == net.dealer_a  # unknown store: the buyer's city (Shanghai)
    assert Delivery.objects.get(platform_id="9004").notes == [{"code": "dealer_unknown", "value": "XX-1"}]
    assert AuditLog.objects.filter(action="order.paid").count() == 3
    assert AuditLog.objects.filter(action="order.create", actor_label="天猫接口").count() == 3

    # the next pulls look back over the same trades: nothing is created twice
    assert tmall_orders_pull(transport=top) == 0
    assert tmall_orders_pull(transport=top) == 0
    assert Order.objects.count() == 3 and Payment.objects.count() == 3
    cursor = PullCursor.objects.get(connector="tmall", stream="order")
    assert cursor.cursor and cursor.last_error == ""


def test_a_trade_that_does_not_fit_is_kept_refused_and_replayed_once_fixed(net, catalogue, login):
    top = fakes.FakeTop([fakes.tmall_trade(9100, created=_at(10), outer_iid="NO-SUCH-ITEM")])
    assert tmall_orders_pull(transport=top) == 0
    delivery = Delivery.objects.get(platform_id="9100")
    assert delivery.outcome == Outcome.REJECTED and "NO-SUCH-ITEM" in delivery.error[0]["message"]
    assert not Order.objects.exists()
    assert tmall_orders_pull(transport=top) == 0 and not Order.objects.exists()  # still refused, kept once
    assert Delivery.objects.filter(platform_id="9100").count() == 1

    delivery.item["orders"]["order"][0]["outer_iid"] = "S7-TMALL"  # as the store's item is fixed on Tmall
    Delivery.objects.filter(pk=delivery.pk).update(item=delivery.item)
    replayed = delivery_replay(actor=net.hq_marketer.actor, delivery_id=delivery.pk)
    assert replayed.outcome == Outcome.ORDERED and Order.objects.get().payments.get().trade_no == "9100"
    assert AuditLog.objects.filter(action="channel.delivery_replay", object_id=str(delivery.pk)).count() == 1
    assert tmall_orders_pull(transport=top) == 0 and Order.objects.count() == 1


def test_an_amount_that_differs_from_the_deposit_creates_nothing(net, catalogue):
    top = fakes.FakeTop([fakes.tmall_trade(9200, created=_at(10), payment="499.00")])
    assert tmall_orders_pull(transport=top) == 0
    assert Delivery.objects.get().outcome == Outcome.REJECTED
    assert not Order.objects.exists() and not Payment.objects.exists()
    from autodcc.leads.models import Lead

    assert not Lead.objects.exists()  # the buyer's lead went with the refused order


def test_a_wrong_session_is_an_error_on_the_cursor(net, catalogue, settings):
    settings.CHANNELS["tmall"] = {**settings.CHANNELS["tmall"], "session": "expired"}
    assert tmall_orders_pull(transport=fakes.FakeTop([fakes.tmall_trade(9300, created=_at(5))])) == 0
    assert "Invalid session" in PullCursor.objects.get(connector="tmall").last_error
