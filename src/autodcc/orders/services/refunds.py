"""Refunds (ORD-5): the buyer asks, the dealer's managers are told and confirm (or decline,
saying why), customer service reviews a decline (overrules it or confirms it) and sends an
approved refund through the provider; the buyer hears of the final decision by SMS. Never more
than was paid; one refund in flight per order, even under concurrency; every step audited."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_lazy

from autodcc.core import audit, outbox
from autodcc.core.actors import SYSTEM, Actor, consumer
from autodcc.core.errors import Conflict, DomainError, Forbidden, NotFound
from autodcc.messaging.models import Event
from autodcc.orders import providers
from autodcc.orders.models import (
    ACTIVE_REFUND,
    CancelledBy,
    NotificationOutcome,
    Order,
    OrderStatus,
    Payment,
    PaymentStatus,
    Refund,
    RefundStatus,
)
from autodcc.orders.services.ordering import paid_amount, tell_buyer

REFUNDABLE = (OrderStatus.PAID, OrderStatus.VISITED, OrderStatus.CONTRACTED)
REFUND_TOPIC = "orders.refund"


# paid on a marketplace: the marketplace refunds the buyer itself (on its own order page); we learn
# of it from its refund list (``marketplace_refund_apply``) and never send the money back twice
MARKETPLACES = {"tmall": gettext_lazy("Tmall")}


def marketplace_of(order: Order) -> str:
    """The marketplace an order was paid on ("" for the store's own payment companies)."""
    provider = order.payments.filter(status=PaymentStatus.SUCCEEDED).values_list("provider", flat=True).first()
    return str(MARKETPLACES.get(provider or "", ""))


def marketplace_refund_apply(*, provider: str, trade_no: str, refund_no: str, amount: Decimal) -> tuple[str, str]:
    """A refund the marketplace has completed for one of its paid trades: recorded on our order as
    a succeeded refund (the order refunded when nothing is left paid, the buyer told), once per
    marketplace refund id. Returns (outcome, reason) like the payment companies' notifications."""
    if provider not in MARKETPLACES or not trade_no or not refund_no or len(refund_no) > 64:
        return NotificationOutcome.REJECTED, "not a marketplace refund"
    with transaction.atomic():
        found = (Payment.objects.filter(provider=provider, trade_no=trade_no, status=PaymentStatus.SUCCEEDED)
                 .values_list("pk", "order_id").first())
        if found is None:
            return NotificationOutcome.REJECTED, "unknown trade"
        order = Order.objects.select_for_update().get(pk=found[1])
        payment = Payment.objects.select_for_update().get(pk=found[0])
        known = Refund.objects.select_for_update().filter(payment=payment, refund_no=refund_no).first()
        if known is not None and known.status == RefundStatus.SUCCEEDED:
            return NotificationOutcome.REPLAY, ""
        if order.status not in REFUNDABLE:
            return NotificationOutcome.REJECTED, f"order is {order.status}"
        if known is None and order.refunds.filter(status__in=ACTIVE_REFUND).exists():
            return NotificationOutcome.REJECTED, "a refund of ours is under way for this order"
        paid = paid_amount(order)
        if amount <= 0 or amount > paid:
            return NotificationOutcome.REJECTED, f"amount {amount} beyond the {paid} paid"
        refund = known or Refund.objects.create(
            order=order, payment=payment, amount=amount, refund_no=refund_no, status=RefundStatus.PROCESSING,
            reason=str(MARKETPLACES[provider]), out_refund_no=f"{order.number}R{order.refunds.count() + 1}")
        audit.record(actor=SYSTEM, action="refund.marketplace", obj=order,
                     after={"refund": refund.out_refund_no, "marketplace_refund": refund_no, "amount": amount})
        _succeed(order, refund)
    return NotificationOutcome.APPLIED, ""


def refund_open(order: Order, payment: Payment, *, reason: str, action: str) -> Refund:
    """A refund the platform opens itself (both rows locked by the caller): the whole amount paid,
    then the usual steps — the dealer confirms, customer service refunds."""
    refund = Refund.objects.create(order=order, payment=payment, amount=paid_amount(order), reason=reason[:200],
                                   out_refund_no=f"{order.number}R{order.refunds.count() + 1}")
    audit.record(actor=SYSTEM, action=action, obj=order,
                 after={"refund": refund.out_refund_no, "amount": refund.amount, "reason": refund.reason})
    _tell_deciders(order, refund)
    return refund


def refund_deciders(order: Order) -> list[Any]:
    """The dealer's staff who confirm or decline the order's refunds (``orders.refund_confirm`` at
    its dealer), active, with a mobile on file."""
    from autodcc.core.roles import CAPABILITIES
    from autodcc.network.models import Staff

    roles = sorted(CAPABILITIES["orders.refund_confirm"])
    return list(Staff.objects.filter(grants__dealer_id=order.dealer_id, grants__role__in=roles, user__is_active=True)
                .exclude(phone="").distinct().order_by("id"))


def _tell_deciders(order: Order, refund: Refund) -> None:
    """A work message to each of the dealer's deciders: a refund waits for them (after commit)."""
    from autodcc.core import links
    from autodcc.messaging.services import Recipient, messages_queue

    link = links.absolute("console:order_detail", order.pk)
    with translation.override(settings.LANGUAGE_CODE):  # staff read their messages in the house language
        reason = refund.reason or gettext("none given")
    recipients = [Recipient({"staff": staff.name, "order_no": order.number, "amount": f"{refund.amount:.2f}",
                             "reason": reason, "link": link}, phone=staff.phone, staff_id=staff.pk, stored=True)
                  for staff in refund_deciders(order)]
    if recipients:
        messages_queue(event=Event.REFUND_REQUESTED, recipients=recipients, dealer=order.dealer,
                       related_type=order._meta.label_lower, related_id=str(order.pk))


def refund_request(*, token: str, reason: str = "") -> Refund:
    """The buyer asks for the deposit back (from the order page)."""
    try:
        with transaction.atomic():
            order = Order.objects.select_for_update().filter(token=token).first()
            if order is None:
                raise NotFound("not_found")
            if order.status not in REFUNDABLE:
                raise DomainError("order.refund_not_allowed", status=order.get_status_display())
            if order.refunds.filter(status__in=ACTIVE_REFUND).exists():
                raise Conflict("order.refund_exists")
            payment = order.payments.filter(status=PaymentStatus.SUCCEEDED).first()
            if payment is None:
                raise DomainError("order.not_paid")
            if payment.provider in MARKETPLACES:
                raise DomainError("order.refund_on_marketplace", platform=MARKETPLACES[payment.provider])
            amount = paid_amount(order)
            if amount <= 0:
                raise DomainError("order.refund_too_much", paid=amount)
            with transaction.atomic():
                refund = Refund.objects.create(order=order, payment=payment, amount=amount, reason=reason.strip()[:200],
                                               out_refund_no=f"{order.number}R{order.refunds.count() + 1}")
            audit.record(actor=consumer(gettext("Buyer %(name)s") % {"name": order.buyer_name}), action="refund.request", obj=order,
                         after={"refund": refund.out_refund_no, "amount": amount, "reason": refund.reason})
            _tell_deciders(order, refund)
            return refund
    except IntegrityError:  # a concurrent request won the partial unique index
        raise Conflict("order.refund_exists") from None


def _locked_refund(actor: Actor, refund: Refund) -> tuple[Order, Refund]:
    order = (Order.objects.visible_to(actor).select_for_update(of=("self",)).select_related("dealer")
             .filter(pk=refund.order_id).first())
    if order is None:
        raise NotFound("not_found")
    return order, Refund.objects.select_for_update().get(pk=refund.pk)


@transaction.atomic
def refund_dealer_decide(*, actor: Actor, refund: Refund, approve: bool, note: str = "",
                         cancelled_by: str = CancelledBy.CONSUMER) -> Refund:
    """The dealer confirms the deal is off (the buyer is told the refund is approved), or declines,
    saying why: a decline goes to customer service for review, and the buyer hears of it only
    when that decision is final (:func:`refund_review`)."""
    order, refund = _locked_refund(actor, refund)
    if not actor.can("orders.refund_confirm", dealer=order.dealer) or actor.is_hq:
        raise Forbidden("forbidden")
    target = RefundStatus.DEALER_CONFIRMED if approve else RefundStatus.DEALER_DECLINED
    if refund.status == target:
        return refund
    if refund.status != RefundStatus.REQUESTED:
        raise DomainError("order.refund_wrong_state", status=refund.get_status_display())
    if not approve and not note.strip():
        raise DomainError("lead.note_required", field="note")
    if cancelled_by not in CancelledBy.values:
        raise DomainError("lead.value_unknown", field="cancelled_by", label="cancelled_by", value=cancelled_by)
    refund.status, refund.dealer_note = target, note.strip()[:200]
    refund.dealer_confirmed_at, refund.dealer_confirmed_by_id = timezone.now(), actor.staff_id
    refund.save()
    if approve:
        order.cancelled_by = cancelled_by
        order.save(update_fields=["cancelled_by", "updated_at"])
        tell_buyer(order, Event.REFUND_APPROVED, amount=f"{refund.amount:.2f}")
    audit.record(actor=actor, action="refund.dealer_confirm" if approve else "refund.dealer_decline", obj=order,
                 after={"refund": refund.out_refund_no, "status": refund.status, "note": refund.dealer_note})
    return refund


def may_review(actor: Actor, order: Order) -> bool:
    """Who reviews a dealer's decline: HQ customer service (overrule or confirm it); the dealer's
    own deciders may still change their mind and approve it, but not make their decline final."""
    return actor.can("orders.refund_review") or (actor.can("orders.refund_confirm", dealer=order.dealer)
                                                 and not actor.is_hq)


@transaction.atomic
def refund_review(*, actor: Actor, refund: Refund, approve: bool, note: str = "") -> Refund:
    """A refund the dealer declined, reviewed: approved after all (overruled, with a written
    reason; customer service then sends it as any approved refund) or the decline confirmed. The
    buyer is told the final decision by SMS: approved, or declined with the reason customer service
    writes for them in plain words (the dealer's own note stays for customer service). A repeated
    decision changes nothing."""
    order, refund = _locked_refund(actor, refund)
    if not may_review(actor, order) or (not approve and not actor.can("orders.refund_review")):
        raise Forbidden("forbidden")
    target = RefundStatus.DEALER_CONFIRMED if approve else RefundStatus.REJECTED
    if refund.status == target and refund.reviewed_at is not None:
        return refund
    if refund.status != RefundStatus.DEALER_DECLINED:
        raise DomainError("order.refund_wrong_state", status=refund.get_status_display())
    note = note.strip()
    if not note:  # the log's reason for an overrule; the buyer's reason for a decline
        raise DomainError("order.review_reason_required" if approve else "order.decline_reason_required",
                          field="note")
    if approve and order.status not in REFUNDABLE:  # the car went its way meanwhile
        raise DomainError("order.refund_not_allowed", status=order.get_status_display())
    if refund.amount > paid_amount(order):  # never more than was paid
        raise DomainError("order.refund_too_much", paid=paid_amount(order))
    before = audit.snapshot(refund, ["status", "dealer_note", "review_note"])
    refund.status, refund.review_note = target, note[:200]
    refund.reviewed_at, refund.reviewed_by_id = timezone.now(), actor.staff_id
    refund.save(update_fields=["status", "review_note", "reviewed_at", "reviewed_by"])
    if approve:
        order.cancelled_by = CancelledBy.CONSUMER
        order.save(update_fields=["cancelled_by", "updated_at"])
        tell_buyer(order, Event.REFUND_APPROVED, amount=f"{refund.amount:.2f}")
    else:
        tell_buyer(order, Event.REFUND_DECLINED, amount=f"{refund.amount:.2f}", reason=refund.review_note)
    audit.record(actor=actor, action="refund.overrule" if approve else "refund.decline_confirmed", obj=order,
                 before=before, after={"refund": refund.out_refund_no,
                                       **audit.snapshot(refund, ["status", "dealer_note", "review_note"])})
    return refund


@transaction.atomic
def refund_execute(*, actor: Actor, refund: Refund) -> Refund:
    """Customer service sends the confirmed refund through the provider (after commit, retried)."""
    order, refund = _locked_refund(actor, refund)
    if not actor.can("orders.refund_execute"):
        raise Forbidden("forbidden")
    if refund.status in (RefundStatus.PROCESSING, RefundStatus.SUCCEEDED):
        return refund
    if refund.status not in (RefundStatus.DEALER_CONFIRMED, RefundStatus.FAILED):
        raise DomainError("order.refund_wrong_state", status=refund.get_status_display())
    if refund.amount > paid_amount(order):
        raise DomainError("order.refund_too_much", paid=paid_amount(order))
    refund.status, refund.failure = RefundStatus.PROCESSING, ""
    refund.save(update_fields=["status", "failure"])
    audit.record(actor=actor, action="refund.execute", obj=order, after={"refund": refund.out_refund_no})
    outbox.enqueue(REFUND_TOPIC, {"refund_id": refund.pk})
    return refund


def _lock(refunds: QuerySet[Refund]) -> tuple[Order, Refund] | None:
    """The refund's order, then the refund, row-locked in that order — the order every refund
    operation locks them in, so two of them never wait on each other in a cycle."""
    found = refunds.values_list("pk", "order_id").first()
    if found is None:
        return None
    order = Order.objects.select_for_update().get(pk=found[1])
    return order, Refund.objects.select_for_update(of=("self",)).select_related("payment").get(pk=found[0])


def send_refund(refund_id: int) -> None:
    """Outbox handler: call the provider (idempotent on our refund number)."""
    locked = _lock(Refund.objects.filter(pk=refund_id))
    if locked is None:
        return
    order, refund = locked
    if refund.status != RefundStatus.PROCESSING:
        return
    payment: Payment = refund.payment
    done, refund_no = providers.get(payment.provider).refund(
        out_trade_no=payment.out_trade_no, trade_no=payment.trade_no, out_refund_no=refund.out_refund_no,
        amount=refund.amount, total=payment.amount)
    refund.refund_no = refund_no or refund.refund_no
    refund.save(update_fields=["refund_no"])
    if done:
        _succeed(order, refund)


def refund_failed(refund_id: int, error: str) -> None:
    Refund.objects.filter(pk=refund_id, status=RefundStatus.PROCESSING).update(status=RefundStatus.FAILED,
                                                                               failure=error[:200])


def _succeed(order: Order, refund: Refund) -> None:
    """Both rows locked by the caller (order first)."""
    refund.status, refund.refunded_at = RefundStatus.SUCCEEDED, timezone.now()
    refund.save(update_fields=["status", "refunded_at"])
    if paid_amount(order) <= Decimal("0.00"):
        order.status, order.refunded_at = OrderStatus.REFUNDED, refund.refunded_at
        order.save(update_fields=["status", "refunded_at", "updated_at"])
    audit.record(actor=SYSTEM, action="refund.succeeded", obj=order,
                 after={"refund": refund.out_refund_no, "amount": refund.amount, "status": order.status})
    tell_buyer(order, Event.REFUND_PAID, amount=f"{refund.amount:.2f}")


def refund_notification(provider: str, n: providers.Notified) -> tuple[str, str]:
    """A provider's asynchronous refund result (WeChat Pay sends one when a refund completes)."""
    with transaction.atomic():
        locked = _lock(Refund.objects.filter(out_refund_no=n.out_refund_no, payment__provider=provider))
        if locked is None:
            return NotificationOutcome.REJECTED, "unknown refund"
        order, refund = locked
        if refund.status == RefundStatus.SUCCEEDED:
            return NotificationOutcome.REPLAY, ""
        if n.amount != refund.amount:
            return NotificationOutcome.REJECTED, f"amount {n.amount} differs from {refund.amount}"
        if refund.status != RefundStatus.PROCESSING or not n.succeeded:
            return NotificationOutcome.REJECTED, f"refund is {refund.status}"
        refund.refund_no = n.refund_no or refund.refund_no
        _succeed(order, refund)
    return NotificationOutcome.APPLIED, ""
