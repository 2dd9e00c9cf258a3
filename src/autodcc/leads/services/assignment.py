"""Agent assignment (LEAD-4): an on-duty DCC agent of the dealer, evenly over time, skipping
agents on leave or at capacity. Moves by hand, on leave and on departure: ``moves``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy

from autodcc.core import fairshare
from autodcc.core.actors import SYSTEM, Actor
from autodcc.core.models import FairShare
from autodcc.core.roles import Role
from autodcc.leads import rules
from autodcc.leads.models import (
    OPEN_STATUSES,
    Assignment,
    AssignmentKind,
    Channel,
    Handover,
    Lead,
    Stage,
)
from autodcc.leads.services import common
from autodcc.messaging.models import Event
from autodcc.network.models import Dealer, LeavePeriod, RoleGrant, Staff


def agents_of(dealer: Dealer) -> list[Staff]:
    return list(Staff.objects.filter(grants__dealer=dealer, grants__role=Role.DCC_AGENT, user__is_active=True)
                .select_related("user").distinct().order_by("pk"))


def available_sql(at: dt.datetime, dealer_ids: list[int]) -> tuple[str, list[Any]]:
    """The SQL condition on an agent row (``FairShare`` aliased ``f``, kind agent) of one of
    ``dealer_ids`` that its agent may take a new lead at ``at``: a DCC agent of that dealer,
    active, on duty, not on leave, below their open-lead capacity. The one definition of an
    available agent."""
    q = connection.ops.quote_name
    grant, staff, user = (q(m._meta.db_table) for m in (RoleGrant, Staff, get_user_model()))
    leave, lead = q(LeavePeriod._meta.db_table), q(Lead._meta.db_table)
    opened = ", ".join("%s" for _ in OPEN_STATUSES)
    dealers = ", ".join("%s" for _ in dealer_ids)
    true = "TRUE" if connection.vendor == "postgresql" else "1"
    sql = (
        f"(f.owner_id, f.member_id) IN (SELECT g.dealer_id, g.staff_id FROM {grant} g"
        f" JOIN {staff} s ON s.id = g.staff_id JOIN {user} u ON u.id = s.user_id"
        f" WHERE g.role = %s AND g.dealer_id IN ({dealers}) AND s.on_duty = {true} AND u.is_active = {true}"
        f" AND NOT EXISTS (SELECT 1 FROM {leave} v WHERE v.staff_id = s.id AND v.starts_at <= %s AND v.ends_at > %s)"
        f" AND (s.capacity IS NULL OR s.capacity = 0 OR s.capacity > (SELECT count(*) FROM {lead} x"
        f" WHERE x.agent_id = s.id AND x.status IN ({opened}))))"
    )
    stamp = LeavePeriod._meta.get_field("starts_at").get_db_prep_value(at, connection)
    return sql, [Role.DCC_AGENT.value, *dealer_ids, stamp, stamp, *[str(s) for s in OPEN_STATUSES]]


def heal_agents(dealer_ids: list[int]) -> bool:
    """Agents granted at these dealers without a place in their rotation (granted outside the
    network services) get one; True when any was added. One statement when nothing is missing."""
    if not dealer_ids:
        return False
    placed = FairShare.objects.filter(kind=fairshare.AGENT, owner_id=OuterRef("dealer_id"), member_id=OuterRef("staff_id"))
    missing = list(RoleGrant.objects.filter(role=Role.DCC_AGENT, dealer_id__in=dealer_ids).filter(~Exists(placed))
                   .values_list("dealer_id", "staff_id"))
    for dealer_id, staff_id in missing:
        fairshare.join(fairshare.AGENT, dealer_id, [staff_id])
    return bool(missing)


def _take(dealer: Dealer, at: dt.datetime, exclude: set[int] | None = None) -> Staff | None:
    """The next available agent of ``dealer`` (counted in its rotation), or None."""
    available, params = available_sql(at, [dealer.pk])
    where, params = f"f.kind = %s AND f.owner_id = %s AND {available}", [fairshare.AGENT, dealer.pk, *params]
    if exclude:
        where += f" AND f.member_id NOT IN ({fairshare.marks(exclude)})"
        params += sorted(exclude)
    rows = fairshare.lock(where, params)
    if not rows and heal_agents([dealer.pk]):
        rows = fairshare.lock(where, params)
    if not rows:
        return None
    (staff_id,) = fairshare.take(rows, 1, at)
    fairshare.save(rows)
    return Staff.objects.get(pk=staff_id)


def pick_agent(dealer: Dealer, at: dt.datetime) -> Staff | None:
    """The next available agent (counted in the rotation), or None: the lead waits in the pool."""
    return _take(dealer, at)


def assign(lead: Lead, *, actor: Actor, kind: str = AssignmentKind.AUTO, exclude: set[int] | None = None,
           note: str = "", notify: bool = True) -> Staff | None:
    """Give ``lead`` (locked by the caller) to the next available agent, or leave it in the pool.
    ``notify=False``: the caller tells the agent (once for many leads)."""
    now = timezone.now()
    agent = _take(lead.dealer, now, exclude)
    previous = lead.agent
    if agent is None:
        lead.agent = None
        Assignment.objects.create(lead=lead, staff=None, previous=previous, kind=AssignmentKind.POOL, note=note,
                                  by_label=actor.label)
        return None
    lead.agent, lead.assigned_at = agent, now
    Assignment.objects.create(lead=lead, staff=agent, previous=previous, kind=kind, note=note, by_label=actor.label)
    if lead.stage == Stage.MARKETING:
        Handover.objects.create(lead=lead, from_stage=Stage.MARKETING, to_stage=Stage.DCC, to_staff=agent,
                                note=str(note), by_label=actor.label)
        lead.stage = Stage.DCC
    if notify:
        notify_agent(lead, agent)
    return agent


def notify_agent(lead: Lead, agent: Staff) -> None:
    """Tell the agent a lead was given to them (now: a hand-made assignment is one at a time)."""
    if not agent.phone:
        return
    from autodcc.messaging.services import message_send

    message_send(event=Event.LEAD_ASSIGNED, to_phone=agent.phone, to_staff_id=agent.pk, dealer=lead.dealer,
                 related=lead, context={"staff": agent.name, "customer": customer_label(lead),
                                        "channel": Channel(lead.channel).label, "due": lead.first_response_due_at or "—"})


def customer_label(lead: Lead) -> Any:
    """The customer's name and the lead's number, as messages to staff name a lead."""
    return format_lazy(gettext_lazy("{name} ({number})"), name=lead.customer.name, number=lead.number)


def assign_pool(*, now: dt.datetime | None = None) -> int:
    """Give waiting (unassigned) open leads to agents who have come on duty."""
    assigned = 0
    waiting = Lead.objects.filter(agent__isnull=True, status__in=OPEN_STATUSES).exclude(stage=Stage.SHOWROOM)
    for pk in waiting.values_list("pk", flat=True)[:500]:
        with transaction.atomic():
            lead = (Lead.objects.select_for_update(of=("self",)).select_related("dealer", "customer")
                    .filter(pk=pk, agent__isnull=True).first())
            if lead is None:
                continue
            before = common.snapshot(lead)
            if _take_into(lead) is not None:
                lead.save()
                common.record(SYSTEM, "lead.assign", lead, before)
                assigned += 1
    return assigned


def _take_into(lead: Lead) -> Staff | None:
    """A waiting lead to the next available agent; nothing is written when none is."""
    agent = _take(lead.dealer, timezone.now())
    if agent is not None:
        lead.agent, lead.assigned_at = agent, timezone.now()
        Assignment.objects.create(lead=lead, staff=agent, kind=AssignmentKind.AUTO, by_label=SYSTEM.label)
        if lead.stage == Stage.MARKETING:
            Handover.objects.create(lead=lead, from_stage=Stage.MARKETING, to_stage=Stage.DCC, to_staff=agent,
                                    by_label=SYSTEM.label)
            lead.stage = Stage.DCC
        notify_agent(lead, agent)
    return agent


__all__ = ["agents_of", "assign", "assign_pool", "available_sql", "heal_agents", "rules"]
