"""The order's way to delivery (ORD-3, 4, 6, 7, 9, CMP-7): recorded by the dealer, confirmed by
the buyer; the dealer's deal values stay with the dealer."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from autodcc.core import audit
from autodcc.core.actors import SYSTEM, Actor
from autodcc.core.errors import DomainError, Forbidden, NotFound
from autodcc.messaging.models import Event
from autodcc.orders.models import (
    ACCESSORY_STEPS,
    TRANSITIONS,
    AccessoryOrder,
    AccessoryStatus,
    DealerDeal,
    DeliveryMode,
    DeliveryUpdate,
    Order,
    OrderStatus,
)

STEPS = {"visited": OrderStatus.VISITED, "contracted": OrderStatus.CONTRACTED, "delivered": OrderStatus.DELIVERED}


UNDER_WAY = (OrderStatus.PAID, OrderStatus.VISITED, OrderStatus.CONTRACTED)


def order_under_way(lead: Any) -> str:
    """The number of the lead's deposit order at its dealer that is on its way to delivery, or ""."""
    return (Order.objects.filter(lead_id=lead.pk, dealer_id=lead.dealer_id, status__in=UNDER_WAY)
            .values_list("number", flat=True).first() or "")


def _locked(actor: Actor, order: Order) -> Order:
    found = (Order.objects.visible_to(actor).select_for_update(of=("self",)).select_related("dealer", "customer")
             .filter(pk=order.pk).first())
    if found is None:
        raise NotFound("not_found")
    return found


def _require_dealer(actor: Actor, order: Order) -> None:
    """Only the order's dealer records its way to delivery (HQ follows, never writes)."""
    if actor.is_hq or not actor.can("orders.dealer", dealer=order.dealer):
        raise Forbidden("forbidden")


def _move(order: Order, target: str, step: str) -> bool:
    if order.status == target:
        return False
    if target not in TRANSITIONS[order.status]:
        raise DomainError("order.illegal_step", field="step", status=order.get_status_display(), step=step)
    order.status = target
    return True


@transaction.atomic
def order_record_step(*, actor: Actor, order: Order, step: str, contract_value: Decimal | None = None,
                      balance_paid: Decimal | None = None, delivery_mode: str | None = None, vin: str = "",
                      plate: str = "") -> Order:
    """The dealer records the store visit, the contract (with, for itself only, the contract value
    and the balance it received) or the delivery, with the car's VIN (and its plate when known):
    the buyer's vehicle goes on file. A repeated step changes nothing."""
    order = _locked(actor, order)
    _require_dealer(actor, order)
    if step not in STEPS:
        raise DomainError("order.illegal_step", field="step", status=order.get_status_display(), step=step)
    if step == "delivered" and OrderStatus.DELIVERED in TRANSITIONS[order.status]:
        parts = AccessoryOrder.objects.filter(order=order).first()
        if parts is None and order.edition_id is not None:  # ORD-6: an edition's car leaves with its package
            raise DomainError("order.accessories_not_ordered")
        if parts is not None and parts.status != AccessoryStatus.INSTALLED:
            raise DomainError("order.accessories_not_installed", status=parts.get_status_display())
    if step == "delivered" and OrderStatus.DELIVERED in TRANSITIONS[order.status] and order.vehicle_id is None:
        if not vin.strip():
            raise DomainError("order.vin_required", field="vin")
        from autodcc.customers.services import vehicle_register

        order.vehicle = vehicle_register(actor=actor, customer=order.customer, vin=vin, plate=plate,
                                         trim=order.trim, purchase_date=timezone.localdate(), dealer=order.dealer)
    before = audit.snapshot(order, ["status", "delivery_mode"])
    moved = _move(order, STEPS[step], step)
    now = timezone.now()
    if moved:
        setattr(order, f"{step}_at", now)
        if step == "contracted" and order.visited_at is None:
            order.visited_at = now
    if delivery_mode:
        if delivery_mode not in DeliveryMode.values:
            raise DomainError("order.illegal_step", field="delivery_mode", status=order.get_status_display(),
                              step=delivery_mode)
        order.delivery_mode = delivery_mode
    order.save()
    if contract_value is not None or balance_paid is not None:
        _deal(actor, order, contract_value, balance_paid)
    after = audit.snapshot(order, ["status", "delivery_mode"])
    if audit.changed(before, after):
        audit.record(actor=actor, action=f"order.{step}", obj=order, before=before, after=after)
    if moved:  # the same milestone on the buyer's lead: one record, both views
        from autodcc.leads.services.showroom import order_milestone

        order_milestone(actor=actor, lead_id=order.lead_id, dealer_id=order.dealer_id, step=step,
                        order_number=order.number)
    if order.edition_id and (moved or balance_paid is not None or contract_value is not None):
        from autodcc.orders.services.rewards import issue_due

        issue_due(actor=actor, order=order)
    if moved and step == "delivered":
        DeliveryUpdate.objects.create(order=order, by_label=actor.label,
                                      text=gettext("The car has been delivered: please confirm receipt on the order page"))
    return order


def _deal(actor: Actor, order: Order, contract_value: Decimal | None, balance_paid: Decimal | None) -> None:
    if contract_value is not None and contract_value < order.deposit:
        raise DomainError("order.contract_below_deposit", field="contract_value")
    deal, _created = DealerDeal.objects.select_for_update().get_or_create(order=order)
    before = audit.snapshot(deal, ["contract_value", "balance_paid"])
    if contract_value is not None:
        deal.contract_value = contract_value
    if balance_paid is not None:
        if balance_paid < 0:
            raise DomainError("order.balance_negative", field="balance_paid")
        deal.balance_paid = balance_paid
    # the contract (invoice) value is the deposit plus the balance (尾款): no more balance than that
    if deal.contract_value is not None and deal.balance_paid is not None \
            and deal.balance_paid > deal.contract_value - order.deposit:
        raise DomainError("order.balance_above_contract", field="balance_paid",
                          balance=f"{deal.contract_value - order.deposit:.2f}")
    deal.save()
    # recorded under a dealer-only object type: the audit views hide it from HQ (policy.py)
    audit.record(actor=actor, action="deal.update", obj=deal, before=before,
                 after=audit.snapshot(deal, ["contract_value", "balance_paid"]), dealer_id=order.dealer_id)


@transaction.atomic
def order_delivery_update(*, actor: Actor, order: Order, text: str) -> DeliveryUpdate:
    order = _locked(actor, order)
    _require_dealer(actor, order)
    if not text.strip():
        raise DomainError("order.update_empty", field="text")
    if order.status not in (OrderStatus.PAID, OrderStatus.VISITED, OrderStatus.CONTRACTED, OrderStatus.DELIVERED):
        raise DomainError("order.update_closed", field="text", status=order.get_status_display())
    update = DeliveryUpdate.objects.create(order=order, text=text.strip()[:200], by_label=actor.label)
    audit.record(actor=actor, action="order.delivery_update", obj=order, after={"text": update.text})
    return update


def _remind(order: Order, now: dt.datetime) -> None:
    """The receipt reminder SMS with the order page's link (where the buyer confirms), counted on
    the order (the caller holds its row lock)."""
    from autodcc.orders.services.ordering import tell_buyer

    order.receipt_reminders += 1
    order.receipt_reminded_at = now
    Order.objects.filter(pk=order.pk).update(receipt_reminders=order.receipt_reminders, receipt_reminded_at=now)
    tell_buyer(order, Event.RECEIPT_REMINDER, dealer=str(order.dealer))


@transaction.atomic
def order_remind_receipt(*, actor: Actor, order: Order) -> None:
    """The dealer reminds the buyer to confirm receipt online. Always available while the car
    waits for the buyer's receipt; it counts like an automatic one (:func:`remind_receipts`)."""
    order = _locked(actor, order)
    _require_dealer(actor, order)
    if order.status != OrderStatus.DELIVERED:
        raise DomainError("order.receipt_early")
    _remind(order, timezone.now())
    audit.record(actor=actor, action="order.receipt_reminder", obj=order,
                 after={"status": order.status, "reminders": order.receipt_reminders, "automatic": False})


RECEIPT_AUTO_LIMIT = 2  # reminders after which the sweep leaves the order to the dealer
RECEIPT_BATCH = 200


def remind_receipts(*, now: dt.datetime | None = None) -> int:
    """The automatic receipt reminder (ORD-7): a delivered order whose buyer has not confirmed
    receipt ``ORDER_RECEIPT_REMINDER_DAYS`` days after the delivery gets one reminder, and one
    more the same number of days after the last reminder (the dealer's own reminders count, and
    restart the wait) while fewer than ``RECEIPT_AUTO_LIMIT`` reminders were sent in all. Nothing
    goes out in the quiet hours (21:00-08:00): the next run after 08:00 sends it. Safe to run
    twice or at once: each order is locked, re-checked and stamped in one transaction."""
    from django.conf import settings
    from django.db.models import Q

    from autodcc.campaigns.outreach import in_quiet_hours

    now = now or timezone.now()
    if in_quiet_hours(now):
        return 0
    before = now - dt.timedelta(days=settings.ORDER_RECEIPT_REMINDER_DAYS)
    due = (Q(status=OrderStatus.DELIVERED, receipt_reminders__lt=RECEIPT_AUTO_LIMIT, delivered_at__lte=before)
           & (Q(receipt_reminded_at__isnull=True) | Q(receipt_reminded_at__lte=before)))
    sent = 0
    while True:
        with transaction.atomic():
            batch = list(Order.objects.select_for_update(skip_locked=True, of=("self",))
                         .select_related("customer", "dealer").filter(due).order_by("pk")[:RECEIPT_BATCH])
            for order in batch:
                _remind(order, now)
                audit.record(actor=SYSTEM, action="order.receipt_reminder", obj=order,
                             after={"status": order.status, "reminders": order.receipt_reminders, "automatic": True})
            sent += len(batch)
        if len(batch) < RECEIPT_BATCH:
            return sent


@transaction.atomic
def order_confirm_receipt(*, token: str) -> Order:
    """The buyer confirms receipt: the deposit becomes due to the dealer, and the edition's rewards
    are issued if that is their condition. Confirming twice changes nothing."""
    order = Order.objects.select_for_update(of=("self",)).select_related("edition").filter(token=token).first()
    if order is None:
        raise NotFound("not_found")
    if order.status == OrderStatus.RECEIVED:
        return order
    if order.status != OrderStatus.DELIVERED:
        raise DomainError("order.receipt_early")
    order.status, order.received_at, order.deposit_due_to_dealer = OrderStatus.RECEIVED, timezone.now(), True
    order.save()
    from autodcc.orders.services.rewards import issue_due

    issue_due(actor=SYSTEM, order=order)
    audit.record(actor=SYSTEM, action="order.received", obj=order,
                 after={"status": order.status, "rewards": order.rewards.count()})
    return order


@transaction.atomic
def accessory_order_place(*, actor: Actor, order: Order, promised_on: dt.date) -> AccessoryOrder:
    """ORD-6: after the contract the dealer orders the edition's package by part number; the
    promised date respects the package's lead time."""
    order = _locked(actor, order)
    _require_dealer(actor, order)
    if not order.edition_id:
        raise DomainError("order.no_package")
    if order.status not in (OrderStatus.CONTRACTED, OrderStatus.DELIVERED):
        raise DomainError("order.not_contracted")
    existing = AccessoryOrder.objects.filter(order=order).first()
    if existing is not None:
        return existing
    package = order.edition.package
    earliest = timezone.localdate() + dt.timedelta(days=package.lead_time_days)
    if promised_on < earliest:
        raise DomainError("order.promise_too_early", field="promised_on", days=package.lead_time_days,
                          date=earliest.isoformat())
    parts = [{"part_no": p.part_no, "name": p.name, "quantity": p.quantity} for p in package.parts.all()]
    accessory = AccessoryOrder.objects.create(order=order, package=package, parts=parts, promised_on=promised_on)
    audit.record(actor=actor, action="order.accessories", obj=order,
                 after={"package": package.code, "parts": [p["part_no"] for p in parts],
                        "promised_on": promised_on.isoformat()})
    return accessory


@transaction.atomic
def accessory_advance(*, actor: Actor, accessory: AccessoryOrder, to: str) -> AccessoryOrder:
    """The part order's next step: HQ (or the parts supplier) confirms and ships it, the dealer
    marks it arrived and installed. A step already recorded changes nothing."""
    if to not in ACCESSORY_STEPS:
        raise DomainError("order.accessory_step", field="to", value=to)
    accessory = (AccessoryOrder.objects.visible_to(actor).select_for_update(of=("self",))
                 .select_related("order__dealer", "package").filter(pk=accessory.pk).first())
    if accessory is None:
        raise NotFound("not_found")
    before_status, side = ACCESSORY_STEPS[to]
    order = accessory.order
    if side == "hq" and not actor.can("orders.accessories_supply"):
        raise Forbidden("forbidden")
    if side == "dealer":
        _require_dealer(actor, order)
    if accessory.status == to:
        return accessory
    if accessory.status != before_status:
        raise DomainError("order.accessory_out_of_order", status=accessory.get_status_display(),
                          step=AccessoryStatus(to).label)
    before = audit.snapshot(accessory, ["status"])
    accessory.status = to
    setattr(accessory, f"{to}_at", timezone.now())
    accessory.save()
    audit.record(actor=actor, action=f"accessory.{to}", obj=order, before=before,
                 after={**audit.snapshot(accessory, ["status"]), "package": accessory.package.code},
                 dealer_id=order.dealer_id)
    return accessory
