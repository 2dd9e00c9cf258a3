"""Lead capture (LEAD-1..4): the one pipeline every lead goes through, set-based.

The API (inline or a worker's batch), the store's forms, staff entry, the import and the demo
all call :func:`capture` with a list of requests; a single lead is a batch of one
(:func:`lead_capture`). The rules live here once:

- **Who may capture where**: a dealer's staff and a dealer's API key capture for their own dealer
  only (naming another dealer is an error for that lead); HQ, channel keys, consumers and the
  system may name any dealer or none.
- **Allocation** (LEAD-3): the chosen dealer if it is active; else the active dealers of the
  consumer's city, evenly; else the nearest active dealer. A closed chosen dealer falls back to
  its city's dealers (or the nearest), and the lead says so (``inactive_city``/``inactive_nearest``).
- **Dedup** (LEAD-2): a known phone joins the customer's open lead *at the same dealer*; a capture
  for another dealer makes that dealer's own lead; without a chosen dealer the customer's newest
  open lead is joined. Every capture appends its consent (given to that dealer) and its capture
  row, counted under its own channel.
- **Once**: an idempotency key replays the first outcome and writes nothing.

:mod:`autodcc.leads.services.capture_pass` does the work of one pass.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from autodcc.campaigns import codes
from autodcc.core import geo, phone
from autodcc.core.actors import Actor
from autodcc.core.errors import DomainError, Forbidden, Invalid
from autodcc.leads.models import Channel, Lead
from autodcc.network import directory

# the longest text each field keeps (the columns' sizes): longer is an error, never cut
LIMITS = {"name": 60, "campaign": 80, "source_ref": 80, "model_interest": 80, "message": 2000, "consent_version": 40}
_CONTROL = {chr(c) for c in range(32)} - {"\t", "\n", "\r"}
CHANNELS = frozenset(Channel.values)


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
class Caller:
    """Who captures: what the audit trail names, and where they may capture."""

    kind: str
    label: str
    user_id: int | None = None
    token_id: int | None = None
    own_dealer_id: int | None = None  # a dealer's staff or API key: this dealer only
    staff_entry: bool = False  # a dealer's staff entering a walk-in or a call

    @classmethod
    def of(cls, actor: Actor, token: Any = None) -> Caller:
        if actor.is_staff and not actor.can("leads.capture"):
            raise Forbidden("forbidden")
        own = getattr(token, "dealer_id", None)
        staff_entry = False
        if own is None and actor.is_staff and not actor.is_hq and actor.dealer_ids:
            own, staff_entry = min(actor.dealer_ids), True
        return cls(actor.kind, actor.label[:150], actor.user_id, getattr(token, "pk", None), own, staff_entry)

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "label": self.label, "user_id": self.user_id, "token_id": self.token_id,
                "own_dealer_id": self.own_dealer_id, "staff_entry": self.staff_entry}


@dataclass
class Request:
    data: LeadInput
    caller: Caller
    key: str = ""  # idempotency key, already namespaced by the caller's entry point
    capture_id: int | None = None  # an accepted capture waiting for a worker


@dataclass
class Checked:
    """A request whose input passed the checks, with its values cleaned."""

    index: int
    request: Request
    name: str
    phone: str
    city: geo.CityInfo | None
    chosen: directory.DealerInfo | None  # named by the consumer or implied by the caller's dealer
    named: bool  # the dealer was named in the input (not implied)


@dataclass
class Outcome:
    index: int
    status: str = "rejected"  # processed | rejected
    lead_id: int | None = None
    capture_id: int | None = None
    dealer_id: int | None = None
    agent_id: int | None = None
    created: bool = False
    replay: bool = False
    errors: list[DomainError] | None = None
    describe: Any = None  # for a new lead: () -> its fields as written (shown without a query)
    _lead: Lead | None = None

    @property
    def summary(self) -> dict[str, Any] | None:
        return self.describe() if self.describe is not None else None

    @property
    def duplicate(self) -> bool:
        return self.status == "processed" and not self.created

    @property
    def lead(self) -> Lead | None:
        if self._lead is None and self.lead_id is not None:
            self._lead = Lead.objects.select_related("dealer", "customer").get(pk=self.lead_id)
        return self._lead


@dataclass(frozen=True)
class CaptureResult:
    lead: Lead
    created: bool  # a new lead (not attached to an open one)
    replay: bool = False  # the idempotency key was seen before: nothing changed


def _text_errors(data: LeadInput) -> list[DomainError]:
    errors = []
    for name, limit in LIMITS.items():
        value = getattr(data, name) or ""
        if len(value) > limit:
            errors.append(DomainError("text.too_long", field=name, label=CAPTURE_LABELS.get(name, name), limit=limit,
                                      length=len(value)))
        elif any(ch in _CONTROL for ch in value):
            errors.append(DomainError("text.control_characters", field=name, label=CAPTURE_LABELS.get(name, name)))
    return errors


def check(data: LeadInput, caller: Caller) -> tuple[str, str, geo.CityInfo | None, directory.DealerInfo | None, bool]:
    """Clean and check one input without touching the lead tables; every problem at once
    (``Invalid``). Returns (name, phone, city, chosen dealer, named)."""
    errors = _text_errors(data)
    name = (data.name or "").strip()
    if not name and not any(e.field == "name" for e in errors):
        errors.append(DomainError("customer.name_missing", field="name"))
    mobile = ""
    try:
        mobile = phone.normalize_mobile(data.phone, field="phone")
    except DomainError as exc:
        errors.append(exc)
    if data.channel not in CHANNELS:
        errors.append(DomainError("lead.channel_unknown", field="channel", value=data.channel))
    data.campaign = codes.clean(data.campaign)
    if not (data.consent_version or "").strip() and not any(e.field == "consent_version" for e in errors):
        errors.append(DomainError("consent.missing", field="consent_version"))
    if not data.consent_share_with_dealer:
        errors.append(DomainError("consent.sharing_missing", field="consent_share_with_dealer"))
    city = None
    if (data.city or "").strip():
        try:
            city = geo.lookup_city(data.city, field="city")
        except DomainError as exc:
            errors.append(exc)
    chosen, named = None, bool(str(data.dealer or "").strip())
    if named:
        chosen = directory.find_dealer(str(data.dealer))
        if chosen is None:
            errors.append(DomainError("lead.dealer_unknown", field="dealer", value=str(data.dealer).strip()))
        elif caller.own_dealer_id is not None and chosen.id != caller.own_dealer_id:
            errors.append(DomainError("lead.dealer_not_yours", field="dealer", value=chosen.code))
    elif caller.own_dealer_id is not None:
        chosen = directory.dealers().by_id.get(caller.own_dealer_id) or directory.find_dealer(str(caller.own_dealer_id))
    if chosen is None and city is None and not any(e.field in {"city", "dealer"} for e in errors):
        errors.append(DomainError("lead.city_required", field="city"))
    if errors:
        raise Invalid(errors)
    return name, mobile, city, chosen, named


def validate(data: LeadInput, caller: Caller | None = None) -> None:
    """Raise ``Invalid`` when ``data`` could not be captured (forms check before they commit)."""
    check(data, caller or Caller("system", "system"))


def prepare(requests: Sequence[Request]) -> tuple[list[Outcome], list[Checked]]:
    """Check every request (no lead table touched): the refused ones get their errors."""
    outcomes = [Outcome(i) for i in range(len(requests))]
    checked: list[Checked] = []
    for i, request in enumerate(requests):
        try:
            values = check(request.data, request.caller)
        except Invalid as exc:
            outcomes[i].errors = exc.errors
            continue
        checked.append(Checked(i, request, *values))
    return outcomes, checked


def commit(outcomes: list[Outcome], checked: Sequence[Checked], *, notify: bool = True,
           rejected: Sequence[tuple[int, int]] = ()) -> list[Outcome]:
    """Capture the checked requests in one transaction (``prepare`` first); ``rejected`` are the
    accepted captures (index, capture id) that no longer pass the checks, recorded as such.

    A phone or key that appears twice in the batch is taken in a later pass of the same
    transaction, where it finds what the first one wrote. A unique key taken by another
    transaction meanwhile (a phone, a customer's open lead at a dealer, an idempotency key)
    makes the batch start again; the retry sees the other's rows. ``notify=False`` leaves
    telling the agents to the caller (a file import tells each agent once per file).
    """
    from autodcc.leads.services import capture_pass

    passes: list[list[Checked]] = []
    seen: dict[tuple[str, str], int] = {}
    for c in checked:  # the n-th occurrence of a phone (or key) goes to pass n
        n = max(seen.get(("p", c.phone), 0), seen.get(("k", c.request.key), 0) if c.request.key else 0)
        seen[("p", c.phone)] = n + 1
        if c.request.key:
            seen[("k", c.request.key)] = n + 1
        if n == len(passes):
            passes.append([])
        passes[n].append(c)
    if not passes and not rejected:
        return outcomes
    for attempt in range(4):
        try:
            with transaction.atomic():
                for batch in passes:
                    capture_pass.run(batch, outcomes, notify=notify)
                capture_pass.reject_pending(rejected, outcomes)
            break
        except (IntegrityError, capture_pass.Retry):
            if attempt == 3:
                raise
            for c in checked:
                outcomes[c.index] = Outcome(c.index)
    return outcomes


def capture(requests: Sequence[Request], *, notify: bool = True) -> list[Outcome]:
    """Capture ``requests``: the outcome of each, in order (errors for the refused ones)."""
    outcomes, checked = prepare(requests)
    rejected = [(i, r.capture_id) for i, r in enumerate(requests) if r.capture_id and outcomes[i].errors]
    return commit(outcomes, checked, notify=notify, rejected=rejected)


def lead_capture(*, actor: Actor, data: LeadInput, idempotency_key: str = "", token: Any = None) -> CaptureResult:
    """Capture one lead (a batch of one); ``Invalid`` when its input is refused."""
    outcome = capture([Request(data, Caller.of(actor, token), key=idempotency_key)])[0]
    if outcome.errors:
        raise Invalid(outcome.errors)
    assert outcome.lead is not None
    return CaptureResult(outcome.lead, created=outcome.created, replay=outcome.replay)


CAPTURE_LABELS = {
    "name": _("Full name"), "phone": _("Mobile"), "city": _("City"), "channel": _("Channel"),
    "campaign": _("Campaign"), "source_ref": _("Platform reference"), "model_interest": _("Model of interest"),
    "message": _("Message"), "consent_version": _("Consent version"), "dealer": _("Dealer"),
}
