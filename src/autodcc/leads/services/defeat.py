"""Defeat and invalid leads (LEAD-11): a reason from a fixed taxonomy and a manager's approval."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from autodcc.core.actors import Actor
from autodcc.core.errors import DomainError, NotFound
from autodcc.leads.models import (
    DEFEAT_REASONS,
    INVALID_REASONS,
    CareKind,
    CareTask,
    DefeatKind,
    DefeatReason,
    DefeatRequest,
    DefeatStatus,
    Lead,
    Status,
)
from autodcc.leads.services import common
from autodcc.messaging.models import Event


@transaction.atomic
def lead_request_defeat(*, actor: Actor, lead: Lead, kind: str, reason: str, note: str = "",
                        competitor_brand: str = "", competitor_model: str = "") -> DefeatRequest:
    lead = common.lock(lead, actor)
    common.require(actor, "leads.work", lead)
    pending = lead.defeats.filter(status=DefeatStatus.PENDING).first()
    if pending is not None:
        return pending  # a double click asks once
    common.require_open(lead)
    allowed = DEFEAT_REASONS if kind == DefeatKind.DEFEAT else INVALID_REASONS if kind == DefeatKind.INVALID else ()
    if reason not in allowed:
        raise DomainError("defeat.reason_kind", field="reason", value=reason)
    if reason == DefeatReason.COMPETITOR and not competitor_brand.strip():
        raise DomainError("defeat.competitor_missing", field="competitor_brand")
    if common.settings_for(lead.dealer).defeat_needs_contact and not lead.contacts.exists():
        raise DomainError("defeat.no_contact", field="reason")
    before = common.snapshot(lead)
    request = DefeatRequest.objects.create(
        lead=lead, kind=kind, reason=reason, note=note.strip(), competitor_brand=competitor_brand.strip()[:40],
        competitor_model=competitor_model.strip()[:60], requested_by=common.staff_of(actor),
    )
    lead.status_before_defeat = lead.status
    common.move(lead, Status.DEFEAT_PENDING)
    lead.save()
    common.record(actor, "lead.defeat_request", lead, before, note=note.strip(),
                  extra={"defeat": {"kind": kind, "reason": reason, "competitor": competitor_brand}})
    return request


def _locked_request(actor: Actor, request: DefeatRequest) -> tuple[Lead, DefeatRequest]:
    lead = common.lock(request.lead_id, actor)
    common.require(actor, "leads.approve_defeat", lead)
    found = DefeatRequest.objects.select_for_update().filter(pk=request.pk, lead=lead).first()
    if found is None:
        raise NotFound("not_found")
    return lead, found


@transaction.atomic
def defeat_approve(*, actor: Actor, request: DefeatRequest, note: str = "",
                   revisit_on: dt.date | None = None) -> DefeatRequest:
    """The manager closes the lead as defeated (or invalid), optionally with a later revisit."""
    lead, request = _locked_request(actor, request)
    if request.status == DefeatStatus.APPROVED:
        return request
    if request.status != DefeatStatus.PENDING:
        raise DomainError("defeat.not_pending")
    if revisit_on is not None and revisit_on <= common.today():
        raise DomainError("defeat.revisit_past", field="revisit_on")
    before = common.snapshot(lead)
    staff = common.staff_of(actor)
    request.status, request.decided_by, request.decided_at = DefeatStatus.APPROVED, staff, timezone.now()
    request.decision_note, request.revisit_on = note.strip(), revisit_on
    request.save()
    common.move(lead, Status.DEFEATED if request.kind == DefeatKind.DEFEAT else Status.INVALID)
    common.stamp(lead, "defeated", staff)
    lead.next_follow_up_on = None
    lead.save()
    if revisit_on is not None:
        CareTask.objects.create(lead=lead, kind=CareKind.REVISIT, label=gettext("Revisit after defeat"), due_on=revisit_on,
                                assignee=lead.agent)
    common.record(actor, "lead.defeat_approve", lead, before, note=note.strip(),
                  extra={"revisit_on": revisit_on.isoformat() if revisit_on else None})
    return request


@transaction.atomic
def defeat_reject(*, actor: Actor, request: DefeatRequest, note: str) -> DefeatRequest:
    """The manager sends the lead back to follow-up, saying why."""
    if not note.strip():
        raise DomainError("lead.note_required", field="note")
    lead, request = _locked_request(actor, request)
    if request.status == DefeatStatus.REJECTED:
        return request
    if request.status != DefeatStatus.PENDING:
        raise DomainError("defeat.not_pending")
    before = common.snapshot(lead)
    request.status, request.decided_by, request.decided_at = DefeatStatus.REJECTED, common.staff_of(actor), timezone.now()
    request.decision_note = note.strip()
    request.save()
    back = lead.status_before_defeat or Status.FOLLOWING
    common.move(lead, Status.FOLLOWING if back == Status.NEW else back)
    lead.next_follow_up_on = common.today()
    lead.save()
    common.record(actor, "lead.defeat_reject", lead, before, note=note.strip())
    common.tell_staff(request.requested_by, Event.DEFEAT_REJECTED, lead, manager=actor.label, note=note.strip())
    return request
