"""The hot entry path for leads from channel platforms (LEAD-1).

``intake_accept`` checks the input (no lead tables touched), writes one ``Intake`` row and
answers; ``intake_process`` — a Celery task after commit, run inline when no broker is
configured — hands it to ``lead_capture`` under the idempotency key ``intake:<id>``, so a
redelivered task or the periodic sweep can never capture a lead twice.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from autodcc.core.actors import SYSTEM, Actor
from autodcc.core.errors import DomainError
from autodcc.core.tenancy import one
from autodcc.leads.models import Intake, IntakeStatus
from autodcc.leads.services.capture import LeadInput, lead_capture, validate


@dataclass(frozen=True)
class Accepted:
    intake: Intake
    replay: bool


def _payload(data: LeadInput) -> dict[str, Any]:
    values = dataclasses.asdict(data)
    if isinstance(values.get("expected_purchase_on"), dt.date):
        values["expected_purchase_on"] = values["expected_purchase_on"].isoformat()
    return values


def intake_accept(*, actor: Actor, data: LeadInput, key: str = "", api_token: Any = None) -> Accepted:
    """Validate and durably accept a lead; processing follows after commit."""
    key = key[:140]
    if key:
        seen = one(Intake.objects.filter(key=key))
        if seen is not None:
            return Accepted(seen, replay=True)
    validate(data, dealer_known=bool(getattr(api_token, "dealer_id", None))
             or (actor.is_staff and not actor.is_hq and bool(actor.dealer_ids)))
    from autodcc.celery import app

    try:
        with transaction.atomic():
            intake = Intake.objects.create(key=key or None, payload=_payload(data), api_token=api_token,
                                           user_id=actor.user_id)
            if not app.conf.task_always_eager:
                transaction.on_commit(lambda: _kick(intake.pk))
    except IntegrityError:  # the same key accepted concurrently
        return Accepted(Intake.objects.get(key=key), replay=True)
    if app.conf.task_always_eager:  # no worker (the embedded default): process it now, in this request
        intake = intake_process(intake.pk)
    return Accepted(intake, replay=False)


WAKE_KEY = "leads:intake-wake"
WAKE_SECONDS = 5


def _kick(intake_id: int) -> None:
    """Wake a worker, unless one was woken in the last few seconds: a worker drains every waiting
    intake in batches, so one wake-up serves a whole burst (and the agents' messages, queued
    behind, are not held up by thousands of empty tasks)."""
    from django.core.cache import cache

    from autodcc.leads.tasks import process_intake

    if not cache.add(WAKE_KEY, intake_id, WAKE_SECONDS):
        return
    try:
        process_intake.delay(intake_id)
    except Exception:  # broker down: the sweep processes it
        cache.delete(WAKE_KEY)


def drain(*, max_batches: int = 1000) -> int:
    """What a woken worker does: batches until nothing waits, then it lets the next request wake a
    worker again and takes one more look (an intake accepted in between is not left waiting)."""
    from django.core.cache import cache

    done = 0
    for _ in range(max_batches):
        n = process_batch()
        done += n
        if not n:
            break
    cache.delete(WAKE_KEY)
    return done + process_batch()


def _actor_for(intake: Intake) -> Actor:
    if intake.api_token_id:
        from autodcc.network.actors import actor_for_token

        return actor_for_token(intake.api_token)
    if intake.user_id:
        from django.contrib.auth import get_user_model

        from autodcc.network.actors import actor_for_user

        user = get_user_model().objects.filter(pk=intake.user_id).first()
        if user is not None:
            return actor_for_user(user)
    return SYSTEM


def intake_process(intake_id: int) -> Intake:
    with transaction.atomic():
        intake = (Intake.objects.select_for_update(skip_locked=True, of=("self",)).select_related("api_token__dealer")
                  .filter(pk=intake_id, status=IntakeStatus.PENDING).first())
        if intake is None:
            return Intake.objects.get(pk=intake_id)
        values = dict(intake.payload)
        if values.get("expected_purchase_on"):
            values["expected_purchase_on"] = dt.date.fromisoformat(values["expected_purchase_on"])
        try:
            with transaction.atomic():
                result = lead_capture(actor=_actor_for(intake), data=LeadInput(**values),
                                      idempotency_key=f"intake:{intake.pk}", api_token=intake.api_token)
        except DomainError as exc:  # e.g. the chosen dealer closed meanwhile
            errors = getattr(exc, "errors", [exc])
            intake.status, intake.error = IntakeStatus.REJECTED, [e.as_dict() for e in errors]
        else:
            intake.status, intake.lead, intake.created = IntakeStatus.PROCESSED, result.lead, result.created
        intake.processed_at = timezone.now()
        intake.save(update_fields=["status", "lead", "created", "error", "processed_at"])
    return intake


def process_batch(*, limit: int = 200, older_than: dt.datetime | None = None) -> int:
    """Take up to ``limit`` waiting intakes (those another worker holds are skipped) and capture
    them set-based: under a burst every worker task drains a batch, so the queue empties in
    hundreds, not one by one. A task whose own intake was already taken does nothing."""
    from autodcc.leads.services.bulk import capture_many

    with transaction.atomic():
        pending = (Intake.objects.select_for_update(skip_locked=True, of=("self",))
                   .select_related("api_token__dealer").filter(status=IntakeStatus.PENDING))
        if older_than is not None:
            pending = pending.filter(received_at__lt=older_than)
        intakes = list(pending.order_by("received_at", "pk")[:limit])
        groups: dict[tuple[Any, Any], list[Intake]] = {}
        for intake in intakes:
            groups.setdefault((intake.api_token_id, intake.user_id), []).append(intake)
        now = timezone.now()
        for group in groups.values():
            items = [(LeadInput(**_values(i)), f"intake:{i.pk}") for i in group]
            for intake, outcome in zip(group, capture_many(actor=_actor_for(group[0]), items=items), strict=True):
                if outcome.errors:
                    intake.status, intake.error = IntakeStatus.REJECTED, [e.as_dict() for e in outcome.errors]
                else:
                    intake.status, intake.lead, intake.created = IntakeStatus.PROCESSED, outcome.lead, outcome.created
                intake.processed_at = now
        Intake.objects.bulk_update(intakes, ["status", "lead", "created", "error", "processed_at"])
    return len(intakes)


def _values(intake: Intake) -> dict[str, Any]:
    values = dict(intake.payload)
    if values.get("expected_purchase_on"):
        values["expected_purchase_on"] = dt.date.fromisoformat(values["expected_purchase_on"])
    return values


def process_pending(*, limit: int = 500, older_than_seconds: int = 5) -> int:
    """The sweep: intakes whose task was lost (broker down, crash) are processed here."""
    cutoff = timezone.now() - dt.timedelta(seconds=older_than_seconds)
    done = 0
    while done < limit:
        n = process_batch(limit=min(200, limit - done), older_than=cutoff)
        if not n:
            break
        done += n
    return done
