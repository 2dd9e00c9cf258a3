"""The lead as the hub: what the customer did online (test-drive bookings, deposit orders and
their refunds) on the lead page, and the badges that make such a lead stand out in every list."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from autodcc.core.actors import Actor
from autodcc.leads.models import Lead
from autodcc.orders import selectors as order_selectors
from autodcc.orders.models import ACTIVE_REFUND
from autodcc.orders.services.milestones import UNDER_WAY
from autodcc.testdrives import selectors as testdrive_selectors


@dataclass(frozen=True)
class Badge:
    key: str
    label: Any
    tone: str = ""  # "", "ok", "warn", "bad"


DEPOSIT = Badge("deposit", _("Deposit paid"), "ok")
REFUND = Badge("refund", _("Refund asked"), "bad")
TEST_DRIVE = Badge("test_drive", _("Test drive booked"), "ok")
OVERDUE = Badge("overdue", _("Overdue"), "bad")


def attach_badges(leads: Iterable[Lead], *, today: Any = None) -> None:
    """Set ``lead.badges`` on each lead: deposit paid, refund asked, test drive booked, overdue.
    Two queries for the whole list, whatever its length."""
    leads = [lead for lead in leads if lead is not None]
    if not leads:
        return
    today = today or timezone.localdate()
    found = order_selectors.deposit_flags(leads)
    for lead_id in testdrive_selectors.leads_with_a_booking_ahead(leads):
        found[lead_id].add("test_drive")
    for lead in leads:
        keys = found.get(lead.pk, set())
        badges = [b for b in (REFUND, DEPOSIT, TEST_DRIVE) if b.key in keys]
        if lead.is_open and lead.next_follow_up_on and lead.next_follow_up_on < today:
            badges.append(OVERDUE)
        lead.badges = badges  # type: ignore[attr-defined]


def online_activity(actor: Actor, lead: Lead) -> dict[str, Any]:
    """The lead's test-drive bookings and deposit orders, each with what the page links to."""
    rows = []
    for order in order_selectors.lead_orders(lead):
        refunds = list(order.refunds.all())
        refund = refunds[0] if refunds else None
        rows.append({"o": order, "refund": refund, "refund_open": refund is not None and refund.status in ACTIVE_REFUND,
                     "link": actor.can("orders.view", dealer=lead.dealer)})
    under_way = next((r["o"] for r in rows if r["o"].status in UNDER_WAY), None)
    return {"bookings": testdrive_selectors.lead_bookings(lead), "orders": rows, "order_under_way": under_way,
            "refund_warning": any(r["refund_open"] for r in rows),
            "booking_link": actor.can("testdrives.view", dealer=lead.dealer)}
