"""Demo deposit orders at every stage, paid through the sandbox provider. Re-runnable: buyers
are keyed by phone."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from autodcc.catalog.models import Edition, Trim
from autodcc.core.actors import consumer
from autodcc.leads.services import LeadInput
from autodcc.network.actors import actor_for_staff
from autodcc.network.demo import person_name
from autodcc.network.models import Staff
from autodcc.orders.models import Order
from autodcc.orders.providers.sandbox import SandboxProvider
from autodcc.orders.services import (
    notification_receive,
    order_confirm_receipt,
    order_create,
    order_record_step,
    order_remind_receipt,
    payment_start,
    refund_dealer_decide,
    refund_request,
)

# (dealer, edition?, how far)
PLAN = [("SH-001", True, "received"), ("SH-001", True, "delivered"), ("SH-001", False, "contracted"),
        ("SH-001", False, "visited"), ("SH-001", False, "paid"), ("SH-001", False, "refund"),
        ("GZ-001", True, "received"), ("GZ-001", False, "paid"), ("BJ-001", True, "contracted"),
        ("BJ-001", False, "awaiting"), ("SH-001", False, "declined")]


def build() -> int:
    trim = Trim.objects.filter(code="S7-LR").first()
    edition = Edition.objects.filter(code="S7-TMALL").first()
    if trim is None or edition is None:
        return 0
    made = 0
    for n, (dealer, special, stage) in enumerate(PLAN):
        phone = f"185{n:08d}"
        if Order.objects.filter(customer__phone=f"+86{phone}").exists():
            continue
        buyer = LeadInput(name=person_name(900 + n), phone=phone, channel="tmall", dealer=dealer,
                          consent_version="store-2026-01", consent_share_with_dealer=True)
        order = order_create(actor=consumer("demo"), trim=trim, edition=edition if special else None, buyer=buyer,
                             wants_loan=n % 2 == 0, colour="湖光蓝")
        made += 1
        if stage == "awaiting":
            continue
        payment, _checkout = payment_start(order=order, provider="sandbox", return_url=f"/store/order/{order.token}/")
        body, headers = SandboxProvider().notification(kind="payment", out_trade_no=payment.out_trade_no,
                                                       amount=payment.amount)
        notification_receive("sandbox", body, headers)
        if stage == "refund":
            refund_request(token=order.token, reason="家人意见不一致，暂不购买")
            continue
        staff = Staff.objects.filter(grants__dealer__code=dealer, grants__role="sales_manager").first()
        if staff is None:
            continue
        actor = actor_for_staff(staff)
        if stage == "declined":  # declined by the dealer: waits for HQ customer service's review (ORD-5)
            refund = refund_request(token=order.token, reason="想换成更高配置的车型")
            refund_dealer_decide(actor=actor, refund=refund, approve=False, note="车辆已按客户要求调拨，无法退订")
            continue
        steps = {"visited": ["visited"], "contracted": ["visited", "contracted"],
                 "delivered": ["visited", "contracted", "delivered"],
                 "received": ["visited", "contracted", "delivered"]}.get(stage, [])
        for step in steps:
            if step == "delivered" and special:
                _fit_package(order, actor)
            order_record_step(actor=actor, order=order, step=step,
                              contract_value=Decimal("214900.00") if step == "contracted" else None,
                              balance_paid=Decimal("214400.00") if step == "contracted" else None,
                              vin=f"LVGDDM{order.pk:011d}" if step == "delivered" else "")
        if stage == "received":
            order_confirm_receipt(token=order.token)
        if stage == "delivered":  # the dealer has reminded the buyer to confirm receipt (ORD-7)
            order_remind_receipt(actor=actor, order=order)
    return made


def _fit_package(order: Order, dealer_actor: Any) -> None:
    """The edition's accessory package ordered, confirmed and shipped by HQ, then received and
    installed at the dealer (ORD-6): an edition is delivered with its package fitted."""
    import datetime as dt

    from django.utils import timezone

    from autodcc.orders.services import accessory_advance, accessory_order_place

    hq = Staff.objects.filter(grants__role="hq_service").first()
    if hq is None or order.edition is None:
        return
    parts = accessory_order_place(actor=dealer_actor, order=order, promised_on=timezone.localdate()
                                  + dt.timedelta(days=order.edition.package.lead_time_days))
    for step, who in (("confirmed", actor_for_staff(hq)), ("shipped", actor_for_staff(hq)), ("arrived", dealer_actor),
                      ("installed", dealer_actor)):
        parts = accessory_advance(actor=who, accessory=parts, to=step)
