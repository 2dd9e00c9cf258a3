"""LEAD-5..11 at the service level, with an audit row asserted for every step."""

import datetime as dt

import pytest
from django.utils import timezone

from autodcc.core import workhours
from autodcc.core.actors import SYSTEM
from autodcc.core.errors import DomainError, Forbidden
from autodcc.core.models import AuditLog
from autodcc.customers.models import CustomerKind
from autodcc.leads import services as s
from autodcc.leads.models import (
    AppointmentStatus,
    CareTask,
    ContactKind,
    ContactResult,
    DefeatKind,
    DefeatReason,
    Grade,
    Lead,
    Stage,
    Status,
)
from autodcc.leads.services.sweeps import escalate_overdue, mark_no_shows
from autodcc.messaging.models import Event, Message


def visit_time(days_ahead=3, hour=10):
    day = timezone.localdate() + dt.timedelta(days=days_ahead)
    while not workhours.is_open_day(day, "1234567"):
        day += dt.timedelta(days=1)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def actions(lead):
    return list(AuditLog.objects.filter(object_type="leads.lead", object_id=str(lead.pk)).order_by("id")
                .values_list("action", flat=True))


def test_one_lead_from_capture_to_delivery(net, enquiry):
    agent, consultant, manager = net.a_agent.actor, net.a_consultant.actor, net.a_manager.actor
    lead = s.lead_capture(actor=SYSTEM, data=enquiry(dealer="SH-001")).lead
    s.lead_follow_up(actor=agent, lead=lead, kind=ContactKind.CALL_OUT, result=ContactResult.REACHED, note="想周末看车",
                     grade=Grade.A, expected_purchase_on=timezone.localdate() + dt.timedelta(days=10))
    lead.refresh_from_db()
    assert lead.status == Status.FOLLOWING and lead.first_response_at and lead.first_response_minutes is not None
    assert lead.next_follow_up_on == timezone.localdate() + dt.timedelta(days=3)  # grade A: every 3 days
    when = visit_time()
    appointment = s.lead_invite(actor=agent, lead=lead, scheduled_at=when, purpose="试驾")
    assert s.lead_invite(actor=agent, lead=lead, scheduled_at=when).pk == appointment.pk  # double click
    assert Message.objects.filter(event=Event.VISIT_CONFIRMATION, recipient_phone=lead.customer.phone).count() == 1
    assert appointment.confirm_on < when.date() or appointment.confirm_on == timezone.localdate()
    s.appointment_confirm(actor=agent, appointment=appointment, outcome=AppointmentStatus.CONFIRMED)
    s.lead_register_arrival(actor=agent, lead=lead)
    s.lead_register_arrival(actor=agent, lead=lead)  # a double click changes nothing
    handover = s.lead_handover(actor=agent, lead=lead, to_staff=net.a_consultant.staff, note="A级，关注续航")
    assert (handover.from_staff, handover.to_staff) == (net.a_agent.staff, net.a_consultant.staff)
    for step in ("presented", "test_driven", "negotiated", "ordered", "delivered"):
        s.lead_record_step(actor=consultant, lead=lead, step=step)
    lead = Lead.objects.get(pk=lead.pk)
    assert lead.status == Status.DELIVERED and lead.stage == Stage.SHOWROOM and lead.next_follow_up_on is None
    for milestone in ("contacted", "invited", "arrived", "presented", "test_driven", "negotiated", "ordered",
                      "delivered"):
        assert getattr(lead, f"{milestone}_at") is not None, milestone
    assert lead.contacted_by == net.a_agent.staff and lead.delivered_by == net.a_consultant.staff
    assert lead.customer.kind == CustomerKind.MEMBER
    assert list(CareTask.objects.filter(lead=lead).values_list("label", flat=True)) == ["D+1", "D+7", "D+30"]
    assert actions(lead) == ["lead.capture", "lead.follow_up", "lead.invite", "appointment.confirmed", "lead.arrive",
                             "lead.handover", "lead.presented", "lead.test_driven", "lead.negotiated", "lead.ordered",
                             "lead.delivered"]
    with pytest.raises(DomainError):
        s.lead_follow_up(actor=agent, lead=lead, kind=ContactKind.CALL_OUT, result=ContactResult.REACHED)
    assert manager.can("leads.view", dealer=net.dealer_a)


def test_steps_out_of_order_are_refused(net, enquiry):
    lead = s.lead_capture(actor=SYSTEM, data=enquiry(dealer="SH-001")).lead
    with pytest.raises(DomainError) as exc:
        s.lead_record_step(actor=net.a_manager.actor, lead=lead, step="ordered")
    assert exc.value.code == "lead.not_arrived"
    s.lead_register_arrival(actor=net.a_agent.actor, lead=lead)
    with pytest.raises(DomainError) as exc:
        s.lead_record_step(actor=net.a_manager.actor, lead=lead, step="delivered")
    assert exc.value.code == "lead.not_ordered"
    with pytest.raises(Forbidden):  # DCC agents do not run the showroom steps
        s.lead_record_step(actor=net.a_agent.actor, lead=lead, step="presented")


def test_defeat_rejected_then_approved_with_a_revisit(net, enquiry):
    agent, manager = net.a_agent.actor, net.a_manager.actor
    lead = s.lead_capture(actor=SYSTEM, data=enquiry(dealer="SH-001")).lead
    s.lead_follow_up(actor=agent, lead=lead, kind=ContactKind.CALL_OUT, result=ContactResult.REACHED, grade=Grade.B)
    with pytest.raises(DomainError):  # bought a competitor: which one?
        s.lead_request_defeat(actor=agent, lead=lead, kind=DefeatKind.DEFEAT, reason=DefeatReason.COMPETITOR)
    with pytest.raises(DomainError):  # an invalid-lead reason is not a defeat reason
        s.lead_request_defeat(actor=agent, lead=lead, kind=DefeatKind.DEFEAT, reason=DefeatReason.INVALID_NUMBER)
    first = s.lead_request_defeat(actor=agent, lead=lead, kind=DefeatKind.DEFEAT, reason=DefeatReason.PRICE,
                                  note="嫌贵")
    assert Lead.objects.get(pk=lead.pk).status == Status.DEFEAT_PENDING
    with pytest.raises(Forbidden):
        s.defeat_approve(actor=agent, request=first)
    with pytest.raises(DomainError):
        s.defeat_reject(actor=manager, request=first, note="")
    s.defeat_reject(actor=manager, request=first, note="价格可以再谈，请继续跟进")
    lead.refresh_from_db()
    assert lead.status == Status.FOLLOWING and lead.next_follow_up_on == timezone.localdate()
    s.lead_follow_up(actor=agent, lead=lead, kind=ContactKind.CALL_OUT, result=ContactResult.REACHED, note="已买别家")
    second = s.lead_request_defeat(actor=agent, lead=lead, kind=DefeatKind.DEFEAT, reason=DefeatReason.COMPETITOR,
                                   competitor_brand="比亚迪", competitor_model="汉")
    revisit = timezone.localdate() + dt.timedelta(days=180)
    s.defeat_approve(actor=manager, request=second, revisit_on=revisit, note="半年后回访")
    lead.refresh_from_db()
    assert lead.status == Status.DEFEATED and lead.defeated_by == net.a_manager.staff and lead.next_follow_up_on is None
    assert CareTask.objects.get(lead=lead).due_on == revisit
    assert actions(lead) == ["lead.capture", "lead.follow_up", "lead.defeat_request", "lead.defeat_reject",
                             "lead.follow_up", "lead.defeat_request", "lead.defeat_approve"]
    # the same customer enquiring again later starts a new lead at that dealer
    again = s.lead_capture(actor=SYSTEM, data=enquiry(dealer="SH-001", phone=lead.customer.phone))
    assert again.created and again.lead.pk != lead.pk


def test_bad_visit_times_are_refused(net, enquiry):
    lead = s.lead_capture(actor=SYSTEM, data=enquiry(dealer="SH-001")).lead
    for when, code in ((timezone.now() - dt.timedelta(hours=1), "appointment.past"),
                       (visit_time(hour=20), "appointment.outside_hours"),
                       (timezone.make_aware(dt.datetime(2026, 10, 1, 10)), "appointment.past")):
        with pytest.raises(DomainError) as exc:
            s.lead_invite(actor=net.a_agent.actor, lead=lead, scheduled_at=when)
        assert exc.value.code == code
    assert not lead.appointments.exists()


def test_an_uncontacted_lead_escalates_to_the_supervisor_once(net, enquiry):
    lead = s.lead_capture(actor=SYSTEM, data=enquiry(dealer="SH-001")).lead
    assert escalate_overdue(now=lead.first_response_due_at - dt.timedelta(minutes=1)) == 0
    later = lead.first_response_due_at + dt.timedelta(minutes=5)
    assert escalate_overdue(now=later) == 1
    assert escalate_overdue(now=later) == 0
    sent = Message.objects.get(event=Event.SLA_ESCALATION)
    assert sent.recipient_staff_id == net.a_supervisor.staff.pk and "5" in sent.body
    assert "lead.escalate" in actions(lead)


def test_a_missed_appointment_returns_the_lead_to_follow_up(net, enquiry):
    lead = s.lead_capture(actor=SYSTEM, data=enquiry(dealer="SH-001")).lead
    appointment = s.lead_invite(actor=net.a_agent.actor, lead=lead, scheduled_at=visit_time(days_ahead=1))
    day_after = appointment.scheduled_at + dt.timedelta(days=2)
    assert mark_no_shows(now=day_after) == 1
    lead.refresh_from_db()
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.NO_SHOW and lead.status == Status.FOLLOWING


def test_hq_reallocates_with_a_reason(net, enquiry):
    lead = s.lead_capture(actor=SYSTEM, data=enquiry(dealer="SH-001")).lead
    with pytest.raises(Forbidden):
        s.lead_reallocate(actor=net.a_manager.actor, lead=lead, dealer=net.dealer_b, note="x")
    s.lead_reallocate(actor=net.hq_service.actor, lead=lead, dealer=net.dealer_b, note="客户改在杭州买车")
    lead.refresh_from_db()
    assert lead.dealer == net.dealer_b and lead.agent == net.b_agent.staff
    assert list(lead.allocations.values_list("reason", flat=True)) == ["reallocated"]  # the first is on its capture
    assert lead.captures.get().allocation == "chosen"
