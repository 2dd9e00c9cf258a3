"""Order services, one audited function per operation."""

from autodcc.orders.services.milestones import (
    accessory_advance,
    accessory_order_place,
    order_confirm_receipt,
    order_delivery_update,
    order_record_step,
    order_remind_receipt,
    remind_receipts,
)
from autodcc.orders.services.ordering import (
    notification_receive,
    order_create,
    paid_amount,
    payment_start,
    sandbox_pay,
)
from autodcc.orders.services.refunds import (
    marketplace_of,
    marketplace_refund_apply,
    refund_dealer_decide,
    refund_execute,
    refund_request,
    refund_review,
)
from autodcc.orders.services.unpaid import close_unpaid

__all__ = [
    "accessory_advance",
    "accessory_order_place",
    "close_unpaid",
    "marketplace_of",
    "marketplace_refund_apply",
    "notification_receive",
    "order_confirm_receipt",
    "order_create",
    "order_delivery_update",
    "order_record_step",
    "order_remind_receipt",
    "paid_amount",
    "payment_start",
    "refund_dealer_decide",
    "refund_execute",
    "refund_request",
    "refund_review",
    "remind_receipts",
    "sandbox_pay",
]
