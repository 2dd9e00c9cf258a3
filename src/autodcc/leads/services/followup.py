"""Follow-up (LEAD-6, 7), invitation and arrival (LEAD-8)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from autodcc.core import workhours
from autodcc.core.actors import Actor
from autodcc.core.errors import DomainError
from autodcc.leads import rules
from autodcc.leads.models import (
    TRANSITIONS,
    Appointment,
    AppointmentStatus,
    Contact,
    ContactKind,
    ContactResult,
    Grade,
    Lead,
    Status,
)
from autodcc.leads.services import common
from autodcc.messaging.models import Event

ACTIVE_APPOINTMENT = (AppointmentStatus.SCHEDULED, AppointmentStatus.CONFIRMED)


@transaction.atomic
def lead_follow_up(
    *,
    actor: Actor,
    lead: Lead,
    kind: str,
    result: str,
    note: str = "",
    recording_ref: str = "",
    grade: str | None = None,
    expected_purchase_on: dt.date | None = None,
    expected_visit_on: dt.date | None = None,
    next_follow_up_on: dt.date | None = None,
) -> Contact:
    """Record a contact and, with it, the grade and dates; the grade sets the next follow-up
    unless a date is given. The first contact answers the first-response SLA."""
    lead = common.lock(lead, actor)
    common.require(actor, "leads.work", lead)
    common.require_open(lead)
    if kind not in ContactKind.values:
        raise DomainError("lead.value_unknown", field="kind", label=_("contact"), value=kind)
    if result not in ContactResult.values:
        raise DomainError("lead.value_unknown", field="result", label=_("result"), value=result)
    if grade is not None and grade not in Grade.values:
        raise DomainError("lead.grade_unknown", field="grade", value=grade)
    common.check_future_date(expected_purchase_on, _("Expected purchase"), field="expected_purchase_on", max_days=730)
    common.check_future_date(expected_visit_on, _("Expected visit"), field="expected_visit_on", max_days=366)
    common.check_future_date(next_follow_up_on, _("Next follow-up"), field="next_follow_up_on", max_days=366)
    before = common.snapshot(lead)
    staff = common.staff_of(actor)
    now = timezone.now()
    contact = Contact.objects.create(lead=lead, kind=kind, result=result, note=note.strip(),
                                     recording_ref=recording_ref.strip()[:200], by=staff, at=now)
    if lead.first_response_at is None:
        lead.first_response_at = now
        lead.first_response_minutes = workhours.open_minutes_between(lead.created_at, now,
                                                                     workhours.OpeningHours.of(lead.dealer))
    common.stamp(lead, "contacted", staff, now)
    if lead.status == Status.NEW:
        common.move(lead, Status.FOLLOWING)
    settings = common.settings_for(lead.dealer)
    if grade is not None:
        lead.grade = grade
    if expected_purchase_on is not None:
        lead.expected_purchase_on = expected_purchase_on
    if expected_visit_on is not None:
        lead.expected_visit_on = expected_visit_on
    lead.next_follow_up_on = next_follow_up_on or rules.next_follow_up(lead.grade, common.today(),
                                                                       settings.grade_intervals)
    lead.save()
    from autodcc.campaigns.outreach import close_call_tasks

    closed = close_call_tasks(lead, staff, f"{ContactResult(result).label}{'：' + note.strip() if note.strip() else ''}")
    common.record(actor, "lead.follow_up", lead, before, note=note.strip(),
                  extra={"contact": {"kind": kind, "result": result, "recording_ref": recording_ref},
                         **({"campaign_calls_done": closed} if closed else {})})
    return contact


def _check_visit_time(lead: Lead, when: dt.datetime) -> None:
    dealer = lead.dealer
    local = timezone.localtime(when)
    if when <= timezone.now():
        raise DomainError("appointment.past", field="scheduled_at")
    if not workhours.is_open_day(local.date(), dealer.open_weekdays):
        raise DomainError("appointment.closed_day", field="scheduled_at", value=local.strftime("%Y-%m-%d"))
    if not (dealer.opens_at <= local.time() < dealer.closes_at):
        raise DomainError("appointment.outside_hours", field="scheduled_at", value=local.strftime("%H:%M"),
                          opens=dealer.opens_at.strftime("%H:%M"), closes=dealer.closes_at.strftime("%H:%M"))


def confirm_day(visit_day: dt.date, weekdays: str) -> dt.date:
    """The confirmation call falls on the open day before the visit, never before today."""
    return max(common.today(), workhours.previous_open_day(visit_day, weekdays))


@transaction.atomic
def lead_invite(*, actor: Actor, lead: Lead, scheduled_at: dt.datetime, purpose: str = "", note: str = "") -> Appointment:
    """Invite the customer to the store (邀约): one active appointment per lead; inviting again
    for the same time changes nothing, another time reschedules."""
    lead = common.lock(lead, actor)
    common.require(actor, "leads.work", lead)
    common.require_workable(lead)
    current = lead.appointments.filter(status__in=ACTIVE_APPOINTMENT).first()
    if current is not None and current.scheduled_at == scheduled_at:
        return current
    _refuse_if_booked(current)
    _check_visit_time(lead, scheduled_at)
    before = common.snapshot(lead)
    staff = common.staff_of(actor)
    if current is not None:
        current.status, current.note = AppointmentStatus.CANCELLED, (current.note + " " + gettext("rescheduled")).strip()
        current.save(update_fields=["status", "note"])
    visit_day = timezone.localtime(scheduled_at).date()
    appointment = Appointment.objects.create(lead=lead, scheduled_at=scheduled_at, purpose=purpose.strip()[:80],
                                             note=note.strip()[:200],
                                             confirm_on=confirm_day(visit_day, lead.dealer.open_weekdays),
                                             created_by=staff)
    if lead.status in (Status.NEW, Status.FOLLOWING, Status.ARRIVED):
        common.move(lead, Status.INVITED)
    common.stamp(lead, "invited", staff)
    lead.expected_visit_on = visit_day
    lead.next_follow_up_on = appointment.confirm_on
    lead.save()
    common.record(actor, "lead.invite", lead, before, note=note.strip(),
                  extra={"appointment": {"id": appointment.pk, "at": scheduled_at.isoformat()}})
    _send_visit_confirmation(lead, appointment)
    return appointment


def visit_booked(*, actor: Actor, lead: Lead, scheduled_at: dt.datetime, purpose: str, reference: str) -> Appointment:
    """A test drive booked (by the customer online, or by staff for them): the visit becomes the
    lead's appointment once, so the agent confirms it the day before and reception finds it among
    the day's arrivals. The booking sent its own confirmation; no second message. An earlier appointment at another time
    gives way to the customer's own choice. A lead not yet called stays "not yet contacted"."""
    lead = (Lead.objects.select_for_update(of=("self",)).select_related("dealer", "customer").get(pk=lead.pk))
    current = lead.appointments.filter(status__in=ACTIVE_APPOINTMENT).first()
    if current is not None and current.scheduled_at == scheduled_at:
        return current
    before = common.snapshot(lead)
    from autodcc.testdrives.models import Booking

    if current is not None and not Booking.objects.filter(appointment=current).exists():
        current.status = AppointmentStatus.CANCELLED
        current.note = (current.note + " " + gettext("replaced by the test drive %(number)s")
                        % {"number": reference}).strip()[:200]
        current.save(update_fields=["status", "note"])
    visit_day = timezone.localtime(scheduled_at).date()
    staff = common.staff_of(actor)  # the customer online: nobody; staff booking on the phone: them
    appointment = Appointment.objects.create(lead=lead, scheduled_at=scheduled_at, purpose=purpose[:80],
                                             note=reference, confirm_on=confirm_day(visit_day, lead.dealer.open_weekdays),
                                             created_by=staff)
    if lead.status in (Status.FOLLOWING, Status.ARRIVED):
        common.move(lead, Status.INVITED)
    if lead.is_open and lead.status != Status.DEFEAT_PENDING:
        common.stamp(lead, "invited", staff)
        lead.expected_visit_on = visit_day
        if lead.next_follow_up_on is None or lead.next_follow_up_on > appointment.confirm_on:
            lead.next_follow_up_on = appointment.confirm_on
    lead.save()
    common.record(actor, "appointment.booked", lead, before, note=reference,
                  extra={"appointment": {"id": appointment.pk, "at": scheduled_at.isoformat()}})
    return appointment


def visit_cancelled(*, actor: Actor, appointment_id: int, reference: str) -> None:
    """The customer cancelled the visit they booked online: its appointment is off and an invited
    lead goes back to follow-up."""
    lead_id = Appointment.objects.filter(pk=appointment_id).values_list("lead_id", flat=True).first()
    if lead_id is None:
        return
    lead = Lead.objects.select_for_update(of=("self",)).select_related("dealer").get(pk=lead_id)
    before = common.snapshot(lead)
    if not Appointment.objects.filter(pk=appointment_id, status__in=ACTIVE_APPOINTMENT).update(
            status=AppointmentStatus.CANCELLED):
        return  # arrived (or already off) meanwhile: the arrival stands
    if lead.status == Status.INVITED and not lead.appointments.filter(status__in=ACTIVE_APPOINTMENT).exists():
        common.move(lead, Status.FOLLOWING)
        lead.save()
    common.record(actor, "appointment.cancelled", lead, before, note=reference, extra={"appointment": appointment_id})


def _refuse_if_booked(appointment: Appointment | None) -> None:
    """A test-drive booking's visit moves or ends with the booking (its car and slot, its reminder)."""
    from autodcc.testdrives.models import Booking

    if appointment is not None and Booking.objects.filter(appointment=appointment).exists():
        raise DomainError("appointment.is_booking", number=Booking.objects.get(appointment=appointment).number)


def _send_visit_confirmation(lead: Lead, appointment: Appointment) -> None:
    from autodcc.messaging.services import message_send

    holder = lead.holder
    message_send(event=Event.VISIT_CONFIRMATION, to_phone=lead.customer.phone, dealer=lead.dealer, related=lead,
                 context={"name": lead.customer.name, "dealer": str(lead.dealer), "address": lead.dealer.address or "—",
                          "time": appointment.scheduled_at,
                          "consultant": holder.name if holder else "—"})


@transaction.atomic
def appointment_confirm(*, actor: Actor, appointment: Appointment, outcome: str, note: str = "",
                        new_time: dt.datetime | None = None) -> Appointment:
    """The day-before call (进店前一日确认): confirmed, rescheduled or cancelled."""
    lead = common.lock(appointment.lead_id, actor)
    common.require(actor, "leads.work", lead)
    appointment = Appointment.objects.select_for_update().get(pk=appointment.pk, lead=lead)
    if outcome == AppointmentStatus.CONFIRMED and appointment.status == AppointmentStatus.CONFIRMED:
        return appointment
    if appointment.status not in ACTIVE_APPOINTMENT:
        raise DomainError("appointment.not_open", status=appointment.get_status_display())
    staff = common.staff_of(actor)
    if outcome in ("reschedule", AppointmentStatus.CANCELLED):
        _refuse_if_booked(appointment)
    if outcome == "reschedule":
        if new_time is None:
            raise DomainError("required", field="new_time", label=_("New visit time"))
        return lead_invite(actor=actor, lead=lead, scheduled_at=new_time, purpose=appointment.purpose, note=note)
    before = common.snapshot(lead)
    if outcome == AppointmentStatus.CONFIRMED:
        appointment.status, appointment.confirmed_at, appointment.confirmed_by = outcome, timezone.now(), staff
        lead.next_follow_up_on = timezone.localtime(appointment.scheduled_at).date()
    elif outcome == AppointmentStatus.CANCELLED:
        appointment.status = outcome
        if lead.status == Status.INVITED:
            common.move(lead, Status.FOLLOWING)
        lead.next_follow_up_on = rules.next_follow_up(lead.grade, common.today(),
                                                      common.settings_for(lead.dealer).grade_intervals)
    else:
        raise DomainError("lead.value_unknown", field="outcome", label=_("outcome"), value=outcome)
    appointment.note = (appointment.note + " " + note.strip()).strip()[:200]
    appointment.save()
    lead.save()
    common.record(actor, f"appointment.{outcome}", lead, before, note=note.strip(),
                  extra={"appointment": appointment.pk})
    return appointment


@transaction.atomic
def lead_register_arrival(*, actor: Actor, lead: Lead, note: str = "") -> Lead:
    """Reception registers the customer in the showroom (with or without an appointment)."""
    lead = common.lock(lead, actor)
    common.require(actor, "leads.work", lead)
    common.require_workable(lead)
    if lead.status in (Status.ARRIVED, Status.NEGOTIATING, Status.ORDERED):
        return lead  # already in the showroom: a double click changes nothing
    return arrive(actor, lead, note)


def arrive(actor: Actor, lead: Lead, note: str, *, extra: dict | None = None) -> Lead:
    """The arrival on the locked lead: its appointment is kept, the lead is in the showroom."""
    before = common.snapshot(lead)
    staff = common.staff_of(actor)
    now = timezone.now()
    appointment = lead.appointments.filter(status__in=ACTIVE_APPOINTMENT).order_by("scheduled_at").first()
    if appointment is not None:
        appointment.status, appointment.arrived_at = AppointmentStatus.ARRIVED, now
        appointment.save(update_fields=["status", "arrived_at"])
    if lead.is_open and lead.status != Status.DEFEAT_PENDING and Status.ARRIVED in TRANSITIONS[lead.status]:
        common.move(lead, Status.ARRIVED)
    common.stamp(lead, "arrived", staff, now)
    lead.next_follow_up_on = common.today() + dt.timedelta(days=1)
    lead.save()
    common.record(actor, "lead.arrive", lead, before, note=note.strip(),
                  extra={"appointment": appointment.pk if appointment else None, **(extra or {})})
    return lead


@transaction.atomic
def lead_set_grade(*, actor: Actor, lead: Lead, grade: str, expected_purchase_on: dt.date | None = None) -> Lead:
    lead = common.lock(lead, actor)
    common.require(actor, "leads.work", lead)
    common.require_open(lead)
    if grade not in Grade.values:
        raise DomainError("lead.grade_unknown", field="grade", value=grade)
    common.check_future_date(expected_purchase_on, _("Expected purchase"), field="expected_purchase_on", max_days=730)
    before = common.snapshot(lead)
    lead.grade = grade
    if expected_purchase_on:
        lead.expected_purchase_on = expected_purchase_on
    lead.next_follow_up_on = rules.next_follow_up(grade, common.today(), common.settings_for(lead.dealer).grade_intervals)
    lead.save()
    common.record(actor, "lead.grade", lead, before)
    return lead
