"""The API's rate limits (``API_RATE_PER_KEY``, ``API_RATE_PER_ADDRESS``, ``API_AUTH_FAILURES``):
a caller over a limit is answered 429 with ``Retry-After``, in the API's error shape."""

from __future__ import annotations

import threading
from functools import cache
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja.throttling import BaseThrottle

from autodcc.core import limits

_waits = threading.local()


@cache
def rate(text: str) -> limits.Rate | None:
    return limits.Rate.parse(text)


class _Throttle(BaseThrottle):
    scope = ""
    setting = ""

    def ident(self, request: HttpRequest) -> str:
        raise NotImplementedError

    def allow_request(self, request: HttpRequest) -> bool:
        _waits.value = limits.hit(self.scope, self.ident(request), rate(getattr(settings, self.setting)))
        return not _waits.value

    def wait(self) -> float | None:
        return float(getattr(_waits, "value", 0) or 0) or None


class PerAddress(_Throttle):
    scope, setting = "api-addr", "API_RATE_PER_ADDRESS"

    def ident(self, request: HttpRequest) -> str:
        return limits.client_ip(request)


class PerCaller(_Throttle):
    """Per API key; a staff session per user."""

    scope, setting = "api-key", "API_RATE_PER_KEY"

    def ident(self, request: HttpRequest) -> str:
        token = getattr(request, "api_token", None)
        if token is not None:
            return f"t{token.pk}"
        user = getattr(request, "user", None)
        return f"u{user.pk}" if user is not None and user.is_authenticated else ""


THROTTLES: list[Any] = [PerAddress(), PerCaller()]


def refuse_guessing(request: HttpRequest) -> None:
    """Before a key is checked: an address with too many wrong keys lately waits (429)."""
    from ninja.errors import Throttled

    wait = limits.over("api-auth", limits.client_ip(request), rate(settings.API_AUTH_FAILURES))
    if wait:
        raise Throttled(wait=wait)


def count_failure(request: HttpRequest) -> None:
    limits.hit("api-auth", limits.client_ip(request), rate(settings.API_AUTH_FAILURES))
