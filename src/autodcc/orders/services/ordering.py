"""Deposit orders and their payments (ORD-1, ORD-2)."""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from autodcc.catalog.models import Edition, Trim
from autodcc.core import audit
from autodcc.core.actors import SYSTEM, Actor
from autodcc.core.errors import Conflict, DomainError
from autodcc.leads.services import LeadInput, lead_capture
from autodcc.messaging.models import Event
from autodcc.messaging.rendering import message_language
from autodcc.orders import providers
from autodcc.orders.models import (
    MILESTONE_ORDER,
    NotificationOutcome,
    Order,
    OrderStatus,
    Payment,
    PaymentNotification,
    PaymentStatus,
    Refund,
    RefundStatus,
)

log = logging.getLogger(__name__)


def _on_sale(edition: Edition) -> bool:
    from autodcc.catalog.selectors import editions_on_sale

    return editions_on_sale().filter(pk=edition.pk).exists()


def edition_left(edition: Edition, *, now: dt.datetime | None = None, exclude: int | None = None) -> int | None:
    """Cars of a limited edition still free (None: no limit): paid orders hold theirs, unpaid ones
    until their payment window closes (``pay_by``, ORDER_PAYMENT_MINUTES after the order)."""
    if edition.quantity is None:
        return None
    now = now or timezone.now()
    held = Order.objects.filter(edition=edition).filter(
        Q(status__in=MILESTONE_ORDER) | Q(status=OrderStatus.AWAITING_PAYMENT, pay_by__gt=now))
    if exclude is not None:
        held = held.exclude(pk=exclude)
    return max(0, edition.quantity - held.count())


def _hold(edition: Edition | None, *, exclude: int | None = None) -> None:
    """Inside the caller's transaction: lock the edition's row (so two buyers cannot take the last
    car at once) and refuse when none is left."""
    if edition is None or edition.quantity is None:
        return
    locked = Edition.objects.select_for_update().get(pk=edition.pk)
    if edition_left(locked, exclude=exclude) == 0:
        raise Conflict("order.sold_out", field="trim", name=str(locked), quantity=locked.quantity)


def deposit_cap() -> Decimal:
    return Decimal(settings.AUTODCC_DEPOSIT_CAP)


def _number(prefix: str) -> str:
    """Prefix + date + 6 random digits: no counter to race on; a clash is drawn again (retry below)."""
    return f"{prefix}{timezone.localdate():%y%m%d}{secrets.randbelow(10**6):06d}"


def pay_by_text(order: Order) -> str:
    """The order's payment deadline as the buyer reads it, in Shanghai time: HH:MM today, with its
    date (MM月DD日) on any other day."""
    tz = timezone.get_default_timezone()
    when = timezone.localtime(order.pay_by, tz)
    if when.date() == timezone.localtime(timezone.now(), tz).date():
        return f"{when:%H:%M}"
    return f"{when.month:02d}月{when.day:02d}日 {when:%H:%M}"


def payment_window_over(order: Order, now: dt.datetime | None = None) -> bool:
    """Closed unpaid, or still awaiting payment past its deadline (the sweep closes it shortly)."""
    return order.status == OrderStatus.CLOSED or (
        order.status == OrderStatus.AWAITING_PAYMENT and (now or timezone.now()) >= order.pay_by)


def order_create(*, actor: Actor, trim: Trim, buyer: LeadInput, edition: Edition | None = None,
                 wants_loan: bool = False, colour: str = "") -> Order:
    """A deposit order for a trim or a special edition; the buyer becomes (or joins) a lead at the
    chosen dealer, else the allocated one. Payment follows with ``payment_start``, by the order's
    deadline (``ORDER_PAYMENT_MINUTES`` from now); then ``close_unpaid`` closes it."""
    if not trim.is_active or (edition is not None and (edition.trim_id != trim.pk or not _on_sale(edition))):
        raise DomainError("order.not_for_sale", field="trim")
    deposit = edition.deposit if edition else trim.deposit
    if deposit <= 0:
        raise DomainError("order.not_for_sale", field="trim")
    if deposit > deposit_cap():
        raise DomainError("order.deposit_above_cap", field="trim", value=deposit, cap=deposit_cap())
    buyer.model_interest = str(edition or trim)
    buyer.message = (buyer.message + " " + gettext("(deposit order)")).strip()
    for attempt in range(3):
        try:
            with transaction.atomic():
                _hold(edition)
                lead = lead_capture(actor=actor, data=buyer).lead
                now = timezone.now()
                order = Order.objects.create(
                    number=_number("DO"), trim=trim, edition=edition, deposit=deposit,
                    dealer=lead.dealer, customer=lead.customer, lead=lead, buyer_name=buyer.name.strip()[:60],
                    wants_loan=wants_loan, colour=colour[:30], created_at=now,
                    pay_by=now + dt.timedelta(minutes=settings.ORDER_PAYMENT_MINUTES))
                audit.record(actor=actor, action="order.create", obj=order,
                             after={"number": order.number, "deposit": deposit, "trim": trim.code,
                                    "edition": edition.code if edition else None, "lead": lead.pk,
                                    "pay_by": order.pay_by})
                return order
        except IntegrityError:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def payment_start(*, order: Order, provider: str, return_url: str,
                  client_ip: str = "") -> tuple[Payment, providers.Checkout]:
    """Open (or reuse) a payment for the order's deposit and say where the buyer pays;
    ``return_url`` is where the buyer comes back to (a path on this site: the order page).
    The provider is called after the payment row is committed, not while the order is locked."""
    if provider not in providers.names():
        raise DomainError("order.provider_unknown", field="provider", value=provider)
    if "://" in return_url or not return_url.startswith("/"):
        raise DomainError("order.not_payable", status=return_url[:40])
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order.pk)
        if payment_window_over(order):
            raise DomainError("order.closed_unpaid", deadline=pay_by_text(order))
        if order.status != OrderStatus.AWAITING_PAYMENT:
            raise DomainError("order.not_payable", status=order.get_status_display())
        payment = order.payments.filter(provider=provider, status=PaymentStatus.PENDING).first()
        if payment is None:
            payment = Payment.objects.create(order=order, provider=provider, amount=order.deposit,
                                             out_trade_no=f"{order.number}P{order.payments.count() + 1}",
                                             return_url=return_url[:300])
    base = settings.SITE_URL.rstrip("/")
    checkout = providers.get(provider).checkout(
        out_trade_no=payment.out_trade_no, amount=payment.amount, subject=_subject(order),
        return_url=base + return_url, notify_url=base + reverse("payment_notify", args=[provider]),
        client_ip=client_ip or "127.0.0.1", expires_at=order.pay_by)
    return payment, checkout


def _log(provider: str, kind: str, out_no: str, body: bytes, verified: bool, outcome: str, reason: str = "") -> None:
    PaymentNotification.objects.create(provider=provider, kind=kind, out_trade_no=out_no[:40],
                                       body=body.decode("utf-8", "replace")[:10000], verified=verified,
                                       outcome=outcome, reason=reason[:200])
    if outcome == NotificationOutcome.REJECTED:
        log.warning("payment notification from %s rejected: %s (%s)", provider, reason, out_no)


def notification_receive(provider: str, body: bytes, headers: dict[str, str]) -> str:
    """Verify and apply a provider's asynchronous notification. Idempotent: a replay changes
    nothing. Returns the outcome (applied, replay, rejected); every call is logged."""
    try:
        client = providers.get(provider)
        notified = client.parse_notification(body, headers)
    except (providers.NotificationRejected, DomainError, ValueError, KeyError) as exc:
        _log(provider, "payment", "", body, False, NotificationOutcome.REJECTED, str(exc) or type(exc).__name__)
        return NotificationOutcome.REJECTED
    with transaction.atomic():  # applied and logged together, or neither (the provider sends it again)
        if notified.kind == "refund":
            from autodcc.orders.services.refunds import refund_notification

            outcome, reason = refund_notification(provider, notified)
        else:
            outcome, reason = payment_apply(provider, notified)
        _log(provider, notified.kind, notified.out_trade_no, body, True, outcome, reason)
    return outcome


def payment_apply(provider: str, n: providers.Notified) -> tuple[str, str]:
    """The one rule that marks a payment and its order paid: a provider's verified notification,
    or a marketplace's paid trade (Tmall's deposit orders). Returns (outcome, reason).

    A payment that succeeds after the order was closed unpaid (the buyer was still at the payment
    company's page at the deadline) reopens the order as paid: the buyer's money is never turned
    away. A refunded order's stays rejected."""
    with transaction.atomic():
        found = Payment.objects.filter(provider=provider, out_trade_no=n.out_trade_no).values_list("pk", "order_id").first()
        if found is None:
            return NotificationOutcome.REJECTED, "unknown order"
        # the order first, then its payment: the order every money operation locks them in
        order = Order.objects.select_for_update().get(pk=found[1])
        payment = Payment.objects.select_for_update().get(pk=found[0])
        if payment.status == PaymentStatus.SUCCEEDED:
            if payment.trade_no == n.trade_no or not n.trade_no:
                return NotificationOutcome.REPLAY, ""
            return NotificationOutcome.REJECTED, "second trade for a paid payment"
        if not n.succeeded:
            return NotificationOutcome.REJECTED, "not a successful payment"
        if n.amount != payment.amount:
            return NotificationOutcome.REJECTED, f"amount {n.amount} differs from {payment.amount}"
        if order.status == OrderStatus.REFUNDED or order.refunds.exists():
            return NotificationOutcome.REJECTED, f"order is {order.status}"
        if order.status not in (OrderStatus.AWAITING_PAYMENT, OrderStatus.CLOSED):
            return NotificationOutcome.REJECTED, "order already paid by another payment"
        late = order.status == OrderStatus.CLOSED  # closed unpaid: TRANSITIONS let a payment reopen it
        now = timezone.now()
        # past its deadline the order no longer held its car: was the limited edition sold meanwhile?
        oversold = False
        if now >= order.pay_by and order.edition_id:
            edition = Edition.objects.select_for_update().get(pk=order.edition_id)
            oversold = edition.quantity is not None and edition_left(edition, now=now, exclude=order.pk) == 0
        payment.status, payment.trade_no, payment.paid_at = PaymentStatus.SUCCEEDED, n.trade_no, now
        payment.save(update_fields=["status", "trade_no", "paid_at"])
        before = audit.snapshot(order, ["status"])
        order.status, order.paid_at = OrderStatus.PAID, now
        order.save(update_fields=["status", "paid_at", "updated_at"])
        order.payments.filter(status=PaymentStatus.PENDING).update(status=PaymentStatus.CLOSED)
        after = {"status": order.status, "provider": provider, "trade_no": n.trade_no, "amount": n.amount}
        if late:
            audit.record(actor=SYSTEM, action="order.paid_after_close", obj=order, before=before,
                         after={**after, "closed_at": order.closed_at})
        else:
            audit.record(actor=SYSTEM, action="order.paid", obj=order, before=before, after=after)
        _confirm(order)
        if oversold:  # the money is the buyer's: taken, and on its way back through the refund steps
            from autodcc.orders.services.refunds import refund_open

            refund_open(order, payment, reason=gettext("Limited edition sold out before the payment arrived"),
                        action="order.oversold")
    return NotificationOutcome.APPLIED, "paid after the order was closed unpaid" if late else ""


def _confirm(order: Order) -> None:
    tell_buyer(order, Event.ORDER_CONFIRMATION, model=str(order.edition or order.trim), amount=f"{order.deposit:.2f}",
               dealer=str(order.dealer))


def tell_buyer(order: Order, event: str, **context: Any) -> None:
    """A message to the buyer about their order, with the link to the order page (after commit)."""
    from autodcc.core import links
    from autodcc.messaging.services import message_send

    message_send(event=event, to_phone=order.customer.phone, dealer=order.dealer, related=order,
                 context={"name": order.buyer_name, "order_no": order.number,
                          "link": links.absolute("store:order", order.token), **context})


def paid_amount(order: Order) -> Decimal:
    """What the buyer paid less what was refunded (derived from the rows, never stored)."""
    paid = sum((p.amount for p in order.payments.filter(status=PaymentStatus.SUCCEEDED)), Decimal("0.00"))
    refunded = sum((r.amount for r in order.refunds.filter(status=RefundStatus.SUCCEEDED)), Decimal("0.00"))
    return paid - refunded


@transaction.atomic
def sandbox_pay(*, out_trade_no: str) -> None:
    """The sandbox checkout's 'pay' button: the sandbox sends its signed notification after commit."""
    from autodcc.core import outbox

    payment = Payment.objects.filter(provider="sandbox", out_trade_no=out_trade_no).first()
    if payment is None:
        raise DomainError("not_found")
    outbox.enqueue("orders.sandbox_notify", {"kind": "payment", "out_trade_no": out_trade_no,
                                             "amount": str(payment.amount)})


__all__ = ["Any", "Refund", "notification_receive", "order_create", "paid_amount", "payment_start", "sandbox_pay"]


def _subject(order: Order) -> str:
    """What the payment page and the consumer's bill call the payment, in the brand's language."""
    with message_language():
        return gettext("Deposit for %(car)s") % {"car": order.trim}
