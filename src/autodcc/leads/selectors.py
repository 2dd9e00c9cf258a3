"""Reads of leads: lists, the timeline, the work list, approvals, arrivals."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Max, Q, QuerySet
from django.utils import timezone

from autodcc.core import phone as phones
from autodcc.core.actors import Actor
from autodcc.core.models import AuditLog
from autodcc.core.roles import DEALER_MANAGERS, Role
from autodcc.leads.models import (
    OPEN_STATUSES,
    Appointment,
    AppointmentStatus,
    CareTask,
    Contact,
    DefeatRequest,
    DefeatStatus,
    Lead,
    RevisitTarget,
    Stage,
    Status,
)


def lead_list(*, actor: Actor, filters: dict[str, Any] | None = None) -> QuerySet[Lead]:
    qs = Lead.objects.visible_to(actor).select_related("dealer", "customer", "agent", "consultant")
    return lead_filter(qs, filters or {})


def lead_filter(qs: QuerySet[Lead], f: dict[str, Any]) -> QuerySet[Lead]:
    """The list filters, applied to leads the caller may already see."""
    if f.get("q"):
        q = str(f["q"]).strip()
        match = Q(customer__name__icontains=q) | Q(source_ref__iexact=q) | Q(model_interest__icontains=q)
        digits = "".join(ch for ch in q if ch.isdigit())
        if len(digits) == 11:
            try:
                match |= Q(customer__phone=phones.normalize_mobile(digits))
            except Exception:
                pass
        elif len(digits) == 4 and digits == q:
            match |= Q(customer__phone__endswith=digits)
        if q.upper().startswith("L") and q[1:].isdigit():
            match |= Q(pk=int(q[1:]))
        qs = qs.filter(match)
    for key in ("status", "grade", "channel", "stage"):
        if f.get(key):
            qs = qs.filter(**{key: f[key]})
    if f.get("open") is True:
        qs = qs.filter(status__in=OPEN_STATUSES)
    if f.get("dealer"):
        qs = qs.filter(dealer=f["dealer"])
    if f.get("agent"):
        qs = qs.filter(agent=f["agent"])
    if f.get("consultant"):
        qs = qs.filter(consultant=f["consultant"])
    if f.get("created_from"):
        qs = qs.filter(created_at__date__gte=f["created_from"])
    if f.get("created_to"):
        qs = qs.filter(created_at__date__lte=f["created_to"])
    if f.get("overdue") is True:
        qs = qs.filter(status__in=OPEN_STATUSES, next_follow_up_on__lt=timezone.localdate())
    return qs.order_by("-created_at", "-id")


@dataclass
class TimelineEntry:
    at: dt.datetime
    kind: str
    title: str
    by: str = ""
    detail: str = ""
    data: dict[str, Any] = field(default_factory=dict)


def timeline(lead: Lead) -> list[TimelineEntry]:
    """Everything that happened to the lead, oldest first, from the audit trail and its rows."""
    entries: list[TimelineEntry] = []
    for row in AuditLog.objects.filter(object_type="leads.lead", object_id=str(lead.pk)).order_by("created_at", "id"):
        entries.append(TimelineEntry(row.created_at, "audit", row.action, row.actor_label, row.note,
                                     {"changes": row.changes}))
    for c in Contact.objects.filter(lead=lead).select_related("by"):
        entries.append(TimelineEntry(c.at, "contact", c.get_kind_display(), c.by.name if c.by else "",
                                     c.note, {"result": c.get_result_display(), "recording": c.recording_ref}))
    for h in lead.handovers.select_related("from_staff", "to_staff"):
        entries.append(TimelineEntry(h.at, "handover", f"{h.get_from_stage_display()} → {h.get_to_stage_display()}",
                                     h.by_label, h.note, {"from": getattr(h.from_staff, "name", ""),
                                                          "to": getattr(h.to_staff, "name", "")}))
    # rows written in the same second by one operation: the audited act first, its details after
    entries.sort(key=lambda e: (e.at.replace(microsecond=0), e.kind != "audit", e.at))
    return entries


def holder_q(staff_id: int | None) -> Q:
    """Leads the person holds now: as DCC agent before the showroom, as consultant after."""
    return (Q(stage__in=(Stage.MARKETING, Stage.DCC), agent_id=staff_id)
            | Q(stage=Stage.SHOWROOM, consultant_id=staff_id))


@dataclass
class WorkList:
    today: dt.date
    new_leads: list[Lead]
    due: list[Lead]
    overdue: list[Lead]
    confirmations: list[Appointment]
    appointments_today: list[Appointment]
    care_due: list[CareTask]
    approvals: list[DefeatRequest]
    sla_overdue: list[Lead]
    waiting_pool: list[Lead]
    target: int | None
    done_today: int
    handed_to_me: list[Lead] = field(default_factory=list)
    # showroom leads whose consultant left or went on leave with no colleague to take them
    waiting_consultant: list[Lead] = field(default_factory=list)

    @property
    def total(self) -> int:
        return (len(self.new_leads) + len(self.due) + len(self.overdue) + len(self.confirmations)
                + len(self.care_due) + len(self.approvals) + len(self.sla_overdue) + len(self.handed_to_me))

    def leads(self) -> list[Lead]:
        """Every lead the lists show (for badges fetched in one go)."""
        return [*self.new_leads, *self.due, *self.overdue, *self.sla_overdue, *self.waiting_pool, *self.handed_to_me,
                *self.waiting_consultant,
                *(a.lead for a in self.confirmations), *(a.lead for a in self.appointments_today),
                *(t.lead for t in self.care_due), *(d.lead for d in self.approvals)]


def work_list(*, actor: Actor, now: dt.datetime | None = None, limit: int = 100) -> WorkList:
    """The person's day: their new leads, due and overdue follow-ups, day-before confirmations,
    today's visits, post-delivery and revisit calls; for managers the approvals waiting; for
    supervisors the leads past their first-response time and those waiting for an agent."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    leads = Lead.objects.visible_to(actor).select_related("customer", "dealer", "agent", "consultant")
    mine = leads.filter(holder_q(actor.staff_id), status__in=OPEN_STATUSES)
    supervises = actor.has_role(Role.DCC_SUPERVISOR, *DEALER_MANAGERS)
    appointments = (Appointment.objects.visible_to(actor).select_related("lead__customer", "lead__agent",
                                                                         "lead__consultant")
                    .filter(status__in=(AppointmentStatus.SCHEDULED, AppointmentStatus.CONFIRMED)))
    my_appointments = appointments.filter(
        Q(lead__stage__in=(Stage.MARKETING, Stage.DCC), lead__agent_id=actor.staff_id)
        | Q(lead__stage=Stage.SHOWROOM, lead__consultant_id=actor.staff_id))
    day_start = timezone.make_aware(dt.datetime.combine(today, dt.time.min))
    day_end = day_start + dt.timedelta(days=1)
    todays = appointments.filter(scheduled_at__gte=day_start, scheduled_at__lt=day_end)
    target = None
    if actor.staff_id and actor.dealer_ids:
        found = RevisitTarget.objects.filter(staff_id=actor.staff_id).first()
        target = found.per_day if found else None
    return WorkList(
        today=today,
        new_leads=list(mine.filter(status=Status.NEW).order_by("first_response_due_at")[:limit]),
        due=list(mine.exclude(status=Status.NEW).filter(next_follow_up_on=today).order_by("grade")[:limit]),
        overdue=list(mine.filter(next_follow_up_on__lt=today).order_by("next_follow_up_on")[:limit]),
        confirmations=list(my_appointments.filter(status=AppointmentStatus.SCHEDULED, confirm_on__lte=today)
                           .order_by("scheduled_at")[:limit]),
        appointments_today=list((todays if supervises else todays.filter(pk__in=my_appointments.values("pk")))
                                .order_by("scheduled_at")[:limit]),
        care_due=list(CareTask.objects.visible_to(actor).select_related("lead__customer")
                      .filter(assignee_id=actor.staff_id, done_at__isnull=True, due_on__lte=today)[:limit]),
        approvals=list(DefeatRequest.objects.visible_to(actor).select_related("lead__customer", "requested_by")
                       .filter(status=DefeatStatus.PENDING)[:limit]) if actor.can("leads.approve_defeat") else [],
        sla_overdue=list(leads.filter(status__in=OPEN_STATUSES, first_response_at__isnull=True,
                                      first_response_due_at__lt=now).order_by("first_response_due_at")[:limit])
        if supervises else [],
        waiting_pool=list(leads.filter(status__in=OPEN_STATUSES, agent__isnull=True)
                          .exclude(stage=Stage.SHOWROOM)[:limit]) if supervises else [],
        waiting_consultant=list(leads.filter(status__in=OPEN_STATUSES, stage=Stage.SHOWROOM, consultant__isnull=True)
                                [:limit]) if supervises else [],
        target=target,
        done_today=Contact.objects.filter(by_id=actor.staff_id, at__gte=day_start, at__lt=day_end).count()
        if actor.staff_id else 0,
        # 新移交给我: handed to this consultant and not yet worked on in the showroom
        handed_to_me=list(mine.filter(stage=Stage.SHOWROOM, consultant_id=actor.staff_id, presented_at__isnull=True,
                                      test_driven_at__isnull=True, negotiated_at__isnull=True, ordered_at__isnull=True)
                          .annotate(handed_at=Max("handovers__at")).order_by("-handed_at")[:limit])
        if actor.staff_id else [],
    )


def approvals(*, actor: Actor) -> QuerySet[DefeatRequest]:
    return (DefeatRequest.objects.visible_to(actor).select_related("lead__customer", "lead__dealer", "requested_by")
            .filter(status=DefeatStatus.PENDING).order_by("requested_at"))


def arrivals_on(*, actor: Actor, day: dt.date) -> QuerySet[Appointment]:
    """每日预计进店: the day's expected arrivals of the actor's dealers."""
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    return (Appointment.objects.visible_to(actor).select_related("lead__customer", "lead__agent", "lead__consultant")
            .filter(scheduled_at__gte=start, scheduled_at__lt=start + dt.timedelta(days=1))
            .exclude(status=AppointmentStatus.CANCELLED).order_by("scheduled_at"))


def sees_lead(actor: Actor, lead_id: int) -> bool:
    """Whether the actor may open the lead (a consultant: only the leads handed to them)."""
    return Lead.objects.visible_to(actor).filter(pk=lead_id).exists()
