"""Agent assignment (LEAD-4): an on-duty DCC agent of the dealer, evenly over time, skipping
agents on leave or at capacity; supervisors reassign with a reason; leave moves open leads."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext, gettext_lazy

from autodcc.core import audit
from autodcc.core.actors import SYSTEM, Actor
from autodcc.core.errors import DomainError
from autodcc.core.roles import Role
from autodcc.leads import rules
from autodcc.leads.models import (
    OPEN_STATUSES,
    AgentLedger,
    Assignment,
    AssignmentKind,
    Channel,
    Handover,
    Lead,
    LeaveCoverage,
    Stage,
)
from autodcc.leads.services import common
from autodcc.messaging.models import Event
from autodcc.network.models import Dealer, LeavePeriod, Staff


def agents_of(dealer: Dealer) -> list[Staff]:
    return list(Staff.objects.filter(grants__dealer=dealer, grants__role=Role.DCC_AGENT, user__is_active=True)
                .select_related("user").distinct().order_by("pk"))


def available_agents(dealer: Dealer, at: dt.datetime, *, exclude: set[int] | None = None) -> list[Staff]:
    """On duty, not on leave at ``at``, below their open-lead capacity (one query, two when capped)."""
    on_leave = LeavePeriod.objects.filter(starts_at__lte=at, ends_at__gt=at).values("staff_id")
    agents = [a for a in Staff.objects.filter(grants__dealer=dealer, grants__role=Role.DCC_AGENT, user__is_active=True,
                                              on_duty=True).exclude(pk__in=on_leave).distinct().order_by("pk")
              if a.pk not in (exclude or set())]
    capped = [a.pk for a in agents if a.capacity]
    if capped:
        load = dict(Lead.objects.filter(agent_id__in=capped, status__in=OPEN_STATUSES).values_list("agent_id")
                    .annotate(n=Count("pk")))
        agents = [a for a in agents if not a.capacity or load.get(a.pk, 0) < a.capacity]
    return agents


def _take(dealer: Dealer, agents: list[Staff], at: dt.datetime) -> Staff:
    ids = [a.pk for a in agents]
    locked = _lock_rows(dealer, ids)
    if len(locked) < len(ids):
        floor = min((r.count for r in locked), default=0)
        known = {r.staff_id for r in locked}
        AgentLedger.objects.bulk_create([AgentLedger(dealer=dealer, staff_id=pk, count=floor) for pk in ids
                                         if pk not in known], ignore_conflicts=True)
        locked = _lock_rows(dealer, ids)
    epoch = dt.datetime.min.replace(tzinfo=dt.UTC)
    pick = min(locked, key=lambda r: (r.count, r.last_assigned_at or epoch, r.staff_id))
    AgentLedger.objects.filter(pk=pick.pk).update(count=F("count") + 1, last_assigned_at=at)
    return next(a for a in agents if a.pk == pick.staff_id)


def _lock_rows(dealer: Dealer, ids: list[int]) -> list[AgentLedger]:
    return list(AgentLedger.objects.select_for_update().filter(dealer=dealer, staff_id__in=ids).order_by("staff_id"))


def pick_agent(dealer: Dealer, at: dt.datetime) -> Staff | None:
    """The next available agent (counted in the ledger), or None: the lead waits in the pool."""
    agents = available_agents(dealer, at)
    return _take(dealer, agents, at) if agents else None


def record_assignment(lead: Lead, agent: Staff | None, *, actor: Actor) -> None:
    """The history of a new lead's first assignment: the assignment and the marketing → DCC handover."""
    if agent is None:
        Assignment.objects.create(lead=lead, staff=None, kind=AssignmentKind.POOL, by_label=actor.label)
        return
    Assignment.objects.create(lead=lead, staff=agent, kind=AssignmentKind.AUTO, by_label=actor.label)
    Handover.objects.create(lead=lead, from_stage=Stage.MARKETING, to_stage=Stage.DCC, to_staff=agent,
                            by_label=actor.label)


def assign(lead: Lead, *, actor: Actor, kind: str = AssignmentKind.AUTO, exclude: set[int] | None = None,
           note: str = "") -> Staff | None:
    """Give ``lead`` (locked by the caller) to the next available agent, or leave it in the pool."""
    now = timezone.now()
    agents = available_agents(lead.dealer, now, exclude=exclude)
    previous = lead.agent
    if not agents:
        lead.agent = None
        Assignment.objects.create(lead=lead, staff=None, previous=previous, kind=AssignmentKind.POOL, note=note,
                                  by_label=actor.label)
        return None
    agent = _take(lead.dealer, agents, now)
    lead.agent, lead.assigned_at = agent, now
    Assignment.objects.create(lead=lead, staff=agent, previous=previous, kind=kind, note=note, by_label=actor.label)
    if lead.stage == Stage.MARKETING:
        Handover.objects.create(lead=lead, from_stage=Stage.MARKETING, to_stage=Stage.DCC, to_staff=agent,
                                note=str(note), by_label=actor.label)
        lead.stage = Stage.DCC
    notify_agent(lead, agent)
    return agent


def notify_agent(lead: Lead, agent: Staff) -> None:
    if not agent.phone:
        return
    from autodcc.messaging.services import message_send

    message_send(event=Event.LEAD_ASSIGNED, to_phone=agent.phone, to_staff_id=agent.pk, dealer=lead.dealer,
                 related=lead, context={"staff": agent.name, "customer": customer_label(lead),
                                        "channel": Channel(lead.channel).label, "due": lead.first_response_due_at or "—"})


def customer_label(lead: Lead) -> Any:
    """The customer's name and the lead's number, as messages to staff name a lead."""
    return format_lazy(gettext_lazy("{name} ({number})"), name=lead.customer.name, number=lead.number)


@transaction.atomic
def lead_reassign(*, actor: Actor, lead: Lead, to_staff: Staff, note: str) -> Lead:
    """A supervisor moves a lead to another DCC agent, with a reason."""
    lead = common.lock(lead, actor)
    common.require(actor, "leads.reassign", lead)
    common.require_open(lead)
    if not note.strip():
        raise DomainError("lead.note_required", field="note")
    if to_staff.pk not in {a.pk for a in agents_of(lead.dealer)}:
        raise DomainError("lead.not_agent", field="agent", value=to_staff.name)
    if lead.agent_id == to_staff.pk:
        return lead
    before = common.snapshot(lead)
    Assignment.objects.create(lead=lead, staff=to_staff, previous=lead.agent, kind=AssignmentKind.MANUAL,
                              note=note.strip(), by_label=actor.label)
    lead.agent, lead.assigned_at = to_staff, timezone.now()
    if lead.stage == Stage.MARKETING:
        lead.stage = Stage.DCC
    lead.save()
    common.record(actor, "lead.reassign", lead, before, note=note.strip())
    notify_agent(lead, to_staff)
    return lead


def cover_leaves(*, now: dt.datetime | None = None) -> int:
    """Move the open leads of agents whose leave has started to colleagues (or the pool)."""
    now = now or timezone.now()
    moved = 0
    started = (LeavePeriod.objects.filter(starts_at__lte=now, ends_at__gt=now)
               .exclude(pk__in=LeaveCoverage.objects.values("leave_id")).select_related("staff"))
    for leave in started:
        with transaction.atomic():
            if LeaveCoverage.objects.select_for_update().filter(leave=leave).exists():
                continue
            count = 0
            for lead in (Lead.objects.select_for_update(of=("self",)).select_related("dealer", "customer", "agent")
                         .filter(agent=leave.staff, status__in=OPEN_STATUSES).filter(~Q(stage=Stage.SHOWROOM))):
                before = common.snapshot(lead)
                assign(lead, actor=SYSTEM, kind=AssignmentKind.LEAVE, exclude={leave.staff_id},
                       note=gettext("%(name)s is on leave") % {"name": leave.staff.name})
                lead.save()
                common.record(SYSTEM, "lead.cover_leave", lead, before)
                count += 1
            LeaveCoverage.objects.create(leave=leave, moved=count)
            audit.record(actor=SYSTEM, action="leave.covered", obj=leave, after={"moved": count})
            moved += count
    return moved


def assign_pool(*, now: dt.datetime | None = None) -> int:
    """Give waiting (unassigned) open leads to agents who have come on duty."""
    assigned = 0
    waiting = Lead.objects.filter(agent__isnull=True, status__in=OPEN_STATUSES).exclude(stage=Stage.SHOWROOM)
    for pk in waiting.values_list("pk", flat=True)[:500]:
        with transaction.atomic():
            lead = (Lead.objects.select_for_update(of=("self",)).select_related("dealer", "customer")
                    .filter(pk=pk, agent__isnull=True).first())
            if lead is None or not available_agents(lead.dealer, now or timezone.now()):
                continue
            before = common.snapshot(lead)
            if assign(lead, actor=SYSTEM) is not None:
                lead.save()
                common.record(SYSTEM, "lead.assign", lead, before)
                assigned += 1
    return assigned


__all__ = ["agents_of", "assign", "assign_pool", "available_agents", "cover_leaves", "lead_reassign", "rules"]
