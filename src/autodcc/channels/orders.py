"""Tmall's paid deposit orders, pulled on a schedule into the store's deposit-order flow.

Each paid trade becomes a deposit order exactly as a store order does (``order_create``: the
buyer captured as a lead at the trade's store, or allocated), and its payment is applied by the
same step that applies a payment provider's notification (``order.paid``, the buyer's
confirmation), with Tmall's trade id as the provider's trade number. Idempotent on the trade id:
a trade already turned into an order is skipped however often it is pulled again. The item's
merchant code (``outer_iid``) names our trim or special edition, the SKU's merchant code
(``outer_sku_id``) the dealer.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone

from autodcc.catalog.models import Edition, Trim
from autodcc.channels import connectors
from autodcc.channels.connectors import Refused, signing
from autodcc.channels.connectors.tmall import PAID_STATUSES, REFUNDED, TmallConnector, trade_amount, trade_lines
from autodcc.channels.connectors.transport import Transport, TransportError, urllib_transport
from autodcc.channels.models import Delivery, DeliveryKind, Outcome, PullCursor, Via
from autodcc.channels.services import _json, actor_of
from autodcc.core.errors import DomainError
from autodcc.orders.models import NotificationOutcome, Payment
from autodcc.orders.providers import Notified

log = logging.getLogger(__name__)
OVERLAP = dt.timedelta(minutes=15)  # each pull looks this far back before its cursor: late writes are not missed
FIRST_LOOK_BACK = dt.timedelta(days=1)
PROVIDER = "tmall"


def _tmall() -> TmallConnector:
    return connectors.CONNECTORS["tmall"]  # type: ignore[return-value]


def _cursor_pull(stream: str, fetch: Callable[[dt.datetime, dt.datetime], list[dict[str, Any]]],
                 apply: Callable[[list[dict[str, Any]]], int], now: dt.datetime | None) -> int:
    """One of Tmall's scheduled pulls: one run at a time per stream, the items since the stream's
    cursor less an overlap, ``apply``'d; the cursor moves on only after a good fetch (an error is
    kept on the cursor for the console)."""
    from autodcc.channels.services import claim, release

    now = now or timezone.now()
    if not claim(f"tmall:{stream}"):
        return 0
    try:
        row, _created = PullCursor.objects.get_or_create(connector="tmall", stream=stream)
        PullCursor.objects.filter(pk=row.pk).update(last_run_at=now)
        start = (_parse(row.cursor) or now - FIRST_LOOK_BACK) - OVERLAP
        try:
            items = fetch(start, now)
        except TransportError as exc:
            PullCursor.objects.filter(pk=row.pk).update(last_error=str(exc)[:300])
            return 0
        done = apply(items)
        PullCursor.objects.filter(pk=row.pk).update(cursor=signing.top_timestamp(now), last_ok_at=now, last_error="",
                                                    last_count=done)
        return done
    finally:
        release(f"tmall:{stream}")


def tmall_orders_pull(*, transport: Transport | None = None, now: dt.datetime | None = None) -> int:
    """Pull the trades created since the cursor (less an overlap) and turn the paid ones not seen
    yet into deposit orders; returns how many orders were created."""
    connector, transport = _tmall(), transport or urllib_transport

    def apply(trades: list[dict[str, Any]]) -> int:
        paid = [t for t in trades if t.get("status") in PAID_STATUSES and str(t.get("tid") or "").strip()]
        done = set(Delivery.objects.filter(connector="tmall", kind=DeliveryKind.ORDER, outcome=Outcome.ORDERED,
                                           platform_id__in=[str(t["tid"]) for t in paid])
                   .values_list("platform_id", flat=True))
        created = 0
        for trade in paid:
            if str(trade["tid"]) in done:
                continue
            done.add(str(trade["tid"]))
            if trade_import(trade).outcome == Outcome.ORDERED:
                created += 1
        return created

    return _cursor_pull(DeliveryKind.ORDER, lambda start, end: connector.fetch_trades(transport, start=start, end=end),
                        apply, now)


def tmall_refunds_pull(*, transport: Transport | None = None, now: dt.datetime | None = None) -> int:
    """Pull the refunds modified since the cursor (less an overlap); each one Tmall has paid back
    (``SUCCESS``) is recorded on its deposit order once (``marketplace_refund_apply``). Returns
    how many were newly applied; a refund of a trade we never turned into an order is skipped."""
    connector, transport = _tmall(), transport or urllib_transport

    def apply(refunds: list[dict[str, Any]]) -> int:
        return sum(refund_record(item) for item in refunds if item.get("status") == REFUNDED)

    return _cursor_pull(DeliveryKind.REFUND,
                        lambda start, end: connector.fetch_refunds(transport, start=start, end=end), apply, now)


def refund_record(item: dict[str, Any]) -> bool:
    """One refund Tmall completed, recorded on the order of its trade (in its own savepoint); kept
    as a delivery either way — a refund of a trade not turned into an order yet waits, refused,
    and is applied when the trade is (or replayed from the console). True when newly applied."""
    from autodcc.orders.services import marketplace_refund_apply

    refund_id, tid = str(item.get("refund_id") or "").strip()[:80], str(item.get("tid") or "").strip()
    now = timezone.now()
    values: dict[str, Any] = {"via": Via.PULL, "body": _json(item), "item": item, "processed_at": now,
                              "last_received_at": now, "params": {"method": "taobao.refunds.receive.get", "tid": tid}}
    applied = False
    try:
        amount = Decimal(str(item.get("refund_fee") or "")).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        values.update(outcome=Outcome.REJECTED, error=[{"code": "malformed", "field": "refund_fee",
                                                        "message": str(item.get("refund_fee"))[:60]}])
    else:
        try:
            with transaction.atomic():
                outcome, reason = marketplace_refund_apply(provider=PROVIDER, trade_no=tid, refund_no=refund_id,
                                                           amount=amount)
        except Exception as exc:  # one refund that cannot be recorded never stops the others; replayable
            log.exception("Tmall refund %s failed", refund_id)
            values.update(outcome=Outcome.FAILED, error=[{"code": "internal", "field": None,
                                                          "message": f"{type(exc).__name__}: {exc}"[:300]}])
        else:
            applied = outcome == NotificationOutcome.APPLIED
            if outcome == NotificationOutcome.REJECTED:
                values.update(outcome=Outcome.REJECTED, error=[{"code": "refused", "field": None, "message": reason}])
            else:
                order_id = Payment.objects.filter(provider=PROVIDER, trade_no=tid).values_list("order_id", flat=True).first()
                values.update(outcome=Outcome.REFUNDED, error=None, order_id=order_id)
    delivery, created = Delivery.objects.get_or_create(connector="tmall", kind=DeliveryKind.REFUND,
                                                       platform_id=refund_id or "-",
                                                       defaults={**values, "received_at": now})
    if not created and delivery.outcome != Outcome.REFUNDED:
        Delivery.objects.filter(pk=delivery.pk).update(**values, times_received=delivery.times_received + 1)
    return applied


def _pending_refunds(tid: str) -> None:
    """A trade just turned into an order: the refunds Tmall completed for it before, applied now."""
    for delivery in Delivery.objects.filter(connector="tmall", kind=DeliveryKind.REFUND,
                                            outcome__in=(Outcome.REJECTED, Outcome.FAILED), params__tid=tid):
        refund_record(delivery.item)


def _parse(text: str) -> dt.datetime | None:
    try:
        return signing.parse_top_timestamp(text) if text else None
    except ValueError:
        return None


def trade_import(trade: dict[str, Any], *, replay: bool = False) -> Delivery:
    """One paid trade as a deposit order (in its own savepoint: a refused trade is recorded as such
    and leaves nothing else behind)."""
    connector = _tmall()
    tid = str(trade.get("tid") or "").strip()
    now = timezone.now()
    values: dict[str, Any] = {"via": Via.PULL, "body": _json(trade), "item": trade, "processed_at": now,
                              "last_received_at": now, "params": {"method": "taobao.trades.sold.get"}}
    try:
        with transaction.atomic():
            order, notes = _order_for(connector, tid, trade)
            values.update(outcome=Outcome.ORDERED, error=None, notes=notes, order_id=order.pk, lead_id=order.lead_id)
    except (DomainError, Refused) as exc:
        if isinstance(exc, DomainError):
            errors = [e.as_dict() for e in getattr(exc, "errors", None) or [exc]]
        else:
            errors = [{"code": exc.reason, "field": None, "message": exc.detail}]
        values.update(outcome=Outcome.REJECTED, error=errors, notes=[])
    except Exception as exc:  # recorded, replayable from the console
        log.exception("Tmall trade %s failed", tid)
        values.update(outcome=Outcome.FAILED, error=[{"code": "internal", "field": None,
                                                      "message": f"{type(exc).__name__}: {exc}"[:300]}], notes=[])
    delivery, created = Delivery.objects.get_or_create(connector="tmall", kind=DeliveryKind.ORDER, platform_id=tid[:80],
                                                       defaults={**values, "received_at": now})
    if not created and delivery.outcome == Outcome.ORDERED:  # already an order (a concurrent pull): kept
        return delivery
    if not created:
        for k, v in values.items():
            setattr(delivery, k, v)
        if not replay:
            delivery.times_received += 1
        delivery.save()
    if delivery.outcome == Outcome.ORDERED:
        _pending_refunds(tid)
    return delivery


def _order_for(connector: TmallConnector, tid: str, trade: dict[str, Any]) -> tuple[Any, list[dict[str, str]]]:
    from autodcc.orders.services import order_create
    from autodcc.orders.services.ordering import payment_apply

    if not tid or len(tid) > 40:
        raise Refused("malformed", "the trade has no usable tid")
    if Payment.objects.filter(provider=PROVIDER, trade_no=tid).exists():
        raise DomainError("channels.trade_known", value=tid)
    lines = trade_lines(trade)
    if not lines:
        raise Refused("malformed", "the trade has no order lines")
    line = lines[0]
    code = str(line.get("outer_iid") or "").strip()
    edition = Edition.objects.select_related("trim").filter(code=code).first() if code else None
    trim = edition.trim if edition else Trim.objects.filter(code=code).first() if code else None
    if trim is None:
        raise DomainError("channels.trade_item_unknown", value=code or "-")
    amount = trade_amount(trade)
    mapped = connector.lead_input(
        platform_id=tid, name=trade.get("receiver_name") or trade.get("buyer_nick"), phone=trade.get("receiver_mobile"),
        city=trade.get("receiver_city") or trade.get("receiver_state"), dealer=line.get("outer_sku_id"),
        city_text="".join(str(trade.get(k) or "") for k in ("receiver_state", "receiver_city", "receiver_district")))
    mapped.data.message = f"天猫订单 {tid}"
    order = order_create(actor=actor_of(connector), trim=trim, edition=edition, buyer=mapped.data)
    if amount != order.deposit:
        raise DomainError("channels.trade_amount", value=str(amount), deposit=f"{order.deposit:.2f}")
    payment = Payment.objects.create(order=order, provider=PROVIDER, out_trade_no=f"{order.number}T", amount=amount)
    outcome, reason = payment_apply(PROVIDER, Notified(kind="payment", out_trade_no=payment.out_trade_no,
                                                        trade_no=tid, amount=amount, succeeded=True))
    if outcome != NotificationOutcome.APPLIED:
        raise DomainError("channels.trade_not_applied", value=reason)
    order.refresh_from_db()
    return order, mapped.notes
