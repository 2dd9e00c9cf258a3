"""Alipay (支付宝) through python-alipay-sdk with RSA2 signatures.

Checkout is a signed mobile-web payment URL; the asynchronous notification is a form POST whose
``sign`` is checked against Alipay's public key by the SDK (RSA2 over the sorted parameters);
refunds call ``alipay.trade.refund`` (the SDK verifies the signed response).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import ClassVar
from urllib.parse import parse_qsl

from alipay import AliPay
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from autodcc.orders.providers.base import Checkout, NotificationRejected, Notified, ProviderError, yuan

PAID_STATES = {"TRADE_SUCCESS", "TRADE_FINISHED"}


def _pem(value: str) -> str:
    """A PEM given inline or as a path to a file."""
    if value and "-----BEGIN" not in value and Path(value).exists():
        return Path(value).read_text()
    return value


CHINA = dt.timezone(dt.timedelta(hours=8))


class AlipayProvider:
    name: ClassVar[str] = "alipay"
    ack_body: ClassVar[str] = "success"
    ack_content_type: ClassVar[str] = "text/plain"

    def __init__(self, client: AliPay, app_id: str) -> None:
        self.client, self.app_id = client, app_id

    @classmethod
    def from_settings(cls) -> AlipayProvider:
        if not (settings.ALIPAY_APP_ID and settings.ALIPAY_APP_PRIVATE_KEY and settings.ALIPAY_PUBLIC_KEY):
            raise ImproperlyConfigured("Alipay needs ALIPAY_APP_ID, ALIPAY_APP_PRIVATE_KEY and ALIPAY_PUBLIC_KEY")
        client = AliPay(appid=settings.ALIPAY_APP_ID, app_notify_url=None,
                        app_private_key_string=_pem(settings.ALIPAY_APP_PRIVATE_KEY),
                        alipay_public_key_string=_pem(settings.ALIPAY_PUBLIC_KEY), sign_type="RSA2",
                        debug=settings.ALIPAY_SANDBOX)
        if settings.ALIPAY_GATEWAY:
            client._gateway = settings.ALIPAY_GATEWAY  # an Alipay-compatible gateway (tests, proxies)
        return cls(client, settings.ALIPAY_APP_ID)

    def checkout(self, *, out_trade_no: str, amount: Decimal, subject: str, return_url: str,
                 notify_url: str, client_ip: str = "127.0.0.1", expires_at: dt.datetime | None = None) -> Checkout:
        extra = {}
        if expires_at is not None:  # alipay.trade.wap.pay: absolute expiry, Beijing time
            extra["time_expire"] = expires_at.astimezone(CHINA).strftime("%Y-%m-%d %H:%M:%S")
        query = self.client.api_alipay_trade_wap_pay(subject=subject, out_trade_no=out_trade_no,
                                                     total_amount=str(yuan(amount)), return_url=return_url,
                                                     notify_url=notify_url, **extra)
        return Checkout(f"{self.client._gateway}?{query}")

    def parse_notification(self, body: bytes, headers: dict[str, str]) -> Notified:
        data = dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
        signature = data.pop("sign", "")
        if not signature:
            raise NotificationRejected("no signature")
        try:
            valid = self.client.verify(dict(data), signature)
        except Exception as exc:  # malformed signature or sign type
            raise NotificationRejected(f"signature check failed: {exc}") from None
        if not valid:
            raise NotificationRejected("bad signature")
        if data.get("app_id") != self.app_id:
            raise NotificationRejected("notification for another app")
        try:
            amount = yuan(data["total_amount"])
        except Exception:
            raise NotificationRejected("no amount") from None
        refund_fee = data.get("refund_fee")
        if refund_fee:
            return Notified(kind="refund", out_trade_no=data.get("out_trade_no", ""), trade_no=data.get("trade_no", ""),
                            amount=yuan(refund_fee), succeeded=True, app_id=data.get("app_id", ""),
                            out_refund_no=data.get("out_biz_no", ""))
        return Notified(kind="payment", out_trade_no=data.get("out_trade_no", ""), trade_no=data.get("trade_no", ""),
                        amount=amount, succeeded=data.get("trade_status") in PAID_STATES, app_id=data.get("app_id", ""))

    def refund(self, *, out_trade_no: str, trade_no: str, out_refund_no: str, amount: Decimal,
               total: Decimal) -> tuple[bool, str]:
        try:
            result = self.client.api_alipay_trade_refund(refund_amount=str(yuan(amount)), out_trade_no=out_trade_no,
                                                         out_request_no=out_refund_no)
        except Exception as exc:
            raise ProviderError(f"alipay refund: {exc}") from None
        if result.get("code") != "10000":
            raise ProviderError(f"alipay refund {result.get('code')}: {result.get('sub_msg') or result.get('msg')}")
        return result.get("fund_change") == "Y", result.get("trade_no", trade_no)
