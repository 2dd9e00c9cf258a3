"""Reads of deposit orders for the faces: a lead's orders, the deposit flags of a list of leads,
a buyer's own orders, the part orders HQ follows."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db.models import Prefetch, QuerySet

from autodcc.core.actors import Actor
from autodcc.orders.models import ACTIVE_REFUND, MILESTONE_ORDER, AccessoryOrder, AccessoryStatus, Order, Refund


def lead_orders(lead: Any) -> list[Order]:
    """The lead's deposit orders at its own dealer (a lead re-allocated by HQ leaves them behind),
    newest first, each with its refunds newest first."""
    return list(Order.objects.filter(lead_id=lead.pk, dealer_id=lead.dealer_id).select_related("trim", "edition")
                .order_by("-created_at")
                .prefetch_related(Prefetch("refunds", queryset=Refund.objects.order_by("-requested_at"))))


def deposit_flags(leads: Iterable[Any]) -> dict[int, set[str]]:
    """Per lead: "deposit" when a paid deposit is on its way at the lead's dealer, "refund" when
    its buyer asked for it back. One query for the whole list."""
    dealer_of = {lead.pk: lead.dealer_id for lead in leads}
    found: dict[int, set[str]] = defaultdict(set)
    for lead_id, dealer_id, refunding in (Order.objects.filter(lead_id__in=dealer_of, status__in=MILESTONE_ORDER)
                                          .values_list("lead_id", "dealer_id", "refunds__status")):
        if dealer_id != dealer_of[lead_id]:
            continue  # left behind at the dealer the lead was re-allocated from
        found[lead_id].add("deposit")
        if refunding in ACTIVE_REFUND:
            found[lead_id].add("refund")
    return found


def buyer_orders(phone: str) -> QuerySet[Order]:
    """Every order made with this (proven) mobile number, newest first."""
    return (Order.objects.filter(customer__phone=phone).select_related("trim", "edition", "dealer")
            .order_by("-created_at"))


def accessory_orders(actor: Actor, *, status: str = "") -> QuerySet[AccessoryOrder]:
    """The part orders the actor may see, the ones waiting first; ``status`` narrows them."""
    rows = (AccessoryOrder.objects.visible_to(actor).select_related("order__dealer", "package")
            .order_by("status", "promised_on", "pk"))
    return rows.filter(status=status) if status in AccessoryStatus.values else rows
