"""Capturing many leads at once, set-based (file imports and the intake worker's batches).

The same rules as ``lead_capture`` — a known phone joins its open lead, the chosen dealer, else
the city's dealers evenly, else the nearest; an even split over the dealer's available agents —
but each ledger is locked once per batch and every table is written with one ``bulk_create``.
Every lead still gets its allocation, capture, assignment and handover rows and its audit row;
each agent gets one message per batch naming how many new leads arrived. Rows whose phone or key
another transaction is writing at the same moment are left to ``lead_capture``, one by one.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy

from autodcc.core import audit, geo, workhours
from autodcc.core.actors import Actor
from autodcc.core.errors import DomainError, Forbidden, Invalid
from autodcc.customers.models import Consent, Customer
from autodcc.leads import rules
from autodcc.leads.models import (
    OPEN_STATUSES,
    AgentLedger,
    Allocation,
    AllocationReason,
    Assignment,
    AssignmentKind,
    Capture,
    Channel,
    CityLedger,
    Handover,
    IdempotencyKey,
    Lead,
    Stage,
    Status,
)
from autodcc.leads.services import assignment, common
from autodcc.leads.services.capture import LeadInput, lead_capture, validate
from autodcc.messaging.models import Event
from autodcc.network.models import City, Dealer, Staff
from autodcc.network.services import city_for


@dataclass
class Outcome:
    index: int
    lead: Lead | None = None
    created: bool = False
    replay: bool = False
    errors: list[DomainError] | None = None


@dataclass
class _Row:
    index: int
    data: LeadInput
    key: str
    clean: dict[str, Any]
    customer: Customer | None = None
    consent: Consent | None = None
    city: City | None = None
    dealer: Dealer | None = None
    reason: str = ""
    distance: Decimal | None = None


def capture_many(*, actor: Actor, items: list[tuple[LeadInput, str]], notify: bool = True) -> list[Outcome]:
    """Capture ``items`` (input, idempotency key) in one transaction; the outcome of each, in order.
    ``notify=False`` leaves telling the agents to the caller (a file import tells each agent once)."""
    if actor.is_staff and not actor.can("leads.capture"):
        raise Forbidden("forbidden")
    outcomes = [Outcome(i) for i in range(len(items))]
    rows: list[_Row] = []
    own_dealer = actor.is_staff and not actor.is_hq and bool(actor.dealer_ids)
    for i, (data, key) in enumerate(items):
        try:
            rows.append(_Row(i, data, key[:100], validate(data, dealer_known=own_dealer)))
        except Invalid as exc:
            outcomes[i].errors = exc.errors
    if not rows:
        return outcomes
    try:
        with transaction.atomic():
            leftovers = _capture(actor, rows, outcomes, notify)
    except IntegrityError:  # another writer took a phone or key meanwhile: one by one, with retries
        leftovers = rows
    for row in leftovers:
        try:
            result = lead_capture(actor=actor, data=row.data, idempotency_key=row.key)
        except DomainError as exc:
            outcomes[row.index].errors = getattr(exc, "errors", [exc])
        else:
            outcomes[row.index] = Outcome(row.index, result.lead, result.created, result.replay)
    return outcomes


def _capture(actor: Actor, rows: list[_Row], outcomes: list[Outcome], notify: bool) -> list[_Row]:
    now = timezone.now()
    # replays: keys already captured
    keys = {r.key for r in rows if r.key}
    seen = {k.key: k.lead for k in IdempotencyKey.objects.filter(key__in=keys).select_related("lead")} if keys else {}
    fresh: list[_Row] = []
    in_batch: set[str] = set()
    for r in rows:
        if r.key in seen:
            outcomes[r.index] = Outcome(r.index, seen[r.key], replay=True)
        elif r.key and r.key in in_batch:
            outcomes[r.index] = Outcome(r.index, None, replay=True)  # the same key twice in one batch
        else:
            in_batch.add(r.key)
            fresh.append(r)
    # a phone twice in one batch: the later rows go one by one, after the batch (they will join)
    phones: set[str] = set()
    batch, later = [], []
    for r in fresh:
        (later if r.clean["phone"] in phones else batch).append(r)
        phones.add(r.clean["phone"])
    if not batch:
        return later

    cities = {info.adcode: city_for(info.adcode) for info in {r.clean["city"] for r in batch if r.clean["city"]}}
    for r in batch:
        r.city = cities[r.clean["city"].adcode] if r.clean["city"] else None

    customers = {c.phone: c for c in Customer.objects.filter(phone__in=phones)}
    new_customers = [Customer(phone=r.clean["phone"], name=r.clean["name"], city=r.city, created_at=now)
                     for r in batch if r.clean["phone"] not in customers]
    for c in Customer.objects.bulk_create(new_customers):
        customers[c.phone] = c
    for r in batch:
        r.customer = customers[r.clean["phone"]]
    consents = Consent.objects.bulk_create([
        Consent(customer=r.customer, version=r.data.consent_version.strip()[:40], purposes=list(r.data.consent_purposes),
                share_with_dealer=True, marketing=bool(r.data.consent_marketing), channel=r.data.channel, given_at=now)
        for r in batch])
    for r, consent in zip(batch, consents, strict=True):
        r.consent = consent

    # known phones with an open lead (at the chosen dealer, or any) join it
    chosen = {r.index: r.clean["dealer"] for r in batch}
    if own := _own_dealer(actor):
        for r in batch:
            chosen[r.index] = chosen[r.index] or own
    open_leads: dict[int, list[Lead]] = defaultdict(list)
    new_ids = {c.pk for c in new_customers}
    known = [c.pk for c in customers.values() if c.pk not in new_ids]
    if known:
        for lead in (Lead.objects.select_for_update(of=("self",)).filter(customer_id__in=known, status__in=OPEN_STATUSES)
                     .order_by("-created_at")):
            open_leads[lead.customer_id].append(lead)
    joins, news = [], []
    for r in batch:
        candidates = open_leads.get(r.customer.pk, [])
        dealer = chosen[r.index]
        match = next((lead for lead in candidates if dealer is None or lead.dealer_id == dealer.pk), None)
        (joins if match else news).append((r, match))
    _join(actor, joins, outcomes, now)
    created = _create(actor, [r for r, _ in news], chosen, outcomes, now)
    if notify:
        tell_agents(created)
    return later


def _own_dealer(actor: Actor) -> Dealer | None:
    if actor.is_staff and not actor.is_hq and actor.dealer_ids:
        return Dealer.objects.get(pk=min(actor.dealer_ids))
    return None


def _join(actor: Actor, joins: list[tuple[_Row, Lead]], outcomes: list[Outcome], now: dt.datetime) -> None:
    if not joins:
        return
    leads: dict[int, Lead] = {}
    for r, lead in joins:
        lead.duplicate_count += 1
        lead.consent = r.consent
        leads[lead.pk] = lead
        outcomes[r.index] = Outcome(r.index, lead, created=False)
    Lead.objects.bulk_update(list(leads.values()), ["duplicate_count", "consent"])
    Capture.objects.bulk_create([Capture(lead=lead, channel=r.data.channel, campaign=r.data.campaign[:80],
                                         source_ref=r.data.source_ref[:80], duplicate=True, by_label=actor.label, at=now)
                                 for r, lead in joins])
    audit_rows = [audit.build(actor=actor, action="lead.capture_repeat", obj=lead, dealer_id=lead.dealer_id,
                              after={**common.snapshot(lead), "channel": r.data.channel}) for r, lead in joins]
    from autodcc.core.models import AuditLog

    AuditLog.objects.bulk_create(audit_rows)
    IdempotencyKey.objects.bulk_create([IdempotencyKey(key=r.key, lead=lead) for r, lead in joins if r.key])


def _allocate(rows: list[_Row], chosen: dict[int, Dealer | None]) -> None:
    """Chosen dealers as they are; the rest by city, each city's ledger locked once."""
    by_city: dict[int, list[_Row]] = defaultdict(list)
    for r in rows:
        dealer = chosen[r.index]
        if dealer is not None:
            r.dealer, r.reason = dealer, AllocationReason.CHOSEN
        elif r.city is None:
            raise DomainError("lead.city_required", field="city")
        else:
            by_city[r.city.pk].append(r)
    if not by_city:
        return
    active = list(Dealer.objects.filter(is_active=True).select_related("city").order_by("pk"))
    if not active:
        raise DomainError("lead.no_dealer")
    for city_rows in by_city.values():
        city = city_rows[0].city
        local = [d for d in active if d.city_id == city.pk]
        reason, distance = AllocationReason.CITY, None
        if not local:
            ids, km = rules.nearest_ids(float(city.lat), float(city.lng),
                                        [(d.pk, float(d.city.lat), float(d.city.lng)) for d in active])
            local, reason, distance = [d for d in active if d.pk in ids], AllocationReason.NEAREST, Decimal(f"{km:.1f}")
        counts = _lock_city(city, [d.pk for d in local])
        taken: dict[int, int] = defaultdict(int)
        for r in city_rows:
            pick = rules.choose_even(counts)
            counts[pick] += 1
            taken[pick] += 1
            r.dealer, r.reason, r.distance = next(d for d in local if d.pk == pick), reason, distance
        for dealer_id, n in taken.items():
            CityLedger.objects.filter(city=city, dealer_id=dealer_id).update(count=F("count") + n)


def _lock_city(city: City, ids: list[int]) -> dict[int, int]:
    def lock() -> dict[int, int]:
        return dict(CityLedger.objects.select_for_update().filter(city=city, dealer_id__in=ids).order_by("dealer_id")
                    .values_list("dealer_id", "count"))

    counts = lock()
    if len(counts) < len(ids):
        floor = min(counts.values(), default=0)
        CityLedger.objects.bulk_create([CityLedger(city=city, dealer_id=pk, count=floor) for pk in ids
                                        if pk not in counts], ignore_conflicts=True)
        counts = lock()
    return counts


def _agents(dealer: Dealer, n: int, now: dt.datetime) -> list[Staff | None]:
    """``n`` agents for ``dealer``'s new leads, evenly, its agent ledger locked once."""
    agents = assignment.available_agents(dealer, now)
    if not agents:
        return [None] * n
    ids = [a.pk for a in agents]
    rows = {r.staff_id: r for r in AgentLedger.objects.select_for_update().filter(dealer=dealer, staff_id__in=ids)}
    if len(rows) < len(ids):
        floor = min((r.count for r in rows.values()), default=0)
        AgentLedger.objects.bulk_create([AgentLedger(dealer=dealer, staff_id=pk, count=floor) for pk in ids
                                         if pk not in rows], ignore_conflicts=True)
        rows = {r.staff_id: r for r in AgentLedger.objects.select_for_update().filter(dealer=dealer, staff_id__in=ids)}
    epoch = dt.datetime.min.replace(tzinfo=dt.UTC)
    picks: list[Staff | None] = []
    for _ in range(n):
        row = min(rows.values(), key=lambda r: (r.count, r.last_assigned_at or epoch, r.staff_id))
        row.count, row.last_assigned_at = row.count + 1, now
        picks.append(next(a for a in agents if a.pk == row.staff_id))
    AgentLedger.objects.bulk_update(list(rows.values()), ["count", "last_assigned_at"])
    return picks


def _create(actor: Actor, rows: list[_Row], chosen: dict[int, Dealer | None], outcomes: list[Outcome],
            now: dt.datetime) -> list[Lead]:
    if not rows:
        return []
    _allocate(rows, chosen)
    by_dealer: dict[int, list[_Row]] = defaultdict(list)
    for r in rows:
        by_dealer[r.dealer.pk].append(r)
    agent_of: dict[int, Staff | None] = {}
    due_of: dict[int, dt.datetime] = {}
    for dealer_rows in by_dealer.values():
        dealer = dealer_rows[0].dealer
        due = workhours.add_open_minutes(now, common.settings_for(dealer).sla_minutes, workhours.OpeningHours.of(dealer))
        for r, agent in zip(dealer_rows, _agents(dealer, len(dealer_rows), now), strict=True):
            agent_of[r.index], due_of[r.index] = agent, due
    today = timezone.localdate()
    staff_entry = actor.is_staff and not actor.is_hq
    leads = Lead.objects.bulk_create([
        Lead(dealer=r.dealer, customer=r.customer, consent=r.consent, channel=r.data.channel,
             campaign=r.data.campaign[:80], source_ref=r.data.source_ref[:80],
             model_interest=r.data.model_interest[:80], city=r.city, message=r.data.message[:2000],
             allocation_reason=AllocationReason.STAFF if staff_entry and r.reason == AllocationReason.CHOSEN
             and not r.clean["dealer"] else r.reason,
             status=Status.NEW, stage=Stage.DCC if agent_of[r.index] else Stage.MARKETING,
             agent=agent_of[r.index], assigned_at=now if agent_of[r.index] else None, next_follow_up_on=today,
             first_response_due_at=due_of[r.index], expected_purchase_on=r.data.expected_purchase_on, created_at=now)
        for r in rows])
    Allocation.objects.bulk_create([Allocation(lead=lead, dealer=r.dealer, reason=lead.allocation_reason,
                                               distance_km=r.distance, by_label=actor.label, at=now)
                                    for r, lead in zip(rows, leads, strict=True)])
    Capture.objects.bulk_create([Capture(lead=lead, channel=r.data.channel, campaign=r.data.campaign[:80],
                                         source_ref=r.data.source_ref[:80], by_label=actor.label, at=now)
                                 for r, lead in zip(rows, leads, strict=True)])
    Assignment.objects.bulk_create([Assignment(lead=lead, staff=lead.agent,
                                                kind=AssignmentKind.AUTO if lead.agent else AssignmentKind.POOL,
                                                by_label=actor.label, at=now) for lead in leads])
    Handover.objects.bulk_create([Handover(lead=lead, from_stage=Stage.MARKETING, to_stage=Stage.DCC, to_staff=lead.agent,
                                           by_label=actor.label, at=now) for lead in leads if lead.agent])
    from autodcc.core.models import AuditLog

    AuditLog.objects.bulk_create([
        audit.build(actor=actor, action="lead.capture", obj=lead, dealer_id=lead.dealer_id,
                    after={**common.snapshot(lead), "channel": r.data.channel, "allocation": lead.allocation_reason,
                           "customer_id": r.customer.pk})
        for r, lead in zip(rows, leads, strict=True)])
    IdempotencyKey.objects.bulk_create([IdempotencyKey(key=r.key, lead=lead)
                                        for r, lead in zip(rows, leads, strict=True) if r.key])
    for r, lead in zip(rows, leads, strict=True):
        outcomes[r.index] = Outcome(r.index, lead, created=True)
    return leads


def tell_agents(leads: list[Lead]) -> None:
    """One message per agent for these leads: how many, the first to call, its deadline."""
    from autodcc.messaging.services import message_send

    per_agent: dict[int, list[Lead]] = defaultdict(list)
    for lead in leads:
        if lead.agent_id:
            per_agent[lead.agent_id].append(lead)
    for agent_leads in per_agent.values():
        agent = agent_leads[0].agent
        if not agent.phone:
            continue
        first = agent_leads[0]
        label = assignment.customer_label(first)
        if len(agent_leads) > 1:
            label = format_lazy(gettext_lazy("{first} and others, {n} leads in all"), first=label, n=len(agent_leads))
        message_send(event=Event.LEAD_ASSIGNED, to_phone=agent.phone, to_staff_id=agent.pk, dealer=first.dealer,
                     related=first, context={"staff": agent.name, "customer": label,
                                             "channel": Channel(first.channel).label,
                                             "due": first.first_response_due_at})


__all__ = ["Outcome", "capture_many", "geo"]
