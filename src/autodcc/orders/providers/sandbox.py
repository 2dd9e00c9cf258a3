"""The sandbox provider: its own checkout page and HMAC-signed asynchronous notifications,
so the whole money path runs end to end without a real payment company (the demo uses it)."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import secrets
from decimal import Decimal
from typing import ClassVar

from django.conf import settings
from django.urls import reverse

from autodcc.orders.providers.base import Checkout, NotificationRejected, Notified, yuan


def _secret() -> bytes:
    return (settings.SANDBOX_PAY_SECRET or ("sandbox:" + settings.SECRET_KEY)).encode()


def sign(body: bytes) -> str:
    return hmac.new(_secret(), body, hashlib.sha256).hexdigest()


class SandboxProvider:
    name: ClassVar[str] = "sandbox"
    ack_body: ClassVar[str] = "OK"
    ack_content_type: ClassVar[str] = "text/plain"

    @classmethod
    def from_settings(cls) -> SandboxProvider:
        return cls()

    def checkout(self, *, out_trade_no: str, amount: Decimal, subject: str, return_url: str,
                 notify_url: str, client_ip: str = "127.0.0.1", expires_at: dt.datetime | None = None) -> Checkout:
        return Checkout(reverse("sandbox_checkout", args=[out_trade_no]))

    def notification(self, *, kind: str, out_trade_no: str, amount: Decimal, out_refund_no: str = "") -> tuple[bytes, dict[str, str]]:
        """What the sandbox 'payment company' sends back: a JSON body and its signature header."""
        payload = {"kind": kind, "out_trade_no": out_trade_no, "amount": str(yuan(amount)), "status": "SUCCESS",
                   "trade_no": "SB" + secrets.token_hex(8), "out_refund_no": out_refund_no,
                   "refund_no": ("SBR" + secrets.token_hex(6)) if kind == "refund" else ""}
        body = json.dumps(payload, sort_keys=True).encode()
        return body, {"X-Sandbox-Signature": sign(body)}

    def parse_notification(self, body: bytes, headers: dict[str, str]) -> Notified:
        given = headers.get("X-Sandbox-Signature", "")
        if not given or not hmac.compare_digest(given, sign(body)):
            raise NotificationRejected("bad signature")
        data = json.loads(body)
        return Notified(kind=data["kind"], out_trade_no=data["out_trade_no"], trade_no=data["trade_no"],
                        amount=yuan(data["amount"]), succeeded=data["status"] == "SUCCESS",
                        out_refund_no=data.get("out_refund_no", ""), refund_no=data.get("refund_no", ""))

    def refund(self, *, out_trade_no: str, trade_no: str, out_refund_no: str, amount: Decimal,
               total: Decimal) -> tuple[bool, str]:
        return True, "SBR" + secrets.token_hex(6)
