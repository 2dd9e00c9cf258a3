"""What every complaint service shares: the input, who may act, the history and notices, the row lock and the status table's check."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from autodcc.core import audit, links
from autodcc.core.actors import Actor
from autodcc.core.errors import Conflict, DomainError, Forbidden
from autodcc.core.roles import Role
from autodcc.feedback import rules
from autodcc.feedback.models import (
    TRANSITIONS,
    CategoryRule,
    Complaint,
    ComplaintEntry,
    Kind,
    Queue,
    Status,
)
from autodcc.messaging.models import Event
from autodcc.network.models import Staff

DESCRIPTION_LIMIT = 2000
NOTE_LIMIT = 2000
NAME_LIMIT = 60
SAME_TEXT_MINUTES = 10  # the same words from the same person this soon are the same complaint
ATTACHMENT_MB = 5
ATTACHMENT_TYPES = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".pdf": "application/pdf"}
_CONTROL = {chr(c) for c in range(32)} - {"\t", "\n", "\r"}
LABELS = {"name": _("Full name"), "description": _("Description"), "note": _("Note"), "resolution": _("Resolution"),
          "comment": _("Comment")}


@dataclass
class ComplaintInput:
    name: str
    phone: str
    category: str
    description: str
    kind: str = Kind.COMPLAINT
    dealer: str = ""  # a dealer's code or id (optional)
    order: str = ""  # an order number (optional)
    lead: str = ""  # a lead number (optional)
    consent_version: str = ""
    consent_share: bool = False
    consent_marketing: bool = False
    attachments: list[UploadedFile] = field(default_factory=list)


# --- reading what may be done -----------------------------------------------------------------


def rule_for(category: str) -> rules.Rule:
    row = CategoryRule.objects.filter(category=category).first()
    if row is not None:
        return rules.Rule(row.target, row.first_response_minutes, row.resolution_minutes, row.escalate_again_minutes)
    target, first, resolve, again = rules.DEFAULT_RULES[category]
    return rules.Rule(target, first, resolve, again)


def may_handle(actor: Actor, complaint: Complaint) -> bool:
    """The handler's people: the dealer's (and its region's) for a dealer's complaint, the HQ
    department's — and HQ customer service, which oversees every complaint — for HQ's."""
    if actor.kind == "system" or actor.is_superuser:
        return True
    if complaint.queue == Queue.DEALER:
        return actor.can("feedback.handle", dealer=complaint.dealer)
    return actor.has_role(complaint.queue, Role.HQ_SERVICE) and actor.can("feedback.handle")


def may_route(actor: Actor) -> bool:
    return actor.is_staff and actor.can("feedback.route")


def handler_staff(complaint: Complaint) -> Any:
    """Who may be given the complaint: active staff of the handling dealer (handling roles) or of
    the HQ department."""
    from autodcc.core.roles import CAPABILITIES

    roles = CAPABILITIES["feedback.handle"]
    if complaint.queue == Queue.DEALER:
        grants = Q(grants__dealer_id=complaint.dealer_id, grants__role__in=sorted(roles - {Role.REGIONAL_MANAGER}))
    else:
        grants = Q(grants__role=complaint.queue)
    return Staff.objects.filter(grants, user__is_active=True).distinct().order_by("name", "id")


def _text(value: str, name: str, limit: int, errors: list[DomainError], *, required: str = "") -> str:
    value = (value or "").replace("\r\n", "\n").strip()
    if len(value) > limit:
        errors.append(DomainError("text.too_long", field=name, label=LABELS[name], length=len(value), limit=limit))
    elif any(ch in _CONTROL for ch in value):
        errors.append(DomainError("text.control_characters", field=name, label=LABELS[name]))
    elif not value and required:
        errors.append(DomainError(required, field=name))
    return value


# --- history, notices -------------------------------------------------------------------------

# never in the audit trail: the link's hash and the form's key; the link's own clock (the consumer's
# answer is its own audit row), who filed it and the API key (the audit row names its actor)
_SECRET_FIELDS = {"token_hash", "submission_key", "token_expires_at", "token_used_at", "api_token_id", "created_by"}


def _snap(complaint: Complaint) -> dict[str, Any]:
    """What the audit trail keeps of a complaint (never the link's hash or the form key)."""
    return audit.snapshot(complaint, [f.name for f in Complaint._meta.concrete_fields if f.name not in _SECRET_FIELDS])



def _staff_of(actor: Actor) -> Staff | None:
    return Staff.objects.filter(pk=actor.staff_id).first() if actor.staff_id else None


def _entry(complaint: Complaint, kind: str, actor: Actor, by: Staff | None = None, *, note: str = "",
           from_status: str = "", to_status: str = "", at: dt.datetime | None = None) -> ComplaintEntry:
    return ComplaintEntry.objects.create(complaint=complaint, kind=kind, note=note, from_status=from_status,
                                         to_status=to_status, by_label=actor.label[:150], by_staff=by,
                                         at=at or timezone.now())


def _console_link(complaint: Complaint) -> str:
    return links.absolute("console:complaint_detail", complaint.pk)


def _notify(staff: Iterable[Staff], event: str, complaint: Complaint, context: dict[str, Any]) -> int:
    from autodcc.messaging.services import message_send

    sent = 0
    for person in staff:
        if person.phone:
            message_send(event=event, to_phone=person.phone, to_staff_id=person.pk, dealer=complaint.dealer,
                         related=complaint, context={"staff": person.name, **context})
            sent += 1
    return sent


def _tell_handlers(complaint: Complaint, now: dt.datetime) -> None:
    """The handler's service advisors (else its managers) or the HQ department hear of a new one."""
    if complaint.queue == Queue.DEALER:
        people = _people(dealer_id=complaint.dealer_id, roles=(Role.SERVICE_ADVISOR,)) or \
            _people(dealer_id=complaint.dealer_id, roles=(Role.DEALER_GM, Role.SALES_MANAGER))
    else:
        people = _people(roles=(complaint.queue,))
    _notify(people, Event.COMPLAINT_NEW, complaint, {
        "number": complaint.number, "category": complaint.get_category_display(),
        "customer": f"{complaint.contact_name} {complaint.phone_masked}", "due": complaint.respond_by,
        "link": _console_link(complaint)})


def _people(*, roles: Iterable[str], dealer_id: int | None = None, region_id: int | None = None) -> list[Staff]:
    q = Q(grants__role__in=list(roles), user__is_active=True)
    if dealer_id is not None:
        q &= Q(grants__dealer_id=dealer_id)
    if region_id is not None:
        q &= Q(grants__region_id=region_id)
    return list(Staff.objects.filter(q).distinct().order_by("id"))


# --- the handler's steps ----------------------------------------------------------------------


def _locked(complaint: Complaint) -> Complaint:
    return Complaint.objects.select_for_update(of=("self",)).select_related("dealer", "customer").get(pk=complaint.pk)


def _move(complaint: Complaint, target: str) -> None:
    if target not in TRANSITIONS[complaint.status]:
        raise Conflict("transition.illegal", object=str(_("complaint")), source=complaint.get_status_display(),
                       target=Status(target).label)
    complaint.status = target


def _guard(actor: Actor, complaint: Complaint) -> None:
    if not may_handle(actor, complaint):
        raise Forbidden("complaint.not_yours")


def _responded(complaint: Complaint, now: dt.datetime) -> None:
    """The first response stops the first clock: the sweep now watches the resolution's."""
    if complaint.first_response_at is None:
        complaint.first_response_at = now
        if complaint.escalation_level == 0:
            complaint.escalate_at = complaint.resolve_by


def _new_token(complaint: Complaint, now: dt.datetime) -> str:
    token = secrets.token_urlsafe(24)
    complaint.token_hash = hash_token(token)
    complaint.token_expires_at = now + dt.timedelta(days=rules.LINK_DAYS)
    complaint.token_used_at = None
    return token


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
