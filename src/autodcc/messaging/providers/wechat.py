"""WeChat Official Account template messages (模板消息).

Access token from ``GET /cgi-bin/token`` (cached until shortly before it expires), message by
``POST /cgi-bin/message/template/send``. ``errcode`` 0 is success; -1 (busy) and the token errors
40001/40014/42001 are retried (the token is fetched anew); anything else is permanent.
"""

from __future__ import annotations

import urllib.parse
from typing import ClassVar

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured

from autodcc.messaging.providers.base import OutgoingMessage, PermanentProviderError, ProviderError
from autodcc.messaging.providers.http import request_json

TOKEN_ERRORS = {40001, 40014, 42001}
RETRYABLE = {-1, 45009} | TOKEN_ERRORS


class WeChatTemplateProvider:
    name: ClassVar[str] = "wechat"

    def __init__(self, base: str, app_id: str, app_secret: str, timeout: float) -> None:
        self.base, self.app_id, self.app_secret, self.timeout = base.rstrip("/"), app_id, app_secret, timeout

    @classmethod
    def from_settings(cls) -> WeChatTemplateProvider:
        if not (settings.WECHAT_APP_ID and settings.WECHAT_APP_SECRET):
            raise ImproperlyConfigured("WeChat template messages need WECHAT_APP_ID and WECHAT_APP_SECRET")
        return cls(settings.WECHAT_API_BASE, settings.WECHAT_APP_ID, settings.WECHAT_APP_SECRET,
                   settings.MESSAGING_HTTP_TIMEOUT)

    @property
    def _cache_key(self) -> str:
        return f"wechat-token:{self.app_id}"

    def access_token(self) -> str:
        token = cache.get(self._cache_key)
        if token:
            return token
        query = urllib.parse.urlencode(
            {"grant_type": "client_credential", "appid": self.app_id, "secret": self.app_secret}
        )
        _status, data = request_json(f"{self.base}/cgi-bin/token?{query}", timeout=self.timeout)
        if "access_token" not in data:
            raise ProviderError(f"token: errcode {data.get('errcode')} {data.get('errmsg', '')}")
        cache.set(self._cache_key, data["access_token"], max(60, int(data.get("expires_in", 7200)) - 300))
        return data["access_token"]

    def send(self, message: OutgoingMessage) -> str:
        if not message.openid:
            raise PermanentProviderError("no WeChat openid")
        if not message.template_id:
            raise PermanentProviderError("no WeChat template id")
        payload = {
            "touser": message.openid,
            "template_id": message.template_id,
            "data": {key: {"value": str(value)} for key, value in message.data.items()},
        }
        query = urllib.parse.urlencode({"access_token": self.access_token()})
        _status, data = request_json(f"{self.base}/cgi-bin/message/template/send?{query}", payload=payload,
                                     timeout=self.timeout)
        code = int(data.get("errcode", 0))
        if code == 0:
            return str(data.get("msgid", ""))
        if code in TOKEN_ERRORS:
            cache.delete(self._cache_key)
        if code in RETRYABLE:
            raise ProviderError(f"errcode {code}: {data.get('errmsg', '')}")
        raise PermanentProviderError(f"errcode {code}: {data.get('errmsg', '')}")
