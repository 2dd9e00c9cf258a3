"""The field policy for orders (ORD-3, ORD-4): HQ never sees the final deal price.

One place decides what each audience may read of an order; pages, exports and the API build
their output from ``order_view`` and never touch ``DealerDeal`` themselves. The audit trail
hides the rows about the dealer's deal from anyone outside the dealer.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from autodcc.core import phone
from autodcc.core.actors import Actor
from autodcc.orders.models import Order

# audit object types whose rows only the dealer's own staff may read
DEALER_ONLY_AUDIT_TYPES = frozenset({"orders.dealerdeal"})


def sees_deal(actor: Actor, order: Order) -> bool:
    """Only the order's dealer sees the contract value and the balance paid."""
    return not actor.is_hq and actor.can("orders.dealer", dealer=order.dealer)


def order_view(actor: Actor, order: Order) -> dict[str, Any]:
    """What ``actor`` may read of ``order``: status, timeline and delivery for everyone allowed to
    see the order; the contract value and balance only for the dealer's staff."""
    data: dict[str, Any] = {
        "number": order.number, "status": order.status, "status_label": str(order.get_status_display()),
        "trim": str(order.trim), "edition": str(order.edition) if order.edition_id else "",
        "deposit": order.deposit, "dealer": str(order.dealer), "dealer_code": order.dealer.code,
        "buyer": order.buyer_name, "wants_loan": order.wants_loan, "delivery_mode": order.delivery_mode,
        "colour": order.colour, "phone": phone.mask(order.customer.phone),
        "delivery_mode_label": str(order.get_delivery_mode_display()),
        "pay_by": order.pay_by, "payment_reminded_at": order.payment_reminded_at, "closed_at": order.closed_at,
        "receipt_reminders": order.receipt_reminders, "receipt_reminded_at": order.receipt_reminded_at,
        "timeline": [(label, getattr(order, f"{field}_at")) for field, label in TIMELINE],
    }
    if sees_deal(actor, order):
        deal = getattr(order, "dealer_deal", None)
        data["contract_value"] = deal.contract_value if deal else None
        data["balance_paid"] = deal.balance_paid if deal else None
        # contract = deposit + balance (ORD-4): the balance and what is still to be paid to the dealer
        value = data["contract_value"]
        data["balance"] = value - order.deposit if value is not None else None
        data["balance_due"] = (value - order.deposit - (data["balance_paid"] or 0)) if value is not None else None
    return data


TIMELINE = (("created", _("Ordered")), ("paid", _("Deposit paid")), ("visited", _("Visited the store")),
            ("contracted", _("Contract signed")), ("delivered", _("Car delivered")),
            ("received", _("Receipt confirmed")), ("refunded", _("Refunded")))
