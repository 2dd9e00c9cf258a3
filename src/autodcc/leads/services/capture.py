"""Lead capture (LEAD-1, 2): the one entry used by the API, imports, staff entry and the store."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from autodcc.core import geo, phone, workhours
from autodcc.core.actors import Actor
from autodcc.core.errors import DomainError, Forbidden, Invalid
from autodcc.core.tenancy import one
from autodcc.customers.models import Consent, Customer
from autodcc.leads.models import (
    OPEN_STATUSES,
    Allocation,
    AllocationReason,
    Capture,
    Channel,
    IdempotencyKey,
    Lead,
    Stage,
    Status,
)
from autodcc.leads.services import allocation, assignment, common
from autodcc.network.models import Dealer
from autodcc.network.services import city_for


@dataclass
class LeadInput:
    name: str
    phone: str
    channel: str
    consent_version: str = ""
    consent_share_with_dealer: bool = False
    consent_purposes: list[str] = field(default_factory=lambda: ["contact_about_purchase"])
    consent_marketing: bool = False
    city: str = ""  # 6-digit code or name
    dealer: str = ""  # the consumer's chosen dealer: code or id
    campaign: str = ""
    source_ref: str = ""
    model_interest: str = ""
    message: str = ""
    expected_purchase_on: dt.date | None = None


@dataclass(frozen=True)
class CaptureResult:
    lead: Lead
    created: bool  # a new lead (not attached to an open one)
    replay: bool = False  # the idempotency key was seen before: nothing changed


def validate(data: LeadInput, *, dealer_known: bool = False) -> dict[str, Any]:
    """Check the input without touching the database's lead tables; all problems at once.
    ``dealer_known``: the lead stays at the capturing staff member's dealer, so no city is needed."""
    errors: list[DomainError] = []
    clean: dict[str, Any] = {}
    name = (data.name or "").strip()
    if not name:
        errors.append(DomainError("customer.name_missing", field="name"))
    clean["name"] = name[:60]
    try:
        clean["phone"] = phone.normalize_mobile(data.phone, field="phone")
    except DomainError as exc:
        errors.append(exc)
    if data.channel not in Channel.values:
        errors.append(DomainError("lead.channel_unknown", field="channel", value=data.channel))
    if not (data.consent_version or "").strip():
        errors.append(DomainError("consent.missing", field="consent_version"))
    if not data.consent_share_with_dealer:
        errors.append(DomainError("consent.sharing_missing", field="consent_share_with_dealer"))
    clean["city"] = None
    if (data.city or "").strip():
        try:
            clean["city"] = geo.lookup_city(data.city, field="city")
        except DomainError as exc:
            errors.append(exc)
    clean["dealer"] = None
    if str(data.dealer or "").strip():
        try:
            clean["dealer"] = allocation.dealer_for_choice(data.dealer)
        except DomainError as exc:
            errors.append(exc)
    elif clean["city"] is None and not dealer_known and not any(e.field == "city" for e in errors):
        errors.append(DomainError("lead.city_required", field="city"))
    if errors:
        raise Invalid(errors)
    return clean


def lead_capture(*, actor: Actor, data: LeadInput, idempotency_key: str = "", api_token: Any = None) -> CaptureResult:
    """Capture a lead: normalise the phone, upsert the customer, record consent, attach to the
    customer's open lead or create one, allocate the dealer, assign an agent, audit, notify.

    A replayed ``idempotency_key`` returns the first result and changes nothing. Concurrent
    captures of one phone are serialised by the database's unique constraints and retried.
    """
    if actor.is_staff and not actor.can("leads.capture"):
        raise Forbidden("forbidden")
    key = (idempotency_key or "").strip()[:100]
    if key:
        seen = one(IdempotencyKey.objects.select_related("lead").filter(key=key))
        if seen is not None:
            return CaptureResult(seen.lead, created=False, replay=True)
    keeps_at_own_dealer = actor.is_staff and not actor.is_hq and bool(actor.dealer_ids)
    clean = validate(data, dealer_known=keeps_at_own_dealer or bool(getattr(api_token, "dealer_id", None)))
    for attempt in range(3):
        try:
            with transaction.atomic():
                return _capture(actor, data, clean, key, api_token)
        except IntegrityError:
            if attempt == 2:
                raise
            if key:
                seen = one(IdempotencyKey.objects.select_related("lead").filter(key=key))
                if seen is not None:
                    return CaptureResult(seen.lead, created=False, replay=True)
    raise AssertionError("unreachable")


def _capture(actor: Actor, data: LeadInput, clean: dict[str, Any], key: str, api_token: Any) -> CaptureResult:
    now = timezone.now()
    city = city_for(clean["city"].adcode) if clean["city"] else None
    customer = one(Customer.objects.filter(phone=clean["phone"]))
    is_new_customer = customer is None
    if customer is None:
        customer = Customer.objects.create(phone=clean["phone"], name=clean["name"], city=city)
    elif city is not None and customer.city_id is None:
        customer.city = city
        customer.save(update_fields=["city", "updated_at"])
    consent = Consent.objects.create(
        customer=customer, version=data.consent_version.strip()[:40], purposes=list(data.consent_purposes),
        share_with_dealer=True, marketing=bool(data.consent_marketing), channel=data.channel,
    )
    chosen: Dealer | None = clean["dealer"]
    if api_token is not None and getattr(api_token, "dealer_id", None) and chosen is None:
        chosen = api_token.dealer

    existing = None
    if not is_new_customer:  # a first-time phone has no open lead to join
        open_leads = Lead.objects.select_for_update(of=("self",)).filter(customer=customer, status__in=OPEN_STATUSES)
        existing = (open_leads.filter(dealer=chosen) if chosen else open_leads).order_by("-created_at").first()
    if existing is not None:
        lead = existing
        before = common.snapshot(lead)
        lead.duplicate_count += 1
        lead.consent = consent
        lead.save(update_fields=["duplicate_count", "consent", "updated_at"])
        Capture.objects.create(lead=lead, channel=data.channel, campaign=data.campaign[:80],
                               source_ref=data.source_ref[:80], duplicate=True, by_label=actor.label)
        common.record(actor, "lead.capture_repeat", lead, before, extra={"channel": data.channel})
        created = False
    else:
        lead = _new_lead(actor, data, clean, customer, consent, city, chosen, api_token, now)
        created = True
    if key:
        IdempotencyKey.objects.create(key=key, lead=lead)
    return CaptureResult(lead, created=created)


def _new_lead(actor: Actor, data: LeadInput, clean: dict[str, Any], customer: Customer, consent: Consent,
              city: Any, chosen: Dealer | None, api_token: Any, now: Any) -> Lead:
    """Allocate, pick the agent, then write the lead once with its history rows."""
    if actor.is_staff and chosen is None and actor.dealer_ids and not actor.is_hq:
        # a dealer's own staff entering a walk-in or a hotline call keep the lead at their dealer
        chosen = Dealer.objects.get(pk=min(actor.dealer_ids))
    allocated = allocation.allocate(city=city, chosen=chosen)
    reason = allocated.reason
    if reason == AllocationReason.CHOSEN and actor.is_staff and not actor.is_hq and not clean["dealer"]:
        reason = AllocationReason.STAFF
    dealer = allocated.dealer
    due = workhours.add_open_minutes(now, common.settings_for(dealer).sla_minutes, workhours.OpeningHours.of(dealer))
    agent = assignment.pick_agent(dealer, now)
    lead = Lead.objects.create(
        dealer=dealer, customer=customer, consent=consent, channel=data.channel, campaign=data.campaign[:80],
        source_ref=data.source_ref[:80], model_interest=data.model_interest[:80], city=city,
        message=data.message[:2000], allocation_reason=reason, status=Status.NEW,
        stage=Stage.DCC if agent else Stage.MARKETING, agent=agent, assigned_at=now if agent else None,
        next_follow_up_on=timezone.localdate(), first_response_due_at=due,
        expected_purchase_on=data.expected_purchase_on,
        api_token=api_token if getattr(api_token, "pk", None) else None, created_at=now,
    )
    Allocation.objects.create(lead=lead, dealer=dealer, reason=reason, distance_km=allocated.distance_km,
                              by_label=actor.label)
    Capture.objects.create(lead=lead, channel=data.channel, campaign=data.campaign[:80],
                           source_ref=data.source_ref[:80], duplicate=False, by_label=actor.label)
    assignment.record_assignment(lead, agent, actor=actor)
    common.record(actor, "lead.capture", lead, None,
                  extra={"channel": data.channel, "allocation": reason, "customer_id": customer.pk})
    if agent is not None:
        assignment.notify_agent(lead, agent)
    return lead


CAPTURE_LABELS = {"name": _("Full name"), "phone": _("Mobile"), "city": _("City"), "channel": _("Channel")}
