"""Escalation when overdue, from the scheduled sweep: first to the dealer's general manager, then
(after the rule's second period, and never before the resolution deadline) to the regional
manager, or HQ customer service where the region has none. Each escalation is in the history and
the audit trail and notified through the outbox; running the sweep again changes nothing."""

import datetime as dt

from django.conf import settings
from django.utils import timezone

from autodcc.core.models import AuditLog
from autodcc.core.workhours import SHANGHAI
from autodcc.feedback import services, tasks
from autodcc.feedback.models import Complaint, ComplaintEntry, Status
from autodcc.messaging.models import Message


def t(day, hour, minute=0):
    return dt.datetime(2026, 4, day, hour, minute, tzinfo=SHANGHAI)


def escalations(complaint):
    return list(ComplaintEntry.objects.filter(complaint=complaint, kind="escalated").order_by("at"))


def told(complaint, event="complaint_escalation"):
    return sorted(Message.objects.filter(event=event, related_id=str(complaint.pk)).values_list("recipient_staff_id",
                                                                                                 flat=True))


def test_the_sweep_is_scheduled():
    assert settings.AUTODCC_SCHEDULE["complaint-sweep"]["task"] == "autodcc.feedback.tasks.sweep_complaints"


def test_overdue_goes_to_the_gm_then_the_regional_manager_once_each(net, file_complaint):
    complaint = file_complaint("sales_service", dealer="SH-001", now=t(3, 17))  # first response due Tue 09:30
    assert services.escalate_due(now=t(7, 9, 29)) == {"escalated": 0, "closed": 0}
    assert services.escalate_due(now=t(7, 9, 31))["escalated"] == 1
    complaint.refresh_from_db()
    assert complaint.escalation_level == 1 and complaint.status == Status.NEW
    assert told(complaint) == [net.a_gm.staff.pk]
    [entry] = escalations(complaint)
    assert "a_gm" in entry.note and entry.by_label == "system"
    assert AuditLog.objects.filter(action="complaint.escalate", object_id=str(complaint.pk)).count() == 1
    for _ in range(2):  # again, at the same moment and a little later: nothing new
        assert services.escalate_due(now=t(7, 9, 40))["escalated"] == 0
    assert len(escalations(complaint)) == 1 and told(complaint) == [net.a_gm.staff.pk]
    # the second step waits for the resolution deadline (Wed 16:00), later than 540 opening minutes on
    assert complaint.escalate_at == t(8, 16)
    assert services.escalate_due(now=t(8, 15, 59))["escalated"] == 0
    assert services.escalate_due(now=t(8, 16, 1))["escalated"] == 1
    complaint.refresh_from_db()
    assert complaint.escalation_level == 2 and complaint.escalate_at is None
    assert told(complaint) == sorted([net.a_gm.staff.pk, net.regional_manager.staff.pk])
    assert services.escalate_due(now=t(20, 12))["escalated"] == 0  # nothing beyond the region / HQ
    assert len(escalations(complaint)) == 2


def test_without_a_regional_manager_the_second_step_goes_to_hq(net, file_complaint):
    complaint = file_complaint("delivery", dealer="BJ-001", now=t(3, 17))  # region NORTH has no manager
    services.escalate_due(now=t(7, 9, 31))
    services.escalate_due(now=t(8, 16, 1))
    complaint.refresh_from_db()
    assert complaint.escalation_level == 2
    assert net.hq_service.staff.pk in told(complaint)


def test_a_first_response_stops_the_first_clock(net, file_complaint):
    complaint = file_complaint("sales_service", dealer="SH-001", now=t(3, 17))
    services.complaint_start(actor=net.a_manager.actor, complaint=complaint, note="已致电客户，核实赠品清单。")
    complaint.refresh_from_db()
    assert complaint.status == Status.IN_PROGRESS and complaint.escalate_at == complaint.resolve_by
    assert services.escalate_due(now=t(7, 9, 31))["escalated"] == 0
    assert services.escalate_due(now=t(8, 16, 1))["escalated"] == 1


def test_resolved_complaints_never_escalate(net, file_complaint):
    complaint = file_complaint("sales_service", dealer="SH-001", now=t(3, 17))
    services.complaint_resolve(actor=net.a_manager.actor, complaint=complaint, resolution="赠品已补发。")
    assert services.escalate_due(now=t(9, 12))["escalated"] == 0


def test_the_scheduled_task_runs_the_sweep_on_the_real_clock_idempotently(net, file_complaint):
    complaint = file_complaint("sales_service", dealer="SH-001", now=t(3, 17))  # long overdue by now
    assert tasks.sweep_complaints()["escalated"] == 1
    assert tasks.sweep_complaints()["escalated"] == 0
    assert Complaint.objects.get(pk=complaint.pk).escalation_level == 1


def test_an_unanswered_link_closes_the_complaint_when_it_expires(net, file_complaint):
    complaint = file_complaint("sales_service", dealer="SH-001")
    services.complaint_resolve(actor=net.a_manager.actor, complaint=complaint, resolution="已处理。")
    assert services.escalate_due(now=timezone.now() + dt.timedelta(days=6))["closed"] == 0
    assert services.escalate_due(now=timezone.now() + dt.timedelta(days=8))["closed"] == 1
    complaint.refresh_from_db()
    assert complaint.status == Status.CLOSED
    assert escalations(complaint) == [] and complaint.entries.last().kind == "closed"
