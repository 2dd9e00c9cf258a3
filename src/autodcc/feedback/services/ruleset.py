"""HQ's routing and SLA rules per category."""

from __future__ import annotations

from django.db import transaction

from autodcc.core import audit
from autodcc.core.actors import Actor
from autodcc.core.errors import DomainError, Forbidden, Invalid
from autodcc.feedback import rules
from autodcc.feedback.models import (
    Category,
    CategoryRule,
    Queue,
)
from autodcc.feedback.services.common import (
    may_route,
)

# --- the rules --------------------------------------------------------------------------------


@transaction.atomic
def rule_save(*, actor: Actor, category: str, target: str, first_response_minutes: int, resolution_minutes: int,
              escalate_again_minutes: int) -> CategoryRule:
    if not may_route(actor):
        raise Forbidden("forbidden")
    errors: list[DomainError] = []
    if category not in Category.values:
        errors.append(DomainError("complaint.category_unknown", field="category", value=category))
    if target not in Queue.values:
        errors.append(DomainError("complaint.reassign_dealer_missing", field="target"))
    for name, value in (("first_response_minutes", first_response_minutes), ("resolution_minutes", resolution_minutes),
                        ("escalate_again_minutes", escalate_again_minutes)):
        if not isinstance(value, int) or not 1 <= value <= rules.MAX_MINUTES:
            errors.append(DomainError("complaint.rule_minutes", field=name, limit=rules.MAX_MINUTES))
    if errors:
        raise Invalid(errors)
    row = CategoryRule.objects.select_for_update().filter(category=category).first()
    before = audit.snapshot(row) if row is not None else None
    row = row or CategoryRule(category=category)
    row.target, row.first_response_minutes = target, first_response_minutes
    row.resolution_minutes, row.escalate_again_minutes = resolution_minutes, escalate_again_minutes
    row.save()
    after = audit.snapshot(row)
    if before != after:
        audit.record(actor=actor, action="complaint_rule.save", obj=row, before=before, after=after)
    return row
