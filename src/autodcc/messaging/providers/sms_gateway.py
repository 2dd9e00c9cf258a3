"""An HTTP SMS gateway (the common shape of Chinese SMS platforms): a signed JSON POST.

Request: ``POST SMS_GATEWAY_URL`` with ``{"phone", "sign", "content", "out_id"}``; headers
``X-Api-Key``, ``X-Timestamp`` and ``X-Signature = hex(HMAC-SHA256(secret, timestamp + "\\n" + body))``.
Response: ``{"code": "OK", "message_id": "..."}``; ``RATE_LIMITED``/``BUSY`` are retried, any
other code is a permanent refusal. ``out_id`` lets the gateway drop a retried duplicate.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import ClassVar

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from autodcc.core import phone as phones
from autodcc.messaging.providers.base import OutgoingMessage, PermanentProviderError, ProviderError
from autodcc.messaging.providers.http import request_json

RETRYABLE_CODES = {"RATE_LIMITED", "BUSY", "SYSTEM_ERROR"}


class SmsGatewayProvider:
    name: ClassVar[str] = "gateway"

    def __init__(self, url: str, key: str, secret: str, sign_name: str, timeout: float) -> None:
        self.url, self.key, self.secret, self.sign_name, self.timeout = url, key, secret, sign_name, timeout

    @classmethod
    def from_settings(cls) -> SmsGatewayProvider:
        if not (settings.SMS_GATEWAY_URL and settings.SMS_GATEWAY_KEY and settings.SMS_GATEWAY_SECRET):
            raise ImproperlyConfigured("the SMS gateway needs SMS_GATEWAY_URL, SMS_GATEWAY_KEY and SMS_GATEWAY_SECRET")
        return cls(settings.SMS_GATEWAY_URL, settings.SMS_GATEWAY_KEY, settings.SMS_GATEWAY_SECRET,
                   settings.SMS_SIGN_NAME, settings.MESSAGING_HTTP_TIMEOUT)

    def sign(self, timestamp: str, body: bytes) -> str:
        return hmac.new(self.secret.encode(), timestamp.encode() + b"\n" + body, hashlib.sha256).hexdigest()

    def send(self, message: OutgoingMessage) -> str:
        if not message.phone:
            raise PermanentProviderError("no phone number")
        payload = {"phone": phones.national(message.phone), "sign": self.sign_name, "content": message.body,
                   "out_id": str(message.message_id)}
        body = json.dumps(payload, ensure_ascii=False).encode()
        timestamp = str(int(time.time()))
        headers = {"X-Api-Key": self.key, "X-Timestamp": timestamp, "X-Signature": self.sign(timestamp, body)}
        _status, data = request_json(self.url, payload=payload, headers=headers, timeout=self.timeout)
        code = str(data.get("code", ""))
        if code == "OK":
            return str(data.get("message_id", ""))
        if code in RETRYABLE_CODES:
            raise ProviderError(f"gateway {code}: {data.get('message', '')}")
        raise PermanentProviderError(f"gateway {code or 'no code'}: {data.get('message', '')}")
