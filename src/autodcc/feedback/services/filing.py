"""Filing a complaint from the store, staff or the API (one intake, sealed like the lead capture)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from autodcc.core import audit, phone
from autodcc.core.actors import Actor
from autodcc.core.errors import DomainError, Forbidden, Invalid
from autodcc.customers.models import Consent, Customer
from autodcc.feedback import rules
from autodcc.feedback.models import (
    Attachment,
    Category,
    Complaint,
    EntryKind,
    Kind,
    Source,
    Status,
)
from autodcc.feedback.services.common import (
    _CONTROL,
    ATTACHMENT_MB,
    ATTACHMENT_TYPES,
    DESCRIPTION_LIMIT,
    NAME_LIMIT,
    SAME_TEXT_MINUTES,
    ComplaintInput,
    _entry,
    _snap,
    _staff_of,
    _tell_handlers,
    _text,
    rule_for,
)
from autodcc.network.models import Dealer


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
