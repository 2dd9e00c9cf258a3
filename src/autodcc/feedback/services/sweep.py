"""The scheduled sweep: escalation of overdue complaints, and closing links that expired unanswered."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from autodcc.core import audit, workhours
from autodcc.core.actors import SYSTEM
from autodcc.core.roles import Role
from autodcc.feedback import rules
from autodcc.feedback.models import (
    OPEN_STATUSES,
    Complaint,
    EntryKind,
    Queue,
    Status,
)
from autodcc.feedback.services.common import (
    _console_link,
    _entry,
    _notify,
    _people,
    _snap,
    rule_for,
)
from autodcc.feedback.services.handling import _close
from autodcc.messaging.models import Event
from autodcc.network.models import Staff

# --- the sweep --------------------------------------------------------------------------------


def _escalation_targets(complaint: Complaint, level: int) -> tuple[list[Staff], str]:
    """Level 1: the dealer's general manager (an HQ department's complaint: HQ customer service).
    Level 2: the regional manager of the dealer's region, else HQ customer service."""
    if complaint.queue == Queue.DEALER and level == 1:
        people = _people(dealer_id=complaint.dealer_id, roles=(Role.DEALER_GM,)) or \
            _people(dealer_id=complaint.dealer_id, roles=(Role.SALES_MANAGER,))
        if people:
            return people, str(_("the dealer's general manager"))
    if complaint.queue == Queue.DEALER and complaint.dealer is not None and complaint.dealer.region_id:
        people = _people(region_id=complaint.dealer.region_id, roles=(Role.REGIONAL_MANAGER,))
        if people:
            return people, str(_("the regional manager"))
    return _people(roles=(Role.HQ_SERVICE,)), str(Queue.HQ_SERVICE.label)


def escalate_due(*, now: dt.datetime | None = None, limit: int = 1000) -> dict[str, int]:
    """Escalate every open complaint whose deadline has passed (once per level: running it again
    changes nothing), and close resolved ones whose link expired unanswered."""
    now = now or timezone.now()
    escalated = closed = 0
    due = Complaint.objects.filter(status__in=sorted(OPEN_STATUSES), escalate_at__lte=now)
    for pk in list(due.order_by("escalate_at").values_list("pk", flat=True)[:limit]):
        with transaction.atomic():
            complaint = (Complaint.objects.select_for_update(of=("self",)).select_related("dealer", "customer")
                         .filter(pk=pk, status__in=sorted(OPEN_STATUSES), escalate_at__lte=now).first())
            if complaint is None or complaint.escalation_level >= 2:
                continue
            _escalate(complaint, now)
            escalated += 1
    stale = Complaint.objects.filter(status=Status.RESOLVED, token_expires_at__lte=now)
    for pk in list(stale.values_list("pk", flat=True)[:limit]):
        with transaction.atomic():
            complaint = (Complaint.objects.select_for_update(of=("self",)).select_related("dealer", "customer")
                         .filter(pk=pk, status=Status.RESOLVED, token_expires_at__lte=now).first())
            if complaint is None:
                continue
            _close(SYSTEM, complaint, str(_("No answer from the consumer within %(days)s days.")
                                          % {"days": rules.LINK_DAYS}))
            closed += 1
    return {"escalated": escalated, "closed": closed}


def _escalate(complaint: Complaint, now: dt.datetime) -> None:
    before = _snap(complaint)
    level = complaint.escalation_level + 1
    people, whom = _escalation_targets(complaint, level)
    complaint.escalation_level, complaint.escalated_at = level, now
    if level == 1:
        again = rule_for(complaint.category).escalate_again_minutes
        hours = rules.hours_for(complaint.queue, complaint.dealer)
        complaint.escalate_at = max(workhours.add_open_minutes(now, again, hours), complaint.resolve_by)
    else:
        complaint.escalate_at = None
    complaint.save()
    late = (_("first response overdue") if complaint.first_response_at is None and complaint.respond_by <= now
            else _("resolution overdue"))
    names = "、".join(p.name for p in people) or "—"
    note = str(_("%(why)s: escalated to %(whom)s (%(names)s)") % {"why": late, "whom": whom, "names": names})
    _entry(complaint, EntryKind.ESCALATED, SYSTEM, note=note, at=now)
    audit.record(actor=SYSTEM, action="complaint.escalate", obj=complaint, before=before,
                 after=_snap(complaint), note=note)
    _notify(people, Event.COMPLAINT_ESCALATION, complaint, {
        "number": complaint.number, "category": complaint.get_category_display(),
        "handler": complaint.handler_label, "level": whom, "link": _console_link(complaint)})
