"""What every lead service shares: locking, permission, the transition table, stamps, config."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from autodcc.core import audit, memo
from autodcc.core.actors import Actor
from autodcc.core.errors import DomainError, Forbidden, NotFound
from autodcc.leads import rules
from autodcc.leads.models import TRANSITIONS, DealerLeadSettings, Lead, Status
from autodcc.network.models import Dealer, Staff

AUDIT_FIELDS = ("dealer", "status", "stage", "grade", "agent", "consultant", "next_follow_up_on",
                "expected_purchase_on", "expected_visit_on", "first_response_at", "escalated_at")


def lock(lead: Lead | int, actor: Actor) -> Lead:
    """The lead, row-locked, if the actor may see it (404 otherwise)."""
    pk = lead.pk if isinstance(lead, Lead) else lead
    found = (Lead.objects.visible_to(actor).select_for_update(of=("self",))
             .select_related("dealer", "customer").filter(pk=pk).first())
    if found is None:
        raise NotFound("not_found")
    return found


def require(actor: Actor, capability: str, lead: Lead) -> None:
    if not actor.can(capability, dealer=lead.dealer):
        raise Forbidden("forbidden")


def require_open(lead: Lead) -> None:
    if not lead.is_open:
        raise DomainError("lead.closed", status=lead.get_status_display())


def require_workable(lead: Lead) -> None:
    """Open and not waiting for a defeat decision: the manager decides first."""
    require_open(lead)
    if lead.status == Status.DEFEAT_PENDING:
        raise DomainError("lead.defeat_pending")


def move(lead: Lead, target: str) -> bool:
    """Move along the transition table; False when the lead is already there (a replay)."""
    if lead.status == target:
        return False
    if target not in TRANSITIONS[lead.status]:
        raise DomainError("transition.illegal", object=lead.number, source=lead.get_status_display(),
                          target=Status(target).label)
    lead.status = target
    return True


def stamp(lead: Lead, milestone: str, staff: Staff | None, at: dt.datetime | None = None) -> bool:
    """Set ``<milestone>_at/_by`` once; later calls keep the first stamp."""
    if getattr(lead, f"{milestone}_at") is not None:
        return False
    setattr(lead, f"{milestone}_at", at or timezone.now())
    setattr(lead, f"{milestone}_by", staff)
    return True


def snapshot(lead: Lead) -> dict[str, Any]:
    return audit.snapshot(lead, AUDIT_FIELDS)


def record(actor: Actor, action: str, lead: Lead, before: dict[str, Any] | None, note: str = "",
           extra: dict[str, Any] | None = None) -> None:
    after = snapshot(lead)
    if extra:
        after = {**after, **extra}
    audit.record(actor=actor, action=action, obj=lead, before=before, after=after, dealer_id=lead.dealer_id, note=note)


def staff_of(actor: Actor) -> Staff | None:
    return Staff.objects.filter(pk=actor.staff_id).first() if actor.staff_id else None


def today() -> dt.date:
    return timezone.localdate()


def settings_for(dealer: Dealer | int) -> DealerLeadSettings:
    """The dealer's lead rules (kept for 30 s per process: read on every capture)."""
    pk = dealer if isinstance(dealer, int) else dealer.pk
    return memo.remember(("lead-settings", pk), 30, lambda: _load_settings(pk))


def _load_settings(dealer_id: int) -> DealerLeadSettings:
    found = DealerLeadSettings.objects.filter(dealer_id=dealer_id).first()
    return found or DealerLeadSettings(
        dealer_id=dealer_id, sla_minutes=rules.DEFAULT_SLA_MINUTES, grade_intervals=dict(rules.DEFAULT_GRADE_INTERVALS),
        grade_windows=dict(rules.DEFAULT_GRADE_WINDOWS), post_delivery_days=list(rules.DEFAULT_POST_DELIVERY_DAYS),
    )


def check_future_date(value: dt.date | None, label: Any, *, field: str, max_days: int = 366) -> None:
    if value is None:
        return
    if value < today():
        raise DomainError("lead.date_past", field=field, label=label)
    if (value - today()).days > max_days:
        raise DomainError("lead.date_too_far", field=field, label=label, days=max_days)


NOTE_LABEL = _("Note")


def tell_staff(staff: Staff | None, event: str, lead: Lead, **context: Any) -> None:
    """A work message to a staff member about a lead, with the link to its page (after commit,
    through the outbox; nothing when the person has no mobile number on file)."""
    if staff is None or not staff.phone:
        return
    from autodcc.core import links
    from autodcc.leads.services.assignment import customer_label
    from autodcc.messaging.services import message_send

    message_send(event=event, to_phone=staff.phone, to_staff_id=staff.pk, dealer=lead.dealer, related=lead,
                 context={"staff": staff.name, "customer": customer_label(lead),
                          "link": links.absolute("console:lead_detail", lead.pk), **context})
