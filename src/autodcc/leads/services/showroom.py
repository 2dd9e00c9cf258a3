"""Handover DCC → consultant (LEAD-9) and the showroom stages (LEAD-10)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from autodcc.core.actors import Actor
from autodcc.core.errors import DomainError
from autodcc.core.roles import Role
from autodcc.customers.models import CustomerKind
from autodcc.leads.models import TRANSITIONS, CareKind, CareTask, Handover, Lead, Stage, Status
from autodcc.leads.services import common
from autodcc.messaging.models import Event
from autodcc.network.models import Staff

# milestone → the status it moves the lead to (None: the status stays)
SHOWROOM_STEPS: dict[str, str | None] = {
    "presented": None,
    "test_driven": None,
    "negotiated": Status.NEGOTIATING,
    "ordered": Status.ORDERED,
    "delivered": Status.DELIVERED,
}


def consultants_of(dealer: object) -> list[Staff]:
    return list(Staff.objects.filter(grants__dealer=dealer, grants__role=Role.SALES_CONSULTANT, user__is_active=True)
                .distinct().order_by("name"))


@transaction.atomic
def lead_handover(*, actor: Actor, lead: Lead, to_staff: Staff, note: str = "") -> Handover:
    """DCC hands the lead to a sales consultant (or one consultant to another): an explicit,
    recorded act; the lead keeps who held it in each stage and when."""
    lead = common.lock(lead, actor)
    common.require(actor, "leads.handover" if lead.stage != Stage.SHOWROOM else "leads.reassign", lead)
    common.require_workable(lead)
    if to_staff.pk not in {c.pk for c in consultants_of(lead.dealer)}:
        raise DomainError("lead.not_consultant", field="consultant", value=to_staff.name)
    last = lead.handovers.filter(to_stage=Stage.SHOWROOM).last()
    if lead.consultant_id == to_staff.pk and last is not None:
        return last
    before = common.snapshot(lead)
    from_staff = lead.consultant if lead.stage == Stage.SHOWROOM else lead.agent
    handover = Handover.objects.create(lead=lead, from_stage=lead.stage, to_stage=Stage.SHOWROOM,
                                       from_staff=from_staff, to_staff=to_staff, note=note.strip(),
                                       by_label=actor.label)
    lead.consultant, lead.stage = to_staff, Stage.SHOWROOM
    lead.save()
    common.record(actor, "lead.handover", lead, before, note=note.strip(),
                  extra={"handover": {"from": getattr(from_staff, "pk", None), "to": to_staff.pk}})
    common.tell_staff(to_staff, Event.LEAD_HANDOVER, lead, by=actor.label, time=handover.at, note=note.strip())
    return handover


@transaction.atomic
def lead_record_step(*, actor: Actor, lead: Lead, step: str, note: str = "") -> Lead:
    """Stamp a showroom step (presentation, test drive, negotiation, order, delivery) with its
    time and person. Doing a step twice keeps the first stamp."""
    if step not in SHOWROOM_STEPS:
        raise DomainError("lead.milestone_unknown", field="step", value=step)
    lead = common.lock(lead, actor)
    common.require(actor, "leads.showroom", lead)
    if step == "delivered" and lead.status == Status.DELIVERED:
        return lead
    common.require_workable(lead)
    if lead.arrived_at is None:
        raise DomainError("lead.not_arrived", field="step")
    if step == "delivered" and lead.ordered_at is None:
        raise DomainError("lead.not_ordered", field="step")
    if step in ("ordered", "delivered") and lead.consultant_id is None:
        raise DomainError("lead.no_consultant", field="step")
    if step in ORDER_STEPS.values() and step != "arrived":
        from autodcc.orders.services.milestones import order_under_way

        number = order_under_way(lead)
        if number:  # one record: the contract and the delivery are the deposit order's, the lead follows
            raise DomainError("lead.step_on_order", field="step", number=number)
    return _apply_step(actor, lead, step, note)


def _apply_step(actor: Actor, lead: Lead, step: str, note: str, *, extra: dict | None = None,
                strict: bool = True) -> Lead:
    """Stamp ``step`` on the locked lead, move it where the step leads (``strict``: a move the
    transition table refuses is an error, else the lead keeps its status), plan the care calls
    after a delivery; audited. A stamp already there changes nothing."""
    before = common.snapshot(lead)
    staff = common.staff_of(actor)
    now = timezone.now()
    changed = common.stamp(lead, step, staff, now)
    target = SHOWROOM_STEPS.get(step)
    if (target is not None and lead.is_open and lead.status != Status.DEFEAT_PENDING
            and (strict or target in TRANSITIONS[lead.status])):
        changed = common.move(lead, target) or changed
    if not changed:
        return lead
    if step == "delivered" and lead.status == Status.DELIVERED:
        lead.next_follow_up_on = None
        _plan_care(lead)
        customer = lead.customer
        customer.kind = CustomerKind.MEMBER
        customer.save(update_fields=["kind", "updated_at"])
    elif lead.next_follow_up_on is None or lead.next_follow_up_on < common.today():
        lead.next_follow_up_on = common.today() + dt.timedelta(days=1)
    lead.save()
    common.record(actor, f"lead.{step}", lead, before, note=note.strip(),
                  extra={f"{step}_at": now.isoformat(), f"{step}_by": getattr(staff, "pk", None), **(extra or {})})
    return lead


# the deposit order's milestones are the lead's: recorded once, on the order, seen in both places
ORDER_STEPS = {"visited": "arrived", "contracted": "ordered", "delivered": "delivered"}


def order_milestone(*, actor: Actor, lead_id: int, dealer_id: int, step: str, order_number: str) -> None:
    """The dealer recorded a deposit order's store visit, contract or delivery: the lead gets the
    same milestone (arrival, order, delivery) with the same time and person, in the same
    transaction. A contract implies the visit. A lead that cannot move there (closed, or waiting
    for a defeat decision) keeps its status and gets the stamp."""
    milestone = ORDER_STEPS[step]
    lead = (Lead.objects.select_for_update(of=("self",)).select_related("dealer", "customer")
            .filter(pk=lead_id, dealer_id=dealer_id).first())
    if lead is None:
        return  # the lead was re-allocated to another dealer: this dealer's order is not its story
    note = gettext("Deposit order %(number)s") % {"number": order_number}
    extra = {"order": order_number}
    if milestone in ("arrived", "ordered") and lead.arrived_at is None:
        from autodcc.leads.services.followup import arrive

        arrive(actor, lead, note, extra=extra)
    if milestone != "arrived":
        _apply_step(actor, lead, milestone, note, extra=extra, strict=False)


def _plan_care(lead: Lead) -> None:
    days = common.settings_for(lead.dealer).post_delivery_days
    for day in sorted(set(int(d) for d in days)):
        CareTask.objects.create(lead=lead, kind=CareKind.POST_DELIVERY, label=f"D+{day}",
                                due_on=common.today() + dt.timedelta(days=day), assignee=lead.consultant)


@transaction.atomic
def care_task_done(*, actor: Actor, task: CareTask, note: str = "") -> CareTask:
    lead = common.lock(task.lead_id, actor)
    common.require(actor, "leads.work", lead)
    task = CareTask.objects.select_for_update().get(pk=task.pk, lead=lead)
    if task.done_at is not None:
        return task
    task.done_at, task.done_by, task.note = timezone.now(), common.staff_of(actor), note.strip()
    task.save()
    common.record(actor, "lead.care_done", lead, common.snapshot(lead), note=note.strip(),
                  extra={"care_task": {"id": task.pk, "label": task.label}})
    return task
