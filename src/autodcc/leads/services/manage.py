"""HQ re-allocation, per-dealer lead rules and daily revisit targets."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from autodcc.core import audit, memo, workhours
from autodcc.core.actors import Actor
from autodcc.core.errors import Conflict, DomainError, Forbidden
from autodcc.leads import rules
from autodcc.leads.models import (
    OPEN_STATUSES,
    Allocation,
    AllocationReason,
    DealerLeadSettings,
    Handover,
    Lead,
    RevisitTarget,
    Stage,
)
from autodcc.leads.services import assignment, common
from autodcc.network.models import Dealer, Staff


@transaction.atomic
def lead_reallocate(*, actor: Actor, lead: Lead, dealer: Dealer, note: str) -> Lead:
    """HQ moves a lead to another dealer with a reason; it starts again with that dealer's DCC."""
    lead = common.lock(lead, actor)
    common.require(actor, "leads.reallocate", lead)
    common.require_open(lead)
    if not note.strip():
        raise DomainError("lead.note_required", field="note")
    if not dealer.is_active:
        raise DomainError("lead.dealer_inactive", field="dealer", value=dealer.code)
    if dealer.pk == lead.dealer_id:
        raise DomainError("lead.same_dealer", field="dealer", value=str(dealer))
    if Lead.objects.filter(customer=lead.customer, dealer=dealer, status__in=OPEN_STATUSES).exists():
        raise Conflict("lead.open_elsewhere", field="dealer", value=str(dealer))
    before = common.snapshot(lead)
    Handover.objects.create(lead=lead, from_stage=lead.stage, to_stage=Stage.MARKETING, from_staff=lead.holder,
                            note=note.strip(), by_label=actor.label)
    lead.dealer, lead.agent, lead.consultant, lead.stage = dealer, None, None, Stage.MARKETING
    lead.allocation_reason = AllocationReason.REALLOCATED
    if lead.first_response_at is None:
        minutes = common.settings_for(dealer).sla_minutes
        from django.utils import timezone

        lead.first_response_due_at = workhours.add_open_minutes(timezone.now(), minutes,
                                                                workhours.OpeningHours.of(dealer))
        lead.escalated_at = None
    Allocation.objects.create(lead=lead, dealer=dealer, reason=AllocationReason.REALLOCATED, note=note.strip()[:200],
                              by_label=actor.label)
    assignment.assign(lead, actor=actor, note=note.strip())
    lead.save()
    common.record(actor, "lead.reallocate", lead, before, note=note.strip())
    return lead


@transaction.atomic
def dealer_lead_settings_save(*, actor: Actor, dealer: Dealer, sla_minutes: int,
                              grade_intervals: dict[str, int], post_delivery_days: list[int],
                              defeat_needs_contact: bool | None = None) -> DealerLeadSettings:
    if not actor.can("leads.configure", dealer=dealer):
        raise Forbidden("forbidden")
    for grade, days in grade_intervals.items():
        if grade not in rules.DEFAULT_GRADE_INTERVALS or not 1 <= int(days) <= 90:
            raise DomainError("settings.invalid_interval", field=f"interval_{grade}", value=grade)
    settings, _created = DealerLeadSettings.objects.select_for_update().get_or_create(
        dealer=dealer, defaults={"grade_windows": dict(rules.DEFAULT_GRADE_WINDOWS)})
    before = audit.snapshot(settings)
    settings.sla_minutes = max(1, int(sla_minutes))
    settings.grade_intervals = {**rules.DEFAULT_GRADE_INTERVALS, **{k: int(v) for k, v in grade_intervals.items()}}
    settings.post_delivery_days = sorted({int(d) for d in post_delivery_days if int(d) > 0}) or list(
        rules.DEFAULT_POST_DELIVERY_DAYS)
    if defeat_needs_contact is not None:
        settings.defeat_needs_contact = defeat_needs_contact
    settings.save()
    memo.forget(("lead-settings", dealer.pk))
    audit.record(actor=actor, action="lead_settings.save", obj=settings, before=before, after=audit.snapshot(settings),
                 dealer_id=dealer.pk)
    return settings


@transaction.atomic
def revisit_target_set(*, actor: Actor, dealer: Dealer, staff: Staff, per_day: int) -> RevisitTarget:
    """The manager sets a person's daily revisit target (每日回访目标)."""
    if not actor.can("leads.set_targets", dealer=dealer):
        raise Forbidden("forbidden")
    if not staff.grants.filter(dealer=dealer).exists():
        raise Forbidden("forbidden")
    if not 0 <= int(per_day) <= 500:
        raise DomainError("target.invalid", field="per_day")
    target = RevisitTarget.objects.select_for_update().filter(dealer=dealer, staff=staff).first()
    before: dict[str, Any] | None = audit.snapshot(target) if target else None
    target = target or RevisitTarget(dealer=dealer, staff=staff)
    target.per_day, target.set_by_label = int(per_day), actor.label
    target.save()
    audit.record(actor=actor, action="revisit_target.set", obj=target, before=before, after=audit.snapshot(target),
                 dealer_id=dealer.pk)
    return target
