"""Orders need a catalogue, payment keys and a way to make paid orders."""

from __future__ import annotations

import base64
import json
import os
import time
from decimal import Decimal
from typing import Any

import pytest
from alipay import AliPay
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

ALIPAY_APP_ID = "2021000000000001"
WECHAT_MCH_ID = "1900000109"
WECHAT_APP_ID = "wx0000000000000001"
API_V3_KEY = "0123456789abcdef0123456789abcdef"


def _pair() -> tuple[str, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
    public = key.public_key().public_bytes(serialization.Encoding.PEM,
                                           serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    return private, public


@pytest.fixture(scope="session")
def keys() -> dict[str, tuple[str, str]]:
    """Real RSA key pairs: the merchant's, Alipay's, WeChat Pay's platform key, and a forger's."""
    return {name: _pair() for name in ("merchant", "alipay", "wechat_platform", "forger")}


@pytest.fixture
def payments_configured(settings, keys):
    settings.PAYMENT_PROVIDERS = ["sandbox", "alipay", "wechat"]
    settings.ALIPAY_APP_ID = ALIPAY_APP_ID
    settings.ALIPAY_APP_PRIVATE_KEY = keys["merchant"][0]
    settings.ALIPAY_PUBLIC_KEY = keys["alipay"][1]
    settings.WECHATPAY_MCH_ID, settings.WECHATPAY_APP_ID = WECHAT_MCH_ID, WECHAT_APP_ID
    settings.WECHATPAY_API_V3_KEY = API_V3_KEY
    settings.WECHATPAY_PRIVATE_KEY = keys["merchant"][0]
    settings.WECHATPAY_SERIAL_NO = "5157F09EFDC096DE15EBE81A47057A7232F1B8E1"
    settings.WECHATPAY_PLATFORM_PUBLIC_KEY = keys["wechat_platform"][1]
    return settings


class AlipaySide:
    """Alipay's side of the conversation: notifications signed with Alipay's private key by
    python-alipay-sdk's own signing code."""

    def __init__(self, private_key: str, merchant_public: str) -> None:
        self.client = AliPay(appid=ALIPAY_APP_ID, app_private_key_string=private_key,
                             alipay_public_key_string=merchant_public, sign_type="RSA2")

    def notification(self, **fields: Any) -> bytes:
        data = {"app_id": ALIPAY_APP_ID, "charset": "utf-8", "notify_id": "n" + str(time.time_ns()),
                "notify_time": "2026-11-24 10:00:00", "notify_type": "trade_status_sync", "version": "1.0",
                "trade_status": "TRADE_SUCCESS", "sign_type": "RSA2", **fields}
        unsigned = {k: v for k, v in data.items() if k not in ("sign", "sign_type")}
        raw = "&".join(f"{k}={v}" for k, v in self.client._ordered_data(dict(unsigned)))
        data["sign"] = self.client._sign(raw)
        from urllib.parse import urlencode

        return urlencode(data).encode()


@pytest.fixture
def alipay_side(keys) -> AlipaySide:
    return AlipaySide(keys["alipay"][0], keys["merchant"][1])


@pytest.fixture
def forger(keys) -> AlipaySide:
    return AlipaySide(keys["forger"][0], keys["merchant"][1])


class WeChatSide:
    def __init__(self, platform_private: str) -> None:
        self.key = serialization.load_pem_private_key(platform_private.encode(), password=None)

    def notification(self, resource: dict[str, Any], event: str = "TRANSACTION.SUCCESS",
                     timestamp: int | None = None) -> tuple[bytes, dict[str, str]]:
        nonce = os.urandom(6).hex()[:12]
        ciphertext = AESGCM(API_V3_KEY.encode()).encrypt(nonce.encode(), json.dumps(resource).encode(), b"transaction")
        body = json.dumps({"id": "EV-1", "event_type": event, "resource_type": "encrypt-resource", "resource": {
            "algorithm": "AEAD_AES_256_GCM", "ciphertext": base64.b64encode(ciphertext).decode(),
            "associated_data": "transaction", "nonce": nonce}}).encode()
        ts, header_nonce = str(timestamp or int(time.time())), os.urandom(8).hex()
        signature = self.key.sign(f"{ts}\n{header_nonce}\n{body.decode()}\n".encode(), padding.PKCS1v15(),
                                  hashes.SHA256())
        return body, {"Wechatpay-Timestamp": ts, "Wechatpay-Nonce": header_nonce,
                      "Wechatpay-Signature": base64.b64encode(signature).decode(), "Wechatpay-Serial": "PLATFORM"}


@pytest.fixture
def wechat_side(keys) -> WeChatSide:
    return WeChatSide(keys["wechat_platform"][0])


DEPOSIT = Decimal("500.00")
