"""Moving leads between people (LEAD-4, LEAD-9, NET-3): a manager's reassignment of one or many
leads with a reason, the cover of a leave, and the release of a person's leads when their account
is deactivated or they lose the role that held them.

Who holds a lead: its DCC agent until the showroom, its sales consultant after
(:func:`autodcc.leads.selectors.holder_q`). Every move leaves the records a manual reassignment
leaves — an :class:`Assignment` row for an agent's lead, a :class:`Handover` row (showroom →
showroom) for a consultant's — and one audit row per lead; each new holder is told once per
operation, of all the leads they received (``lead_assigned`` for DCC leads, ``lead_handover``
for showroom leads).

Where a released lead goes:

- a DCC-stage lead: to the next available agent of the dealer through the same rotation as a new
  lead (:func:`autodcc.leads.services.assignment.assign`: active, on duty, not on leave, below
  capacity, fewest turns first), or to the pool waiting for an agent when there is none;
- a showroom-stage lead: to the dealer's active consultants who are on duty and not on leave,
  the one holding the fewest open showroom leads first; when there is none it waits without a
  consultant and shows on the managers' work list ("waiting for a consultant"), from where a
  manager hands it over by hand (as today for any showroom lead without a consultant).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext, gettext_lazy

from autodcc.core import audit, fairshare
from autodcc.core.actors import SYSTEM, Actor
from autodcc.core.errors import DomainError, NotFound
from autodcc.core.models import FairShare
from autodcc.core.roles import Role
from autodcc.leads.models import (
    OPEN_STATUSES,
    Assignment,
    AssignmentKind,
    Channel,
    Handover,
    Lead,
    LeaveCoverage,
    Stage,
)
from autodcc.leads.services import common
from autodcc.leads.services.assignment import agents_of, assign, customer_label
from autodcc.leads.services.showroom import consultants_of
from autodcc.messaging.models import Event
from autodcc.network.models import LeavePeriod, RoleGrant, Staff

MAX_BATCH = 200  # leads in one reassignment: two pages of the lead list
MAX_NOTE = 200  # the reason is kept on the assignment row
REASON_LABEL = gettext_lazy("Reason")


@dataclass
class Moves:
    """The leads one operation moved, by new holder (for the one notice each gets)."""

    actor: Actor
    note: str
    by_holder: dict[int, tuple[Staff, list[Lead]]] = field(default_factory=dict)
    handed: set[int] = field(default_factory=set)  # leads that reached a consultant (a handover)
    count: int = 0

    def add(self, holder: Staff | None, lead: Lead, *, handover: bool = False) -> None:
        self.count += 1
        if holder is not None:
            self.by_holder.setdefault(holder.pk, (holder, []))[1].append(lead)
            if handover:
                self.handed.add(lead.pk)

    def tell(self) -> None:
        """One message to each new holder, naming the first lead and how many there are."""
        from autodcc.messaging.services import message_send

        now = timezone.now()
        for holder, leads in self.by_holder.values():
            if not holder.phone:
                continue
            first = leads[0]
            label: Any = customer_label(first)
            if len(leads) > 1:
                label = format_lazy(gettext_lazy("{first} and others, {n} leads in all"), first=label, n=len(leads))
            if all(lead.pk in self.handed for lead in leads):
                common.tell_staff(holder, Event.LEAD_HANDOVER, first, customer=label, by=self.actor.label, time=now,
                                  note=self.note)
            else:
                message_send(event=Event.LEAD_ASSIGNED, to_phone=holder.phone, to_staff_id=holder.pk,
                             dealer=first.dealer, related=first,
                             context={"staff": holder.name, "customer": label, "channel": Channel(first.channel).label,
                                      "due": first.first_response_due_at or "—"})


# --- checks --------------------------------------------------------------------------------------


def clean_note(note: str) -> str:
    """The reason as typed: required, at most ``MAX_NOTE`` characters, no control characters."""
    text = (note or "").strip()
    if not text:
        raise DomainError("lead.note_required", field="note")
    if len(text) > MAX_NOTE:
        raise DomainError("text.too_long", field="note", label=REASON_LABEL, length=len(text), limit=MAX_NOTE)
    if any((ord(c) < 32 and c not in "\t\n\r") or ord(c) == 127 for c in text):
        raise DomainError("text.control_characters", field="note", label=REASON_LABEL)
    return text


def _ids(leads: Iterable[Lead | int]) -> list[int]:
    ids = sorted({lead.pk if isinstance(lead, Lead) else int(lead) for lead in leads})
    if not ids:
        raise DomainError("lead.none_chosen", field="leads")
    if len(ids) > MAX_BATCH:
        raise DomainError("lead.batch_too_large", field="leads", count=len(ids), limit=MAX_BATCH)
    return ids


# --- the consultant rotation ---------------------------------------------------------------------


class ConsultantTurns:
    """The dealer's consultants who may take a showroom lead now (active, on duty, not on leave),
    the one holding the fewest open showroom leads first (``fairshare.take`` over their current
    counts: nothing is stored, the count of held leads is the fairness)."""

    def __init__(self, at: dt.datetime, exclude: set[int]) -> None:
        self.at, self.exclude = at, exclude
        self.rows: dict[int, list[FairShare]] = {}

    def _rows(self, dealer_id: int) -> list[FairShare]:
        if dealer_id not in self.rows:
            on_leave = LeavePeriod.objects.filter(staff_id=OuterRef("pk"), starts_at__lte=self.at, ends_at__gt=self.at)
            people = (Staff.objects.filter(grants__dealer_id=dealer_id, grants__role=Role.SALES_CONSULTANT,
                                           user__is_active=True, on_duty=True)
                      .exclude(pk__in=self.exclude).filter(~Exists(on_leave)).distinct()
                      .annotate(held=Count("consultant_leads", filter=Q(
                          consultant_leads__stage=Stage.SHOWROOM, consultant_leads__status__in=OPEN_STATUSES,
                          consultant_leads__dealer_id=dealer_id), distinct=True))
                      .values_list("pk", "held"))
            self.rows[dealer_id] = [FairShare(kind="consultant", owner_id=dealer_id, member_id=pk, count=held)
                                    for pk, held in people]
        return self.rows[dealer_id]

    def next(self, dealer_id: int) -> Staff | None:
        rows = self._rows(dealer_id)
        if not rows:
            return None
        (staff_id,) = fairshare.take(rows, 1, self.at)
        return Staff.objects.get(pk=staff_id)


# --- moving one locked lead ----------------------------------------------------------------------


def _hand_on(lead: Lead, to_staff: Staff | None, moves: Moves, *, action: str) -> None:
    """A showroom lead to another consultant (or to no one: it waits for the manager), recorded as
    a showroom → showroom handover."""
    before, previous = common.snapshot(lead), lead.consultant_id
    Handover.objects.create(lead=lead, from_stage=Stage.SHOWROOM, to_stage=Stage.SHOWROOM, from_staff=lead.consultant,
                            to_staff=to_staff, note=moves.note, by_label=moves.actor.label)
    lead.consultant = to_staff
    lead.save()
    common.record(moves.actor, action, lead, before, note=moves.note,
                  extra={"handover": {"from": previous, "to": getattr(to_staff, "pk", None)}})
    moves.add(to_staff, lead, handover=True)


def _rotate(lead: Lead, moves: Moves, *, kind: str, action: str, exclude: set[int]) -> None:
    """A DCC lead to the next available agent of the dealer's rotation (or the pool)."""
    before = common.snapshot(lead)
    agent = assign(lead, actor=moves.actor, kind=kind, exclude=exclude, note=moves.note, notify=False)
    lead.save()
    common.record(moves.actor, action, lead, before, note=moves.note)
    moves.add(agent, lead)


def _release(leads: Iterable[Lead], staff: Staff, moves: Moves, *, kind: str, action: str,
             at: dt.datetime) -> None:
    """Move the locked open leads ``staff`` holds to colleagues (see the module's rules)."""
    turns = ConsultantTurns(at, {staff.pk})
    for lead in leads:
        if lead.stage == Stage.SHOWROOM:
            _hand_on(lead, turns.next(lead.dealer_id), moves, action=action)
        else:
            _rotate(lead, moves, kind=kind, action=action, exclude={staff.pk})


def _held_by(staff: Staff) -> Any:
    """The open leads ``staff`` holds, row-locked in id order."""
    return (Lead.objects.select_for_update(of=("self",)).select_related("dealer", "customer", "agent", "consultant")
            .filter(Q(stage__in=(Stage.MARKETING, Stage.DCC), agent=staff) | Q(stage=Stage.SHOWROOM, consultant=staff),
                    status__in=OPEN_STATUSES).order_by("pk"))


# --- operations ----------------------------------------------------------------------------------


@transaction.atomic
def lead_reassign(*, actor: Actor, leads: Sequence[Lead | int], to_staff: Staff, note: str) -> list[Lead]:
    """A manager gives one or more leads to one person, with a reason (LEAD-4): a batch of one is
    still a batch. DCC-stage leads (and pooled ones) go to a DCC agent of their dealer; a lead in the
    showroom goes to a sales consultant of its dealer (a handover, LEAD-9) — or, as on the lead page,
    gets another DCC agent. A lead the actor cannot see is not found (nothing changes); any refused
    lead refuses the whole batch. Each lead gets its assignment or handover row and its audit row;
    the new holder is told once."""
    note = clean_note(note)
    ids = _ids(leads)
    locked = list(Lead.objects.visible_to(actor).select_for_update(of=("self",))
                  .select_related("dealer", "customer", "agent", "consultant").filter(pk__in=ids).order_by("pk"))
    if len(locked) != len(ids):
        raise NotFound("not_found")
    agents: dict[int, set[int]] = {}
    consultants: dict[int, set[int]] = {}
    plan: list[tuple[Lead, str]] = []  # (lead, "agent" | "consultant")
    for lead in locked:
        common.require(actor, "leads.reassign", lead)
        if not lead.is_open:
            raise DomainError("lead.batch_closed", field="leads", number=lead.number, status=lead.get_status_display())
        if lead.dealer_id not in agents:
            agents[lead.dealer_id] = {a.pk for a in agents_of(lead.dealer)}
            consultants[lead.dealer_id] = {c.pk for c in consultants_of(lead.dealer)}
        if lead.stage == Stage.SHOWROOM and to_staff.pk in consultants[lead.dealer_id]:
            plan.append((lead, "consultant"))
        elif to_staff.pk in agents[lead.dealer_id]:
            plan.append((lead, "agent"))
        elif to_staff.pk in consultants[lead.dealer_id]:
            raise DomainError("lead.reassign_not_showroom", field="staff", number=lead.number, value=to_staff.name)
        else:
            raise DomainError("lead.not_holder", field="staff", value=to_staff.name, dealer=str(lead.dealer))
    moves = Moves(actor=actor, note=note)
    now = timezone.now()
    for lead, role in plan:
        if role == "consultant":
            if lead.consultant_id != to_staff.pk:
                _hand_on(lead, to_staff, moves, action="lead.reassign")
            continue
        if lead.agent_id == to_staff.pk:
            continue
        before = common.snapshot(lead)
        Assignment.objects.create(lead=lead, staff=to_staff, previous=lead.agent, kind=AssignmentKind.MANUAL,
                                  note=note, by_label=actor.label)
        if lead.stage == Stage.MARKETING:  # out of the pool: a transfer between stages, recorded (LEAD-9)
            Handover.objects.create(lead=lead, from_stage=Stage.MARKETING, to_stage=Stage.DCC, to_staff=to_staff,
                                    note=note, by_label=actor.label)
            lead.stage = Stage.DCC
        lead.agent, lead.assigned_at = to_staff, now
        lead.save()
        common.record(actor, "lead.reassign", lead, before, note=note)
        moves.add(to_staff, lead)
    moves.tell()
    return locked


def leads_release(*, actor: Actor, staff: Staff) -> int:
    """Move the open leads ``staff`` may no longer hold — all of them when their account is
    inactive, else those at a dealer where they no longer have the role of the lead's stage (DCC
    agent, sales consultant) — to colleagues (see the module's rules). Runs inside the staff
    change's transaction, with that change's actor; recorded as a manual reassignment whose
    reason says why. Returns how many leads moved."""
    active = staff.user.is_active
    if active:
        roles = set(RoleGrant.objects.filter(staff=staff, dealer__isnull=False).values_list("role", "dealer_id"))
        keep_dcc = sorted(d for r, d in roles if r == Role.DCC_AGENT)
        keep_showroom = sorted(d for r, d in roles if r == Role.SALES_CONSULTANT)
        leads = _held_by(staff).exclude(Q(stage__in=(Stage.MARKETING, Stage.DCC), dealer_id__in=keep_dcc)
                                        | Q(stage=Stage.SHOWROOM, dealer_id__in=keep_showroom))
        note = gettext("%(name)s no longer has the role that held this lead") % {"name": staff.name}
    else:
        leads = _held_by(staff)
        note = gettext("%(name)s's account was deactivated") % {"name": staff.name}
    moves = Moves(actor=actor, note=note[:MAX_NOTE])
    _release(leads, staff, moves, kind=AssignmentKind.MANUAL, action="lead.reassign", at=timezone.now())
    moves.tell()
    return moves.count


def cover_leaves(*, now: dt.datetime | None = None) -> int:
    """Cover the leaves that have started: the person's open leads move to colleagues for good —
    DCC leads through the agents' rotation, showroom leads to the consultants on duty (or wait for
    the manager when there is none), as when a person leaves (see the module's rules). SPEC LEAD-4
    lets leads of a person on leave "move or be covered"; they move, in both stages, because a
    customer must never wait on someone who is away, and the records (assignment or handover, one
    audit row each) say who had them. Each leave is covered once; each colleague is told once."""
    now = now or timezone.now()
    moved = 0
    started = (LeavePeriod.objects.filter(starts_at__lte=now, ends_at__gt=now)
               .exclude(pk__in=LeaveCoverage.objects.values("leave_id")).select_related("staff"))
    for leave in started:
        with transaction.atomic():
            if LeaveCoverage.objects.select_for_update().filter(leave=leave).exists():
                continue
            moves = Moves(actor=SYSTEM, note=gettext("%(name)s is on leave") % {"name": leave.staff.name})
            _release(_held_by(leave.staff), leave.staff, moves, kind=AssignmentKind.LEAVE, action="lead.cover_leave",
                     at=now)
            moves.tell()
            LeaveCoverage.objects.create(leave=leave, moved=moves.count)
            audit.record(actor=SYSTEM, action="leave.covered", obj=leave, after={"moved": moves.count})
            moved += moves.count
    return moved


__all__ = ["MAX_BATCH", "clean_note", "cover_leaves", "lead_reassign", "leads_release"]
