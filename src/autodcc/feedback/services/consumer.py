"""The consumer's answer through the single-use link: confirm, or reopen with a comment."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from autodcc.core import audit, workhours
from autodcc.core.actors import Actor
from autodcc.core.errors import Conflict, DomainError, Invalid, NotFound
from autodcc.feedback import rules
from autodcc.feedback.models import (
    Complaint,
    EntryKind,
    Status,
)
from autodcc.feedback.services.common import (
    DESCRIPTION_LIMIT,
    _console_link,
    _entry,
    _locked,
    _move,
    _notify,
    _snap,
    _tell_handlers,
    _text,
    hash_token,
    rule_for,
)
from autodcc.messaging.models import Event

# --- the consumer's answer --------------------------------------------------------------------


def by_token(token: str) -> Complaint:
    token = (token or "").strip()
    if not token or len(token) > 100:
        raise NotFound("complaint.link_invalid")
    found = Complaint.objects.select_related("dealer", "customer").filter(token_hash=hash_token(token)).first()
    if found is None:
        raise NotFound("complaint.link_invalid")
    return found


def link_state(complaint: Complaint, now: dt.datetime | None = None) -> str:
    """``open`` (the consumer may answer), ``used`` or ``expired``."""
    now = now or timezone.now()
    if complaint.token_used_at is not None or complaint.status != Status.RESOLVED:
        return "used"
    if complaint.token_expires_at is None or complaint.token_expires_at <= now:
        return "expired"
    return "open"


@transaction.atomic
def consumer_decide(*, token: str, accept: bool, comment: str = "") -> Complaint:
    """The consumer confirms the resolution, or reopens the complaint saying what is still wrong.
    The link answers once."""
    found = by_token(token)
    complaint = _locked(found)
    state = link_state(complaint)
    if state == "used":
        raise Conflict("complaint.link_used")
    if state == "expired":
        raise Conflict("complaint.link_expired")
    errors: list[DomainError] = []
    comment = _text(comment, "comment", DESCRIPTION_LIMIT, errors,
                    required="" if accept else "complaint.reopen_reason_missing")
    if errors:
        raise Invalid(errors)
    actor = Actor(kind="consumer", label=f"storefront {complaint.phone_masked}")
    before = _snap(complaint)
    now = timezone.now()
    complaint.token_used_at = now
    if accept:
        _move(complaint, Status.CONFIRMED)
        complaint.confirmed_at = now
        complaint.save()
        _entry(complaint, EntryKind.CONFIRMED, actor, note=comment, from_status=Status.RESOLVED,
               to_status=complaint.status, at=now)
        audit.record(actor=actor, action="complaint.confirm", obj=complaint, before=before,
                     after=_snap(complaint), note=comment)
        return complaint
    _move(complaint, Status.REOPENED)
    complaint.reopen_count += 1
    complaint.resolved_at = None
    complaint.resolved_in_time = None
    complaint.minutes_to_resolve = None
    rule = rule_for(complaint.category)
    hours = rules.hours_for(complaint.queue, complaint.dealer)
    complaint.resolve_by = workhours.add_open_minutes(now, rule.resolution_minutes, hours)
    complaint.escalation_level, complaint.escalated_at, complaint.escalate_at = 0, None, complaint.resolve_by
    complaint.save()
    _entry(complaint, EntryKind.REOPENED, actor, note=comment, from_status=Status.RESOLVED, to_status=complaint.status,
           at=now)
    audit.record(actor=actor, action="complaint.reopen", obj=complaint, before=before, after=_snap(complaint),
                 note=comment)
    people = [complaint.assignee] if complaint.assignee_id else []
    if not people:
        _tell_handlers(complaint, now)
    else:
        _notify(people, Event.COMPLAINT_NEW, complaint, {
            "number": complaint.number, "category": complaint.get_category_display(),
            "customer": f"{complaint.contact_name} {complaint.phone_masked}", "due": complaint.resolve_by,
            "link": _console_link(complaint)})
    return complaint
