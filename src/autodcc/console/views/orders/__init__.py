"""Console pages of deposit orders (ORD-1..9) and of finance (ORD-8).

The order list is HQ customer service's queue and each dealer's list of its own orders; the order
page is built from ``policy.order_view`` (the contract value and the balance exist there only for
the order's dealer staff) plus the order's payments, refunds, delivery updates, accessories and
rewards, never from ``DealerDeal``. Every action posts to its own URL, finds its object through
the actor's scope (404 for another dealer's), calls one service and re-renders the page's body for
htmx (or redirects); what a service refuses shows on the action's form.

Finance (HQ finance only): provider statements imported and reconciled, the month's settlement
run once per dealer, and the transfer list as Excel.
"""

from autodcc.console.views.orders.finance import finance, settlement_settle, statement_detail, transfer_list
from autodcc.console.views.orders.orders import (
    accessory_list,
    accessory_step,
    order_accessories,
    order_delivery_update_add,
    order_detail,
    order_list,
    order_remind,
    order_step,
    refund_decide,
    refund_review_view,
    refund_run,
    reward_list,
)

__all__ = [
    "accessory_list", "accessory_step", "finance", "order_accessories", "order_delivery_update_add", "order_detail",
    "order_list", "order_remind",
    "order_step", "refund_decide", "refund_review_view", "refund_run",
    "reward_list", "settlement_settle", "statement_detail", "transfer_list",
]
