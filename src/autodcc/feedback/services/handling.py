"""The handler's steps: assign, take up, note, resolve (with the consumer's link), pass on, close."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from autodcc.core import audit, links, workhours
from autodcc.core.actors import Actor
from autodcc.core.errors import Conflict, DomainError, Forbidden, Invalid
from autodcc.feedback import rules
from autodcc.feedback.models import (
    OPEN_STATUSES,
    Complaint,
    EntryKind,
    Queue,
    Status,
)
from autodcc.feedback.services.common import (
    DESCRIPTION_LIMIT,
    NOTE_LIMIT,
    _console_link,
    _entry,
    _guard,
    _locked,
    _move,
    _new_token,
    _notify,
    _responded,
    _snap,
    _staff_of,
    _tell_handlers,
    _text,
    handler_staff,
    may_handle,
    may_route,
)
from autodcc.messaging.models import Event
from autodcc.network.models import Dealer, Staff


@transaction.atomic
def complaint_assign(*, actor: Actor, complaint: Complaint, assignee: Staff, note: str = "") -> Complaint:
    complaint = _locked(complaint)
    _guard(actor, complaint)
    errors: list[DomainError] = []
    note = _text(note, "note", NOTE_LIMIT, errors)
    if errors:
        raise Invalid(errors)
    if not handler_staff(complaint).filter(pk=assignee.pk).exists():
        raise DomainError("complaint.assignee_elsewhere", field="assignee")
    if complaint.assignee_id == assignee.pk and complaint.status == Status.ASSIGNED:
        return complaint  # a double click
    before = _snap(complaint)
    source = complaint.status
    again = complaint.assignee_id is not None
    _move(complaint, Status.ASSIGNED)
    complaint.assignee = assignee
    complaint.save()
    text = str(_("To %(name)s") % {"name": assignee.name}) + (f" — {note}" if note else "")
    _entry(complaint, EntryKind.REASSIGNED if again else EntryKind.ASSIGNED, actor, _staff_of(actor), note=text,
           from_status=source, to_status=complaint.status)
    audit.record(actor=actor, action="complaint.assign", obj=complaint, before=before, after=_snap(complaint),
                 note=note)
    if assignee.pk != actor.staff_id:
        _notify([assignee], Event.COMPLAINT_NEW, complaint, {
            "number": complaint.number, "category": complaint.get_category_display(),
            "customer": f"{complaint.contact_name} {complaint.phone_masked}",
            "due": complaint.respond_by if complaint.first_response_at is None else complaint.resolve_by,
            "link": _console_link(complaint)})
    return complaint


@transaction.atomic
def complaint_start(*, actor: Actor, complaint: Complaint, note: str) -> Complaint:
    """The handler has contacted the consumer and is working on it (the first response)."""
    complaint = _locked(complaint)
    _guard(actor, complaint)
    errors: list[DomainError] = []
    note = _text(note, "note", NOTE_LIMIT, errors, required="complaint.note_missing")
    if errors:
        raise Invalid(errors)
    if complaint.status == Status.IN_PROGRESS:
        return complaint_note(actor=actor, complaint=complaint, note=note)
    before = _snap(complaint)
    source = complaint.status
    _move(complaint, Status.IN_PROGRESS)
    now = timezone.now()
    _responded(complaint, now)
    if complaint.assignee_id is None and actor.staff_id and handler_staff(complaint).filter(pk=actor.staff_id).exists():
        complaint.assignee_id = actor.staff_id
    complaint.save()
    _entry(complaint, EntryKind.STARTED, actor, _staff_of(actor), note=note, from_status=source,
           to_status=complaint.status, at=now)
    audit.record(actor=actor, action="complaint.start", obj=complaint, before=before, after=_snap(complaint),
                 note=note)
    return complaint


@transaction.atomic
def complaint_note(*, actor: Actor, complaint: Complaint, note: str) -> Complaint:
    complaint = _locked(complaint)
    concerned = complaint.dealer_id is not None and actor.can("feedback.handle", dealer=complaint.dealer)
    if not (may_handle(actor, complaint) or concerned):  # the dealer concerned may add what it knows
        raise Forbidden("complaint.not_yours")
    errors: list[DomainError] = []
    note = _text(note, "note", NOTE_LIMIT, errors, required="complaint.note_missing")
    if errors:
        raise Invalid(errors)
    _entry(complaint, EntryKind.NOTE, actor, _staff_of(actor), note=note)
    audit.record(actor=actor, action="complaint.note", obj=complaint, note=note)
    return complaint


@transaction.atomic
def complaint_resolve(*, actor: Actor, complaint: Complaint, resolution: str) -> Complaint:
    """Resolved: the consumer gets an SMS with a link to confirm or reopen."""
    complaint = _locked(complaint)
    _guard(actor, complaint)
    errors: list[DomainError] = []
    resolution = _text(resolution, "resolution", DESCRIPTION_LIMIT, errors, required="complaint.resolution_missing")
    if errors:
        raise Invalid(errors)
    if complaint.status == Status.RESOLVED:
        return complaint  # a double click
    before = _snap(complaint)
    source = complaint.status
    _move(complaint, Status.RESOLVED)
    now = timezone.now()
    _responded(complaint, now)
    complaint.resolution = resolution
    complaint.resolved_at = now
    complaint.escalate_at = None
    hours = rules.hours_for(complaint.queue, complaint.dealer)
    complaint.minutes_to_resolve = workhours.open_minutes_between(complaint.created_at, now, hours)
    complaint.resolved_in_time = now <= complaint.resolve_by
    if complaint.assignee_id is None and actor.staff_id and handler_staff(complaint).filter(pk=actor.staff_id).exists():
        complaint.assignee_id = actor.staff_id
    token = _new_token(complaint, now)
    complaint.save()
    _entry(complaint, EntryKind.RESOLVED, actor, _staff_of(actor), note=resolution, from_status=source,
           to_status=complaint.status, at=now)
    audit.record(actor=actor, action="complaint.resolve", obj=complaint, before=before,
                 after=_snap(complaint))
    from autodcc.messaging.services import message_send

    message_send(event=Event.COMPLAINT_RESOLVED, to_phone=complaint.customer.phone, dealer=complaint.dealer,
                 related=complaint, context={"name": complaint.contact_name, "number": complaint.number,
                                             "days": rules.LINK_DAYS,
                                             "link": links.absolute("store:complaint_confirm", token)})
    complaint.link_token = token  # type: ignore[attr-defined]  (for the caller; only its hash is kept)
    return complaint


@transaction.atomic
def complaint_reassign(*, actor: Actor, complaint: Complaint, queue: str, dealer: Dealer | None = None,
                       note: str = "") -> Complaint:
    """HQ passes a complaint to another dealer or HQ department; the clock keeps running."""
    if not may_route(actor):
        raise Forbidden("forbidden")
    complaint = _locked(complaint)
    errors: list[DomainError] = []
    note = _text(note, "note", NOTE_LIMIT, errors)
    if queue not in Queue.values:
        errors.append(DomainError("complaint.reassign_dealer_missing", field="queue"))
    elif queue == Queue.DEALER and dealer is None:
        errors.append(DomainError("complaint.reassign_dealer_missing", field="dealer"))
    if errors:
        raise Invalid(errors)
    if complaint.status not in OPEN_STATUSES:
        raise Conflict("transition.illegal", object=str(_("complaint")), source=complaint.get_status_display(),
                       target=str(_("another handler")))
    new_dealer = dealer if queue == Queue.DEALER else complaint.dealer
    if complaint.queue == queue and complaint.dealer_id == getattr(new_dealer, "pk", None):
        raise DomainError("complaint.reassign_same", field="queue")
    before = _snap(complaint)
    old = complaint.handler_label
    complaint.queue, complaint.dealer, complaint.assignee = queue, new_dealer, None
    complaint.save()
    text = f"{old} → {complaint.handler_label}" + (f" — {note}" if note else "")
    _entry(complaint, EntryKind.REASSIGNED, actor, _staff_of(actor), note=text)
    audit.record(actor=actor, action="complaint.reassign", obj=complaint, before=before,
                 after=_snap(complaint), note=note)
    _tell_handlers(complaint, timezone.now())
    return complaint


@transaction.atomic
def complaint_close(*, actor: Actor, complaint: Complaint, note: str = "") -> Complaint:
    """A confirmed complaint is closed by its handler."""
    complaint = _locked(complaint)
    _guard(actor, complaint)
    errors: list[DomainError] = []
    note = _text(note, "note", NOTE_LIMIT, errors)
    if errors:
        raise Invalid(errors)
    if complaint.status == Status.CLOSED:
        return complaint
    if complaint.status != Status.CONFIRMED:
        raise Conflict("transition.illegal", object=str(_("complaint")), source=complaint.get_status_display(),
                       target=Status.CLOSED.label)
    return _close(actor, complaint, note)


def _close(actor: Actor, complaint: Complaint, note: str) -> Complaint:
    before = _snap(complaint)
    source = complaint.status
    _move(complaint, Status.CLOSED)
    complaint.closed_at = timezone.now()
    complaint.escalate_at = None
    complaint.save()
    _entry(complaint, EntryKind.CLOSED, actor, _staff_of(actor), note=note, from_status=source,
           to_status=complaint.status)
    audit.record(actor=actor, action="complaint.close", obj=complaint, before=before, after=_snap(complaint),
                 note=note)
    return complaint
