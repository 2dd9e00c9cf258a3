"""The lead as the hub: what the customer did online (test-drive bookings, deposit orders and
their refunds) on the lead page, and the badges that make such a lead stand out in every list."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from autodcc.core.actors import Actor
from autodcc.leads.models import Lead
from autodcc.orders.models import ACTIVE_REFUND, Order, OrderStatus, Refund
from autodcc.orders.services.milestones import UNDER_WAY
from autodcc.testdrives.models import Booking, BookingStatus

# a paid deposit that is still the dealer's business (not refunded)
HELD_DEPOSIT = (OrderStatus.PAID, OrderStatus.VISITED, OrderStatus.CONTRACTED, OrderStatus.DELIVERED,
                OrderStatus.RECEIVED)


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
    ids = {lead.pk for lead in leads}
    dealer_of = {lead.pk: lead.dealer_id for lead in leads}
    found: dict[int, set[str]] = defaultdict(set)
    for lead_id, dealer_id, refunding in (Order.objects.filter(lead_id__in=ids, status__in=HELD_DEPOSIT)
                                          .values_list("lead_id", "dealer_id", "refunds__status")):
        if dealer_id != dealer_of[lead_id]:
            continue  # left behind at the dealer the lead was re-allocated from
        found[lead_id].add("deposit")
        if refunding in ACTIVE_REFUND:
            found[lead_id].add("refund")
    for lead_id, dealer_id in Booking.objects.filter(lead_id__in=ids, status=BookingStatus.BOOKED,
                                                     starts_at__gte=timezone.now()).values_list("lead_id", "dealer_id"):
        if dealer_id == dealer_of[lead_id]:
            found[lead_id].add("test_drive")
    for lead in leads:
        keys = found.get(lead.pk, set())
        badges = [b for b in (REFUND, DEPOSIT, TEST_DRIVE) if b.key in keys]
        if lead.is_open and lead.next_follow_up_on and lead.next_follow_up_on < today:
            badges.append(OVERDUE)
        lead.badges = badges  # type: ignore[attr-defined]


def online_activity(actor: Actor, lead: Lead) -> dict[str, Any]:
    """The lead's test-drive bookings and deposit orders, each with what the page links to."""
    # the lead's dealer's own (a lead re-allocated by HQ leaves its orders and bookings behind)
    bookings = list(lead.testdrive_bookings.filter(dealer_id=lead.dealer_id).select_related("vehicle__trim")
                    .order_by("-starts_at"))
    orders = list(lead.orders.filter(dealer_id=lead.dealer_id).select_related("trim", "edition").order_by("-created_at")
                  .prefetch_related(Prefetch("refunds", queryset=Refund.objects.order_by("-requested_at"))))
    rows = []
    for order in orders:
        refunds = list(order.refunds.all())
        refund = refunds[0] if refunds else None
        rows.append({"o": order, "refund": refund, "refund_open": refund is not None and refund.status in ACTIVE_REFUND,
                     "link": actor.can("orders.view", dealer=lead.dealer)})
    under_way = next((r["o"] for r in rows if r["o"].status in UNDER_WAY), None)
    return {"bookings": bookings, "orders": rows, "order_under_way": under_way,
            "refund_warning": any(r["refund_open"] for r in rows),
            "booking_link": actor.can("testdrives.view", dealer=lead.dealer)}
