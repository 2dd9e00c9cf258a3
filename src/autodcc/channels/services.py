"""Receiving, pulling and replaying platform leads and Tmall orders.

Every lead a connector receives — pushed or pulled — goes through the one capture pipeline
(:func:`autodcc.leads.services.capture.capture`) in batches, keyed by the platform's lead id, and
leaves one :class:`Delivery` row per platform lead: its raw body, what became of it, the
fallbacks its mapping took. A lead sent again (a platform's retry, a replayed push, the pull
finding a pushed lead) changes nothing but the delivery's counter. A refused push (signature,
timestamp, malformed body) keeps nothing but a count per day and reason.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from autodcc.channels import connectors
from autodcc.channels.connectors import Connector, Inbound, Mapped, Refused, Reply
from autodcc.channels.connectors.transport import Transport, TransportError, urllib_transport
from autodcc.channels.models import (
    DONE_OUTCOMES,
    Delivery,
    DeliveryKind,
    Outcome,
    PullCursor,
    Refusal,
    Via,
)
from autodcc.core import audit
from autodcc.core.actors import Actor
from autodcc.core.errors import DomainError, Forbidden, NotFound
from autodcc.leads.services.capture import Caller, Request, capture

log = logging.getLogger(__name__)
MAX_PULL_PAGES = 50


# who a connector's captures, orders and audit rows are recorded as (a name people read, as a staff name is)
ACTOR_LABELS = {"tmall": "天猫接口", "autohome": "汽车之家接口", "yiche": "易车接口", "dongchedi": "懂车帝接口"}


def actor_of(connector: Connector) -> Actor:
    return Actor(kind="system", label=ACTOR_LABELS.get(connector.name, connector.name))


def key_of(connector: Connector, platform_id: str) -> str:
    return f"channel:{connector.name}:{platform_id}"


@dataclass
class Received:
    delivery: Delivery
    repeat: bool  # this platform lead was already captured: nothing changed


# --- push ------------------------------------------------------------------------------------


def delivery_receive(*, connector: Connector, inbound: Inbound) -> Reply:
    """A platform's push: verified, mapped, captured once; answered in the platform's format."""
    try:
        verified = connector.verify(inbound)
        mapped = connector.map(verified.item)
    except Refused as exc:
        refusal_count(connector, exc)
        return connector.reply_error(inbound, exc.reason, exc.detail)
    body = inbound.body.decode("utf-8", "replace") if inbound.body else _form_text(inbound)
    received = receive_many(connector, [(mapped, verified.item)], via=Via.PUSH, bodies=[body],
                            params=verified.params)[0]
    return reply_for(connector, inbound, received.delivery)


def reply_for(connector: Connector, inbound: Inbound | None, delivery: Delivery) -> Reply:
    if delivery.outcome in DONE_OUTCOMES:
        number = f"L{delivery.lead_id:06d}" if delivery.lead_id else ""
        return connector.reply_ok(inbound, delivery.platform_id, delivery.outcome, number)
    message = "; ".join(str(e.get("message", "")) for e in delivery.error or []) or delivery.outcome
    return connector.reply_error(inbound, "rejected" if delivery.outcome == Outcome.REJECTED else "failed", message)


def _form_text(inbound: Inbound) -> str:
    from urllib.parse import urlencode

    return urlencode(inbound.form)


def refusal_count(connector: Connector, exc: Refused) -> None:
    """One more refusal of this reason today (its detail, never the body)."""
    now = timezone.now()
    day = timezone.localdate(now)
    try:
        with transaction.atomic():
            updated = Refusal.objects.filter(connector=connector.name, day=day, reason=exc.reason).update(
                count=F("count") + 1, last_at=now, last_detail=exc.detail)
            if not updated:
                Refusal.objects.create(connector=connector.name, day=day, reason=exc.reason, count=1, last_at=now,
                                       last_detail=exc.detail)
    except IntegrityError:  # a concurrent refusal created the row first
        Refusal.objects.filter(connector=connector.name, day=day, reason=exc.reason).update(
            count=F("count") + 1, last_at=now, last_detail=exc.detail)
    log.info("%s push refused (%s): %s", connector.name, exc.reason, exc.detail)


# --- the shared capture step -----------------------------------------------------------------


def receive_many(connector: Connector, items: list[tuple[Mapped, dict[str, Any]]], *, via: str, bodies: list[str],
                 params: dict[str, str] | None = None, replay: bool = False) -> list[Received]:
    """Capture platform leads in one batch (those already captured are only counted again) and
    record each one's delivery. An unexpected failure of the batch is retried lead by lead, so
    one bad lead is recorded as failed without holding up the others."""
    now = timezone.now()
    ids = [m.platform_id for m, _item in items]
    known = {d.platform_id: d for d in Delivery.objects.filter(connector=connector.name, kind=DeliveryKind.LEAD,
                                                                platform_id__in=set(ids))}
    results: list[Received | None] = [None] * len(items)
    todo: list[int] = []
    repeats: list[int] = []
    seen: set[str] = set()
    for i, (mapped, _item) in enumerate(items):
        done = known.get(mapped.platform_id)
        if (done is not None and done.outcome in DONE_OUTCOMES) or mapped.platform_id in seen:
            repeats.append(i)
        else:
            todo.append(i)
            seen.add(mapped.platform_id)
    if todo:
        try:
            _capture(connector, items, todo, known, via, bodies, params or {}, now, results, replay)
        except Exception as exc:
            if len(todo) > 1 or not isinstance(exc, DomainError):
                log.exception("%s: batch capture failed, capturing lead by lead", connector.name)
            for i in todo:
                platform_id = items[i][0].platform_id
                fresh = Delivery.objects.filter(connector=connector.name, kind=DeliveryKind.LEAD,
                                                platform_id=platform_id).first()
                if fresh is not None:
                    known[platform_id] = fresh
                    if fresh.outcome in DONE_OUTCOMES:  # a concurrent receipt of the same lead captured it
                        results[i] = Received(fresh, repeat=True)
                        continue
                try:
                    _capture(connector, items, [i], known, via, bodies, params or {}, now, results, replay)
                except DomainError as exc:  # a rule of the pipeline refused it (no dealer takes leads)
                    results[i] = Received(_record_failure(connector, items[i], via, bodies[i], params or {}, now, exc,
                                                          outcome=Outcome.REJECTED), repeat=False)
                except Exception as exc:
                    log.exception("%s: capture of %s failed", connector.name, items[i][0].platform_id)
                    results[i] = Received(_record_failure(connector, items[i], via, bodies[i], params or {}, now, exc),
                                          repeat=False)
    if repeats:
        repeat_ids = {items[i][0].platform_id for i in repeats}
        Delivery.objects.filter(connector=connector.name, kind=DeliveryKind.LEAD, platform_id__in=repeat_ids).update(
            times_received=F("times_received") + 1, last_received_at=now)
        fresh = {d.platform_id: d for d in Delivery.objects.filter(
            connector=connector.name, kind=DeliveryKind.LEAD, platform_id__in=repeat_ids)} if any(
            items[i][0].platform_id not in known for i in repeats) else known
        for i in repeats:
            results[i] = Received(fresh[items[i][0].platform_id], repeat=True)
    return [r for r in results if r is not None]


def _capture(connector: Connector, items: list[tuple[Mapped, dict[str, Any]]], todo: list[int],
             known: dict[str, Delivery], via: str, bodies: list[str], params: dict[str, str], now: dt.datetime,
             results: list[Received | None], replay: bool = False) -> None:
    caller = Caller("system", actor_of(connector).label)
    with transaction.atomic():
        outcomes = capture([Request(items[i][0].data, caller, key=key_of(connector, items[i][0].platform_id))
                            for i in todo])
        new_rows, changed = [], []
        for i, outcome in zip(todo, outcomes, strict=True):
            mapped, item = items[i]
            if outcome.errors:
                values = {"outcome": Outcome.REJECTED, "error": [e.as_dict() for e in outcome.errors], "lead_id": None}
            else:
                values = {"outcome": Outcome.CAPTURED if outcome.created else Outcome.JOINED, "error": None,
                          "lead_id": outcome.lead_id}
            values.update(via=via, body=bodies[i], params=params, item=item, notes=mapped.notes, processed_at=now)
            if not replay:  # a replay runs what was received: it is not received again
                values["last_received_at"] = now
            row = known.get(mapped.platform_id)
            if row is None:
                row = Delivery(connector=connector.name, kind=DeliveryKind.LEAD, platform_id=mapped.platform_id,
                               received_at=now, **values)
                new_rows.append(row)
            else:
                for k, v in values.items():
                    setattr(row, k, v)
                if not replay:
                    row.times_received += 1
                changed.append(row)
            results[i] = Received(row, repeat=False)
        if new_rows:
            Delivery.objects.bulk_create(new_rows)
        if changed:
            Delivery.objects.bulk_update(changed, ["outcome", "error", "lead_id", "via", "body", "params", "item",
                                                   "notes", "processed_at", "last_received_at", "times_received"])


def _record_failure(connector: Connector, entry: tuple[Mapped, dict[str, Any]], via: str, body: str,
                    params: dict[str, str], now: dt.datetime, exc: Exception, *, outcome: str = Outcome.FAILED) -> Delivery:
    mapped, item = entry
    if isinstance(exc, DomainError):
        error = [e.as_dict() for e in getattr(exc, "errors", None) or [exc]]
    else:
        error = [{"code": "internal", "field": None, "message": f"{type(exc).__name__}: {exc}"[:300]}]
    values = {"via": via, "body": body, "params": params, "item": item, "notes": mapped.notes, "outcome": outcome,
              "error": error, "processed_at": now, "last_received_at": now}
    with transaction.atomic():
        row = (Delivery.objects.select_for_update()
               .filter(connector=connector.name, kind=DeliveryKind.LEAD, platform_id=mapped.platform_id).first())
        if row is None:
            return Delivery.objects.create(connector=connector.name, kind=DeliveryKind.LEAD,
                                           platform_id=mapped.platform_id, received_at=now, **values)
        if row.outcome in DONE_OUTCOMES:  # captured meanwhile: a failure of a repeat changes nothing
            return row
        for k, v in values.items():
            setattr(row, k, v)
        row.save()
    return row


# --- pulls -----------------------------------------------------------------------------------


def claim(name: str, seconds: int = 900) -> bool:
    """One puller of a stream at a time, across processes (the cache's add is atomic); no database
    transaction is held while the platform is called."""
    from django.core.cache import cache

    try:
        return bool(cache.add(f"channels:pull:{name}", 1, seconds))
    except Exception:  # the cache is down: pull anyway (every step is idempotent)
        log.warning("cache unavailable: pulling %s without a claim", name, exc_info=True)
        return True


def release(name: str) -> None:
    from django.core.cache import cache

    try:
        cache.delete(f"channels:pull:{name}")
    except Exception:
        log.debug("cache unavailable", exc_info=True)


def leads_pull(*, connector: Connector, transport: Transport | None = None) -> int:
    """Pull the leads after the connector's cursor, page after page, and capture them; the cursor
    moves only past pages that were recorded. Returns the number of leads received."""
    transport = transport or urllib_transport
    name = f"{connector.name}:lead"
    if not claim(name):
        return 0
    try:
        row, _created = PullCursor.objects.get_or_create(connector=connector.name, stream=DeliveryKind.LEAD)
        PullCursor.objects.filter(pk=row.pk).update(last_run_at=timezone.now())
        cursor, received = row.cursor, 0
        try:
            for _page in range(MAX_PULL_PAGES):
                items, following, more = connector.fetch_leads(transport, cursor)  # type: ignore[attr-defined]
                batch, bodies = [], []
                for item in items:
                    try:
                        connector.check_item(item)  # type: ignore[attr-defined]
                        batch.append((connector.map(item), item))
                    except Refused as exc:
                        refusal_count(connector, exc)
                        continue
                    bodies.append(_json(item))
                if batch:
                    receive_many(connector, batch, via=Via.PULL, bodies=bodies)
                received += len(batch)
                cursor = following[:200]
                PullCursor.objects.filter(pk=row.pk).update(cursor=cursor)
                if not more or not items:
                    break
        except TransportError as exc:
            PullCursor.objects.filter(pk=row.pk).update(last_error=str(exc)[:300])
        else:
            PullCursor.objects.filter(pk=row.pk).update(last_ok_at=timezone.now(), last_error="", last_count=received)
        return received
    finally:
        release(name)


def _json(item: Any) -> str:
    import json

    return json.dumps(item, ensure_ascii=False, sort_keys=True)


def pull_all(*, transport: Transport | None = None) -> dict[str, int]:
    """The scheduled pulls: each configured connector's streams."""
    from autodcc.channels import orders

    done: dict[str, int] = {}
    for connector in connectors.CONNECTORS.values():
        config = connector.config()
        if not connector.configured or not config.get("pull", True):
            continue
        if "lead" in connector.pulls and config.get("api_base"):
            done[f"{connector.name}:lead"] = leads_pull(connector=connector, transport=transport)
        if "order" in connector.pulls and config.get("session"):
            done[f"{connector.name}:order"] = orders.tmall_orders_pull(transport=transport)
            done[f"{connector.name}:refund"] = orders.tmall_refunds_pull(transport=transport)
    return done


# --- replay ----------------------------------------------------------------------------------


def delivery_replay(*, actor: Actor, delivery_id: int) -> Delivery:
    """Run a failed or refused delivery again from what was received (audited)."""
    if not actor.can("channels.replay"):
        raise Forbidden("forbidden")
    with transaction.atomic():
        delivery = Delivery.objects.select_for_update().filter(pk=delivery_id).first()
        if delivery is None:
            raise NotFound("not_found")
        if not delivery.replayable:
            raise DomainError("channels.not_replayable")
        connector = connectors.get(delivery.connector)
        if connector is None:
            raise NotFound("not_found")
        before = {"outcome": delivery.outcome, "lead": delivery.lead_id, "order": delivery.order_id}
        if delivery.kind == DeliveryKind.ORDER:
            from autodcc.channels import orders

            orders.trade_import(delivery.item, replay=True)
        elif delivery.kind == DeliveryKind.REFUND:
            from autodcc.channels import orders

            orders.refund_record(delivery.item)
        else:
            try:
                mapped = connector.map(delivery.item)
            except (Refused, ValueError) as exc:
                Delivery.objects.filter(pk=delivery.pk).update(error=[{"code": "malformed", "field": None,
                                                                       "message": str(exc)[:300]}])
            else:
                receive_many(connector, [(mapped, delivery.item)], via=delivery.via, bodies=[delivery.body],
                             params=delivery.params, replay=True)
        Delivery.objects.filter(pk=delivery.pk).update(replays=F("replays") + 1)
        delivery.refresh_from_db()
        audit.record(actor=actor, action="channel.delivery_replay", obj=delivery, before=before,
                     after={"outcome": delivery.outcome, "lead": delivery.lead_id, "order": delivery.order_id},
                     note=delivery.platform_id)
    return delivery
