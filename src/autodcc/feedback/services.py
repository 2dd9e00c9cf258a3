"""Feedback and complaints (CARE-3): one service per operation, each audited, each step kept in
the complaint's history.

* ``complaint_file`` takes a complaint from the store (the order page or the general page), from
  staff (a call or a walk-in) and from the API. It links the consumer to their customer record by
  mobile number, appends their consent, routes the complaint by its category's rule and starts its
  clock in opening hours. Who may file where is the lead capture's rule: a dealer's staff and a
  dealer's API key file for their own dealer only; naming another dealer is an error and nothing
  is saved. A repeated submission (the same form key or Idempotency-Key, or the same text from
  the same person within minutes) gives back the first complaint.
* The handler (the dealer concerned, or an HQ department) assigns, starts, notes and resolves;
  HQ passes a complaint to another dealer or department.
* Resolving sends the consumer an SMS with a single-use link: they confirm, or reopen with a
  comment; the link expires after ``LINK_DAYS``.
* ``escalate_due`` (every minute) escalates what is overdue: first to the dealer's general
  manager, then to the regional manager (or HQ customer service); it closes resolved complaints
  whose link expired unanswered.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from autodcc.core import audit, links, phone, workhours
from autodcc.core.actors import SYSTEM, Actor
from autodcc.core.errors import Conflict, DomainError, Forbidden, Invalid, NotFound
from autodcc.core.roles import Role
from autodcc.customers.models import Consent, Customer
from autodcc.feedback import rules
from autodcc.feedback.models import (
    HQ_QUEUES,
    OPEN_STATUSES,
    TRANSITIONS,
    Attachment,
    Category,
    CategoryRule,
    Complaint,
    ComplaintEntry,
    EntryKind,
    Kind,
    Queue,
    Source,
    Status,
)
from autodcc.messaging.models import Event
from autodcc.network.models import Dealer, Staff

DESCRIPTION_LIMIT = 2000
NOTE_LIMIT = 2000
NAME_LIMIT = 60
SAME_TEXT_MINUTES = 10  # the same words from the same person this soon are the same complaint
ATTACHMENT_MB = 5
ATTACHMENT_TYPES = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".pdf": "application/pdf"}
_CONTROL = {chr(c) for c in range(32)} - {"\t", "\n", "\r"}
LABELS = {"name": _("Name"), "description": _("Description"), "note": _("Note"), "resolution": _("Resolution"),
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


# --- filing -----------------------------------------------------------------------------------


def _text(value: str, name: str, limit: int, errors: list[DomainError], *, required: str = "") -> str:
    value = (value or "").replace("\r\n", "\n").strip()
    if len(value) > limit:
        errors.append(DomainError("text.too_long", field=name, label=LABELS[name], length=len(value), limit=limit))
    elif any(ch in _CONTROL for ch in value):
        errors.append(DomainError("text.control_characters", field=name, label=LABELS[name]))
    elif not value and required:
        errors.append(DomainError(required, field=name))
    return value


def _check_attachments(files: Iterable[UploadedFile], errors: list[DomainError]) -> None:
    import os

    for f in files:
        if os.path.splitext(f.name or "")[1].lower() not in ATTACHMENT_TYPES:
            errors.append(DomainError("complaint.attachment_type", field="attachment"))
        elif f.size > ATTACHMENT_MB * 1024 * 1024:
            errors.append(DomainError("complaint.attachment_too_large", field="attachment", limit=ATTACHMENT_MB))


def _own_dealer(actor: Actor, token: Any) -> int | None:
    """A dealer's API key and a dealer's staff file for their own dealer only."""
    own = getattr(token, "dealer_id", None)
    if own is None and actor.is_staff and not actor.is_hq and actor.dealer_ids and not actor.region_ids:
        own = min(actor.dealer_ids)
    return own


def _find_dealer(raw: str) -> Dealer | None:
    raw = str(raw or "").strip()
    if not raw:
        return None
    found = Dealer.objects.filter(code__iexact=raw).first()
    if found is None and raw.isdigit() and len(raw) < 12:
        found = Dealer.objects.filter(pk=int(raw)).first()
    return found


def _check(actor: Actor, data: ComplaintInput, *, token: Any, order: Any, lead: Any,
           ) -> tuple[str, str, str, Any, Any, Dealer | None]:
    """Clean and check everything at once (``Invalid``); nothing is written."""
    from autodcc.leads.models import Lead
    from autodcc.orders.models import Order

    errors: list[DomainError] = []
    name = _text(data.name, "name", NAME_LIMIT, errors, required="complaint.name_missing")
    description = _text(data.description, "description", DESCRIPTION_LIMIT, errors,
                        required="complaint.description_missing")
    mobile = ""
    try:
        mobile = phone.normalize_mobile(data.phone, field="phone")
    except DomainError as exc:
        errors.append(exc)
    if data.category not in Category.values:
        errors.append(DomainError("complaint.category_unknown", field="category", value=str(data.category)[:40]))
    if data.kind not in Kind.values:
        errors.append(DomainError("complaint.kind_unknown", field="kind", value=str(data.kind)[:40]))
    if not (data.consent_version or "").strip():
        errors.append(DomainError("complaint.consent_missing", field="consent_version"))
    elif len(data.consent_version) > 40 or any(ch in _CONTROL for ch in data.consent_version):
        errors.append(DomainError("text.too_long", field="consent_version", label="consent_version",
                                  length=len(data.consent_version), limit=40))
    if not data.consent_share:
        errors.append(DomainError("complaint.sharing_missing", field="consent_share"))
    _check_attachments(data.attachments, errors)
    own = _own_dealer(actor, token)
    staff_scope = actor.is_staff and not actor.is_hq
    if order is None and str(data.order or "").strip():
        number = str(data.order).strip()[:40]
        qs = Order.objects.select_related("dealer", "customer").filter(number=number)
        qs = qs.visible_to(actor) if actor.is_staff else qs.filter(customer__phone=mobile) if mobile else qs.none()
        order = qs.first()
        if order is None or (own is not None and order.dealer_id != own):
            errors.append(DomainError("complaint.order_unknown", field="order", value=number))
            order = None
    if lead is None and str(data.lead or "").strip():
        number = str(data.lead).strip()[:40]
        digits = number.upper().removeprefix("L")
        pk = int(digits) if digits.isdigit() and len(digits) < 15 else 0
        qs = Lead.objects.select_related("dealer", "customer").filter(pk=pk)
        qs = qs.visible_to(actor) if actor.is_staff else qs.filter(customer__phone=mobile) if mobile else qs.none()
        lead = qs.first()
        if lead is None or (own is not None and lead.dealer_id != own):
            errors.append(DomainError("complaint.lead_unknown", field="lead", value=number))
            lead = None
    named = _find_dealer(data.dealer)
    if str(data.dealer or "").strip():
        if named is None:
            errors.append(DomainError("complaint.dealer_unknown", field="dealer", value=str(data.dealer).strip()[:20]))
        elif own is not None and named.pk != own:
            errors.append(DomainError("complaint.dealer_not_yours", field="dealer", value=named.code))
        elif staff_scope and own is None and not actor.sees_dealer(named):  # a region's manager: its dealers
            errors.append(DomainError("complaint.dealer_not_yours", field="dealer", value=named.code))
    if errors:
        raise Invalid(errors)
    dealer = (order.dealer if order is not None else lead.dealer if lead is not None else named
              or (Dealer.objects.get(pk=own) if own is not None else None))
    return name, description, mobile, order, lead, dealer


def _consent_channel(source: str) -> str:
    return {Source.STORE_ORDER: "storefront", Source.STORE: "storefront", Source.PHONE: "hotline",
            Source.WALK_IN: "walk_in", Source.API: "own_site"}.get(source, "other")


def complaint_file(*, actor: Actor, data: ComplaintInput, source: str, order: Any = None, lead: Any = None,
                   token: Any = None, submission_key: str = "", now: dt.datetime | None = None,
                   ) -> tuple[Complaint, bool]:
    """File a complaint; ``(complaint, created)``. A repeated submission returns the first."""
    if actor.is_staff and not actor.can("feedback.handle"):
        raise Forbidden("forbidden")
    if source not in Source.values:
        raise DomainError("complaint.category_unknown", field="source", value=source)
    key = (submission_key or "")[:220]
    if key:
        existing = Complaint.objects.filter(submission_key=key).first()
        if existing is not None:
            return existing, False
    name, description, mobile, order, lead, dealer = _check(actor, data, token=token, order=order, lead=lead)
    try:
        with transaction.atomic():
            return _file(actor, data, source, name, description, mobile, order, lead, dealer, token, key, now)
    except IntegrityError:
        existing = Complaint.objects.filter(submission_key=key).first() if key else None
        if existing is None:
            raise
        return existing, False


def _file(actor: Actor, data: ComplaintInput, source: str, name: str, description: str, mobile: str, order: Any,
          lead: Any, dealer: Dealer | None, token: Any, key: str, now: dt.datetime | None) -> tuple[Complaint, bool]:
    now = now or timezone.now()
    customer = Customer.objects.select_for_update().filter(phone=mobile).first()
    if customer is None:
        customer = Customer.objects.create(name=name, phone=mobile)
        audit.record(actor=actor, action="customer.create", obj=customer, after=audit.snapshot(customer))
    twin = (Complaint.objects.filter(customer=customer, category=data.category, description=description,
                                     dealer=dealer, created_by=actor.label[:150], order=order,
                                     created_at__gte=now - dt.timedelta(minutes=SAME_TEXT_MINUTES))
            .order_by("-created_at").first())
    if twin is not None:  # the same words again a moment later: a double submit
        return twin, False
    rule = rule_for(data.category)
    queue = rules.route(rule.target, dealer.pk if dealer is not None else None)
    respond_by, resolve_by = rules.deadlines(now, rule, rules.hours_for(queue, dealer))
    Consent.objects.create(customer=customer, dealer=dealer, version=data.consent_version.strip(),
                           purposes=["feedback"], share_with_dealer=bool(data.consent_share),
                           marketing=bool(data.consent_marketing), channel=_consent_channel(source), given_at=now)
    complaint = Complaint.objects.create(
        kind=data.kind, category=data.category, source=source, customer=customer, contact_name=name, order=order,
        lead=lead, dealer=dealer, queue=queue, description=description, respond_by=respond_by,
        resolve_by=resolve_by, escalate_at=respond_by, submission_key=key, created_by=actor.label[:150],
        api_token_id=getattr(token, "pk", None), created_at=now)
    complaint.number = f"TS{timezone.localtime(now):%y%m%d}{complaint.pk:05d}"
    complaint.save(update_fields=["number"])
    for f in data.attachments:
        Attachment.objects.create(complaint=complaint, file=f, name=(f.name or "file")[-120:], size=f.size, at=now)
    by = _staff_of(actor)
    _entry(complaint, EntryKind.FILED, actor, by, note=str(Source(source).label), to_status=Status.NEW, at=now)
    _entry(complaint, EntryKind.ROUTED, actor, by, at=now, note=str(_("%(handler)s, by the rule for “%(category)s”")
                                                                    % {"handler": complaint.handler_label,
                                                                       "category": complaint.get_category_display()}))
    audit.record(actor=actor, action="complaint.file", obj=complaint, after=_snap(complaint))
    _tell_handlers(complaint, now)
    return complaint, True


# --- history, notices -------------------------------------------------------------------------

_SECRET_FIELDS = {"token_hash", "submission_key"}


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


def _new_token(complaint: Complaint, now: dt.datetime) -> str:
    token = secrets.token_urlsafe(24)
    complaint.token_hash = hash_token(token)
    complaint.token_expires_at = now + dt.timedelta(days=rules.LINK_DAYS)
    complaint.token_used_at = None
    return token


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


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


__all__ = [
    "HQ_QUEUES", "ComplaintInput", "complaint_assign", "complaint_close", "complaint_file", "complaint_note",
    "complaint_reassign", "complaint_resolve", "complaint_start", "consumer_decide", "escalate_due", "may_handle",
    "may_route", "rule_save",
]
