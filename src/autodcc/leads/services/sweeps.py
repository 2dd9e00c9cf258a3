"""Periodic work: SLA escalation, missed appointments, leave cover, the waiting pool."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from autodcc.core.actors import SYSTEM
from autodcc.core.roles import Role
from autodcc.leads.models import OPEN_STATUSES, Appointment, AppointmentStatus, Lead, Status
from autodcc.leads.services import assignment, common, moves
from autodcc.leads.services.assignment import customer_label
from autodcc.messaging.models import Event
from autodcc.network.models import Staff


def escalate_overdue(*, now: dt.datetime | None = None) -> int:
    """Leads not contacted within their dealer's SLA go to the DCC supervisor (work list and message)."""
    now = now or timezone.now()
    count = 0
    overdue = Lead.objects.filter(status__in=OPEN_STATUSES, first_response_at__isnull=True, escalated_at__isnull=True,
                                  first_response_due_at__lt=now)
    for pk in overdue.values_list("pk", flat=True)[:1000]:
        with transaction.atomic():
            lead = (Lead.objects.select_for_update(of=("self",)).select_related("dealer", "customer", "agent")
                    .filter(pk=pk, escalated_at__isnull=True, first_response_at__isnull=True).first())
            if lead is None:
                continue
            before = common.snapshot(lead)
            lead.escalated_at = now
            lead.save(update_fields=["escalated_at", "updated_at"])
            common.record(SYSTEM, "lead.escalate", lead, before)
            minutes = int((now - lead.first_response_due_at).total_seconds() // 60) if lead.first_response_due_at else 0
            for supervisor in Staff.objects.filter(grants__dealer=lead.dealer, grants__role=Role.DCC_SUPERVISOR,
                                                   user__is_active=True).distinct():
                if supervisor.phone:
                    from autodcc.messaging.services import message_send

                    message_send(event=Event.SLA_ESCALATION, to_phone=supervisor.phone, to_staff_id=supervisor.pk,
                                 dealer=lead.dealer, related=lead,
                                 context={"staff": supervisor.name,
                                          "agent": lead.agent.name if lead.agent else gettext_lazy("(no agent yet)"),
                                          "customer": customer_label(lead), "minutes": minutes})
            count += 1
    return count


def mark_no_shows(*, now: dt.datetime | None = None) -> int:
    """Appointments of past days without an arrival: the customer did not come; back to follow-up."""
    now = now or timezone.now()
    start_of_today = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    count = 0
    missed = Appointment.objects.filter(status__in=(AppointmentStatus.SCHEDULED, AppointmentStatus.CONFIRMED),
                                        scheduled_at__lt=start_of_today)
    for appointment in missed.select_related("lead")[:1000]:
        with transaction.atomic():
            lead = Lead.objects.select_for_update(of=("self",)).select_related("dealer").get(pk=appointment.lead_id)
            before = common.snapshot(lead)
            Appointment.objects.filter(pk=appointment.pk).update(status=AppointmentStatus.NO_SHOW)
            if lead.status == Status.INVITED:
                common.move(lead, Status.FOLLOWING)
                lead.next_follow_up_on = common.today()
                lead.save()
            common.record(SYSTEM, "appointment.no_show", lead, before, extra={"appointment": appointment.pk})
            count += 1
    return count


def run_all(*, now: dt.datetime | None = None) -> dict[str, int]:
    return {
        "leave_cover": moves.cover_leaves(now=now),
        "pool": assignment.assign_pool(now=now),
        "escalated": escalate_overdue(now=now),
        "no_shows": mark_no_shows(now=now),
    }
