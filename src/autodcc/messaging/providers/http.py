from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

from autodcc.messaging.providers.base import PermanentProviderError, ProviderError


def request_json(url: str, *, payload: dict[str, Any] | None = None, headers: dict[str, str] | None = None,
                 timeout: float = 10) -> tuple[int, dict[str, Any]]:
    """One JSON request. Network trouble and 5xx/429 are retryable; other 4xx are permanent."""
    data = json.dumps(payload, ensure_ascii=False).encode() if payload is not None else None
    req = urllib.request.Request(url, data=data, method="POST" if data is not None else "GET")
    req.add_header("Content-Type", "application/json; charset=utf-8")
    for key, value in (headers or {}).items():
        req.add_header(key, value)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            status, raw = resp.status, resp.read()
    except urllib.error.HTTPError as exc:
        if exc.code == 429 or exc.code >= 500:
            raise ProviderError(f"HTTP {exc.code}") from None
        raise PermanentProviderError(f"HTTP {exc.code}: {exc.read()[:200]!r}") from None
    except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
        raise ProviderError(f"network: {exc}") from None
    try:
        return status, json.loads(raw or b"{}")
    except ValueError:
        raise ProviderError(f"unreadable response: {raw[:200]!r}") from None
