from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ClassVar, Protocol


@dataclass(frozen=True)
class Checkout:
    """Where to send the buyer to pay."""

    url: str


@dataclass(frozen=True)
class Notified:
    """A verified notification, reduced to what the order needs."""

    kind: str  # "payment" or "refund"
    out_trade_no: str
    trade_no: str
    amount: Decimal
    succeeded: bool
    app_id: str = ""
    out_refund_no: str = ""
    refund_no: str = ""


class NotificationRejected(Exception):
    """The notification failed verification or does not fit any order (logged, answered 4xx)."""


class ProviderError(Exception):
    """The provider refused or could not be reached."""


class PaymentProvider(Protocol):
    name: ClassVar[str]
    ack_body: ClassVar[str]
    ack_content_type: ClassVar[str]

    @classmethod
    def from_settings(cls) -> PaymentProvider: ...

    def checkout(self, *, out_trade_no: str, amount: Decimal, subject: str, return_url: str,
                 notify_url: str, client_ip: str = "127.0.0.1", expires_at: dt.datetime | None = None) -> Checkout:
        """The page where the buyer pays; ``expires_at`` (the order's payment deadline): after it the
        payment company takes no money for this trade."""

    def parse_notification(self, body: bytes, headers: dict[str, str]) -> Notified: ...

    def refund(self, *, out_trade_no: str, trade_no: str, out_refund_no: str, amount: Decimal,
               total: Decimal) -> tuple[bool, str]:
        """(done now, provider refund number); raise ProviderError when refused."""
        ...


def yuan(value: Any) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))
