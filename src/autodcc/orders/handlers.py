"""Outbox handlers of the money path: the sandbox's notifications and provider refunds."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from autodcc.core import outbox
from autodcc.orders.services import refunds


@outbox.handler("orders.sandbox_notify")
def sandbox_notify(payload: dict[str, Any]) -> None:
    """The sandbox 'payment company' calls back, asynchronously, with a signed notification."""
    from autodcc.orders.providers.sandbox import SandboxProvider
    from autodcc.orders.services.ordering import notification_receive

    body, headers = SandboxProvider().notification(kind=payload["kind"], out_trade_no=payload["out_trade_no"],
                                                   amount=Decimal(payload["amount"]),
                                                   out_refund_no=payload.get("out_refund_no", ""))
    notification_receive("sandbox", body, headers)


def _refund_error(payload: dict[str, Any], error: str, attempts: int, gave_up: bool) -> None:
    if gave_up:
        refunds.refund_failed(payload["refund_id"], error)


@outbox.handler(refunds.REFUND_TOPIC, on_error=_refund_error)
def send_refund(payload: dict[str, Any]) -> None:
    refunds.send_refund(payload["refund_id"])  # a provider error is retried with back-off, then marked failed
