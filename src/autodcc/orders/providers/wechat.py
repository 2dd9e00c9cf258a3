"""WeChat Pay API v3 (微信支付).

Requests are signed with the merchant's RSA key (``WECHATPAY2-SHA256-RSA2048``); notifications
are verified against the platform public key over ``timestamp\\nnonce\\nbody\\n`` and their
resource decrypted with AES-256-GCM using the API v3 key. Amounts travel in fen.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import secrets
import time
import urllib.error
import urllib.request
from decimal import Decimal
from pathlib import Path
from typing import Any, ClassVar

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from autodcc.orders.providers.base import Checkout, NotificationRejected, Notified, ProviderError

MAX_CLOCK_SKEW = 300


def _pem(value: str) -> bytes:
    if value and "-----BEGIN" not in value and Path(value).exists():
        return Path(value).read_bytes()
    return value.encode()


def fen(amount: Decimal) -> int:
    return int((amount * 100).quantize(Decimal(1)))


class WeChatPayProvider:
    name: ClassVar[str] = "wechat"
    ack_body: ClassVar[str] = '{"code": "SUCCESS", "message": "成功"}'
    ack_content_type: ClassVar[str] = "application/json"

    def __init__(self, *, mch_id: str, app_id: str, api_v3_key: bytes, private_key_pem: bytes, serial_no: str,
                 platform_public_key_pem: bytes, base: str) -> None:
        self.mch_id, self.app_id, self.api_v3_key, self.serial_no = mch_id, app_id, api_v3_key, serial_no
        self.private_key = serialization.load_pem_private_key(private_key_pem, password=None)
        self.platform_key = serialization.load_pem_public_key(platform_public_key_pem)
        self.base = base.rstrip("/")

    @classmethod
    def from_settings(cls) -> WeChatPayProvider:
        names = ("WECHATPAY_MCH_ID", "WECHATPAY_APP_ID", "WECHATPAY_API_V3_KEY", "WECHATPAY_PRIVATE_KEY",
                 "WECHATPAY_SERIAL_NO", "WECHATPAY_PLATFORM_PUBLIC_KEY")
        missing = [n for n in names if not getattr(settings, n)]
        if missing:
            raise ImproperlyConfigured(f"WeChat Pay needs {', '.join(missing)}")
        return cls(mch_id=settings.WECHATPAY_MCH_ID, app_id=settings.WECHATPAY_APP_ID,
                   api_v3_key=settings.WECHATPAY_API_V3_KEY.encode(),
                   private_key_pem=_pem(settings.WECHATPAY_PRIVATE_KEY), serial_no=settings.WECHATPAY_SERIAL_NO,
                   platform_public_key_pem=_pem(settings.WECHATPAY_PLATFORM_PUBLIC_KEY),
                   base=settings.WECHATPAY_API_BASE)

    # --- requests -------------------------------------------------------------------------------
    def authorization(self, method: str, path: str, body: str, *, timestamp: str | None = None,
                      nonce: str | None = None) -> str:
        timestamp = timestamp or str(int(time.time()))
        nonce = nonce or secrets.token_hex(16)
        message = f"{method}\n{path}\n{timestamp}\n{nonce}\n{body}\n".encode()
        signature = base64.b64encode(self.private_key.sign(message, padding.PKCS1v15(), hashes.SHA256())).decode()
        return (f'WECHATPAY2-SHA256-RSA2048 mchid="{self.mch_id}",nonce_str="{nonce}",signature="{signature}",'
                f'timestamp="{timestamp}",serial_no="{self.serial_no}"')

    def _post(self, path: str, payload: dict[str, Any]) -> dict[str, Any]:
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
        request = urllib.request.Request(self.base + path, data=body.encode(), method="POST")
        request.add_header("Content-Type", "application/json")
        request.add_header("Accept", "application/json")
        request.add_header("Authorization", self.authorization("POST", path, body))
        try:
            with urllib.request.urlopen(request, timeout=settings.MESSAGING_HTTP_TIMEOUT) as response:
                return json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as exc:
            raise ProviderError(f"wechat pay HTTP {exc.code}: {exc.read()[:200]!r}") from None
        except (urllib.error.URLError, TimeoutError) as exc:
            raise ProviderError(f"wechat pay unreachable: {exc}") from None

    def checkout(self, *, out_trade_no: str, amount: Decimal, subject: str, return_url: str,
                 notify_url: str, client_ip: str = "127.0.0.1", expires_at: dt.datetime | None = None) -> Checkout:
        order: dict[str, object] = {
            "appid": self.app_id, "mchid": self.mch_id, "description": subject[:127], "out_trade_no": out_trade_no,
            "notify_url": notify_url, "amount": {"total": fen(amount), "currency": "CNY"},
            "scene_info": {"payer_client_ip": client_ip, "h5_info": {"type": "Wap"}},
        }
        if expires_at is not None:  # v3: RFC 3339 with the offset, after which the trade is closed
            order["time_expire"] = expires_at.astimezone(dt.timezone(dt.timedelta(hours=8))).isoformat(timespec="seconds")
        data = self._post("/v3/pay/transactions/h5", order)
        if "h5_url" not in data:
            raise ProviderError(f"wechat pay: no h5_url in {data}")
        return Checkout(data["h5_url"])

    # --- notifications --------------------------------------------------------------------------
    def parse_notification(self, body: bytes, headers: dict[str, str]) -> Notified:
        h = {k.lower(): v for k, v in headers.items()}
        timestamp, nonce = h.get("wechatpay-timestamp", ""), h.get("wechatpay-nonce", "")
        signature = h.get("wechatpay-signature", "")
        if not (timestamp and nonce and signature):
            raise NotificationRejected("missing signature headers")
        if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > MAX_CLOCK_SKEW:
            raise NotificationRejected("stale or malformed timestamp")
        message = f"{timestamp}\n{nonce}\n{body.decode('utf-8')}\n".encode()
        try:
            self.platform_key.verify(base64.b64decode(signature), message, padding.PKCS1v15(), hashes.SHA256())
        except (InvalidSignature, ValueError):
            raise NotificationRejected("bad signature") from None
        envelope = json.loads(body)
        resource = envelope.get("resource", {})
        try:
            plain = AESGCM(self.api_v3_key).decrypt(
                resource["nonce"].encode(), base64.b64decode(resource["ciphertext"]),
                resource.get("associated_data", "").encode())
        except Exception:
            raise NotificationRejected("cannot decrypt the resource") from None
        data = json.loads(plain)
        if envelope.get("event_type", "").startswith("REFUND"):
            return Notified(kind="refund", out_trade_no=data.get("out_trade_no", ""),
                            trade_no=data.get("transaction_id", ""),
                            amount=Decimal(data["amount"]["refund"]) / 100,
                            succeeded=data.get("refund_status") == "SUCCESS", app_id="",
                            out_refund_no=data.get("out_refund_no", ""), refund_no=data.get("refund_id", ""))
        if data.get("mchid") and data.get("mchid") != self.mch_id:
            raise NotificationRejected("notification for another merchant")
        return Notified(kind="payment", out_trade_no=data.get("out_trade_no", ""),
                        trade_no=data.get("transaction_id", ""), amount=Decimal(data["amount"]["total"]) / 100,
                        succeeded=data.get("trade_state") == "SUCCESS", app_id=data.get("appid", ""))

    def refund(self, *, out_trade_no: str, trade_no: str, out_refund_no: str, amount: Decimal,
               total: Decimal) -> tuple[bool, str]:
        data = self._post("/v3/refund/domestic/refunds", {
            "out_trade_no": out_trade_no, "out_refund_no": out_refund_no,
            "amount": {"refund": fen(amount), "total": fen(total), "currency": "CNY"},
        })
        status = data.get("status")
        if status not in ("SUCCESS", "PROCESSING"):
            raise ProviderError(f"wechat pay refund: {data}")
        return status == "SUCCESS", data.get("refund_id", "")
