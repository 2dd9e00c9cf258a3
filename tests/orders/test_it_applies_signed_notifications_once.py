"""ORD-2: notifications signed with real RSA keys through python-alipay-sdk's own signing code
(and WeChat Pay v3's RSA + AES-GCM) are verified, applied once, and everything else is rejected
and logged."""

import datetime as dt
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from django.db import connection

from autodcc.messaging.models import Event, Message
from autodcc.orders.models import (
    NotificationOutcome,
    Order,
    OrderStatus,
    Payment,
    PaymentNotification,
    PaymentStatus,
    Refund,
)
from autodcc.orders.services import notification_receive, payment_start

DEPOSIT = Decimal("500.00")


def start(order, provider):
    payment, checkout = payment_start(order=order, provider=provider, return_url=f"/store/order/{order.token}/")
    return payment, checkout


def outcomes():
    return list(PaymentNotification.objects.order_by("id").values_list("outcome", "reason"))


def test_a_valid_alipay_notification_is_applied_once_however_often_replayed(
        payments_configured, new_order, alipay_side, client):
    order = new_order()
    payment, checkout = start(order, "alipay")
    assert "alipay" in checkout.url and payment.out_trade_no in checkout.url
    body = alipay_side.notification(out_trade_no=payment.out_trade_no, trade_no="2026112422001", total_amount="500.00")
    for _ in range(4):
        response = client.post("/pay/notify/alipay/", body, content_type="application/x-www-form-urlencoded")
        assert response.status_code == 200 and response.content == b"success"
    payment.refresh_from_db()
    order.refresh_from_db()
    assert (payment.status, payment.trade_no, order.status) == (PaymentStatus.SUCCEEDED, "2026112422001",
                                                                 OrderStatus.PAID)
    assert [o for o, _ in outcomes()] == ["applied", "replay", "replay", "replay"]
    assert Message.objects.filter(event=Event.ORDER_CONFIRMATION, related_id=str(order.pk)).count() == 1
    assert order.number in Message.objects.get(event=Event.ORDER_CONFIRMATION).body


@pytest.mark.parametrize("case", ["forged_signature", "tampered_amount", "wrong_amount", "unknown_order",
                                  "other_app"])
def test_bad_alipay_notifications_are_rejected_and_logged(payments_configured, new_order, alipay_side, forger,
                                                         client, case):
    order = new_order()
    payment, _ = start(order, "alipay")
    fields = {"out_trade_no": payment.out_trade_no, "trade_no": "T1", "total_amount": "500.00"}
    if case == "forged_signature":
        body = forger.notification(**fields)
    elif case == "tampered_amount":
        body = alipay_side.notification(**fields).replace(b"total_amount=500.00", b"total_amount=5.00")
    elif case == "wrong_amount":
        body = alipay_side.notification(**{**fields, "total_amount": "1.00"})
    elif case == "unknown_order":
        body = alipay_side.notification(**{**fields, "out_trade_no": "DO00000000000P1"})
    else:
        body = alipay_side.notification(**{**fields, "app_id": "2021999999999999"})
    response = client.post("/pay/notify/alipay/", body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert Order.objects.get(pk=order.pk).status == OrderStatus.AWAITING_PAYMENT
    assert Payment.objects.get(pk=payment.pk).status == PaymentStatus.PENDING
    logged = PaymentNotification.objects.get()
    assert logged.outcome == NotificationOutcome.REJECTED and logged.reason


def test_a_notification_for_a_refunded_order_is_rejected(payments_configured, paid_order, alipay_side,
                                                         django_capture_on_commit_callbacks, net):
    from autodcc.orders.services import refund_dealer_decide, refund_execute, refund_request

    order = paid_order()
    refund = refund_request(token=order.token, reason="不买了")
    refund_dealer_decide(actor=net.a_manager.actor, refund=refund, approve=True)
    with django_capture_on_commit_callbacks(execute=True):
        refund_execute(actor=net.hq_service.actor, refund=refund)
    assert Order.objects.get(pk=order.pk).status == OrderStatus.REFUNDED
    # a late Alipay payment on the refunded order: a second payment row the buyer opened earlier
    late = Payment.objects.create(order=order, provider="alipay", out_trade_no=order.number + "P9", amount=DEPOSIT)
    body = alipay_side.notification(out_trade_no=late.out_trade_no, trade_no="LATE", total_amount="500.00")
    assert notification_receive("alipay", body, {}) == NotificationOutcome.REJECTED
    assert PaymentNotification.objects.filter(out_trade_no=late.out_trade_no).get().reason.startswith("order is")


def test_wechat_pay_v3_notifications_are_verified_and_decrypted(payments_configured, new_order, wechat_side, client):
    import time

    order = new_order()
    payment = Payment.objects.create(order=order, provider="wechat", out_trade_no=order.number + "P1", amount=DEPOSIT)
    resource = {"mchid": "1900000109", "appid": "wx0000000000000001", "out_trade_no": payment.out_trade_no,
                "transaction_id": "4200000001", "trade_state": "SUCCESS", "amount": {"total": 50000, "payer_total": 50000}}
    body, headers = wechat_side.notification(resource)
    extra = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()}
    assert client.post("/pay/notify/wechat/", body, content_type="application/json", **extra).status_code == 200
    assert client.post("/pay/notify/wechat/", body, content_type="application/json", **extra).status_code == 200
    assert Payment.objects.get(pk=payment.pk).status == PaymentStatus.SUCCEEDED
    tampered = body.replace(b"EV-1", b"EV-2")
    assert client.post("/pay/notify/wechat/", tampered, content_type="application/json", **extra).status_code == 400
    stale_body, stale = wechat_side.notification(resource, timestamp=int(time.time()) - 3600)
    assert notification_receive("wechat", stale_body, stale) == NotificationOutcome.REJECTED
    assert [o for o, _ in outcomes()] == ["applied", "replay", "rejected", "rejected"]


def test_the_sandbox_pays_end_to_end(paid_order):
    order = paid_order()
    assert order.status == OrderStatus.PAID and order.paid_at is not None
    assert [o for o, _ in outcomes()] == ["applied"]


def test_two_concurrent_refund_requests_refund_once(live_net, enquiry, django_capture_on_commit_callbacks):
    from autodcc.catalog import demo as catalog_demo
    from autodcc.catalog.models import Trim
    from autodcc.core.actors import consumer
    from autodcc.core.errors import Conflict
    from autodcc.orders.services import order_create, refund_request, sandbox_pay

    catalog_demo.build()
    order = order_create(actor=consumer("x"), trim=Trim.objects.get(code="S7-LR"),
                         buyer=enquiry(dealer="SH-001", city=""))
    payment, _ = start(order, "sandbox")
    sandbox_pay(out_trade_no=payment.out_trade_no)  # outside a test transaction: runs after commit

    def ask(n):
        try:
            refund_request(token=order.token, reason=f"#{n}")
            return "ok"
        except Conflict:
            return "conflict"
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = sorted(pool.map(ask, range(4)))
    assert results == ["conflict", "conflict", "conflict", "ok"]
    assert Refund.objects.filter(order=order).count() == 1


def test_the_payment_companies_stop_taking_money_at_the_orders_deadline(payments_configured, new_order, monkeypatch):
    """The checkout carries the order's payment deadline (Beijing time): Alipay's time_expire in its
    biz_content, WeChat Pay v3's time_expire (RFC 3339) — a late payment is refused at the source."""
    import json as json_
    from urllib.parse import parse_qs, urlsplit

    from autodcc.orders.providers.wechat import WeChatPayProvider

    order = new_order()
    beijing = order.pay_by.astimezone(dt.timezone(dt.timedelta(hours=8)))
    _payment, checkout = start(order, "alipay")
    biz = json_.loads(parse_qs(urlsplit(checkout.url).query)["biz_content"][0])
    assert biz["time_expire"] == beijing.strftime("%Y-%m-%d %H:%M:%S")
    sent = {}

    def fake_post(self, path, payload):
        sent.update(payload)
        return {"h5_url": "https://wx.tenpay.com/cgi-bin/mmpayweb-bin/checkmweb?prepay_id=wx1"}

    monkeypatch.setattr(WeChatPayProvider, "_post", fake_post)
    start(new_order(), "wechat")
    assert sent["time_expire"].endswith("+08:00") and dt.datetime.fromisoformat(sent["time_expire"]) > dt.datetime.now(
        dt.UTC)
