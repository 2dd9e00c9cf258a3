"""Who is asking (the client's address behind trusted proxies) and how often (fixed-window
counters in the cache), for the API's limits, the login lockout and the store's forms.

``TRUSTED_PROXIES`` lists the proxies' addresses or networks; a request from one of them is
attributed to the last address in ``X-Forwarded-For`` that is not a trusted proxy. Without it
the peer's own address counts, whatever the headers say (a client cannot choose its address).
"""

from __future__ import annotations

import ipaddress
import logging
import time
from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.http import HttpRequest

log = logging.getLogger(__name__)


@cache
def _networks(names: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(n, strict=False) for n in names)


def _trusted() -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return _networks(tuple(settings.TRUSTED_PROXIES))


def _is_trusted(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in _trusted())


def client_ip(request: HttpRequest) -> str:
    """The client's address: the peer's, or behind trusted proxies the first one they forwarded."""
    peer = request.META.get("REMOTE_ADDR", "") or ""
    if not _trusted() or not _is_trusted(peer):
        return peer
    hops = [h.strip() for h in (request.META.get("HTTP_X_FORWARDED_FOR") or "").split(",") if h.strip()]
    for hop in reversed(hops):
        if not _is_trusted(hop):
            return hop
    return hops[0] if hops else peer


def client_ip_meta(request: HttpRequest) -> str:
    """For django-ratelimit's ``RATELIMIT_IP_META_KEY`` (a callable that returns the address)."""
    return client_ip(request)


def axes_client_ip(request: HttpRequest) -> str:
    return client_ip(request)


@dataclass(frozen=True)
class Rate:
    count: int
    seconds: int

    @classmethod
    def parse(cls, text: str) -> Rate | None:
        """``"600/m"`` → 600 per 60 s; ``"0"``/empty: no limit."""
        text = (text or "").strip()
        if text in {"", "0", "off"}:
            return None
        count, _slash, unit = text.partition("/")
        seconds = {"s": 1, "m": 60, "h": 3600, "d": 86400}.get(unit.strip()[-1:] or "m")
        multiple = unit.strip()[:-1]
        if seconds is None or not count.isdigit() or (multiple and not multiple.isdigit()):
            raise ValueError(f"rate {text!r}: use <count>/<s|m|h|d>, e.g. 600/m")
        return cls(int(count), seconds * (int(multiple) if multiple else 1))


def hit(scope: str, ident: str, rate: Rate | None) -> int:
    """Count one request of ``ident`` in ``scope``; the seconds to wait when over the rate (0: go
    on). A fixed window: one cache operation per request. With the cache down nothing is limited
    (a limit must never turn a working service into an outage)."""
    if rate is None or not ident:
        return 0
    from django.core.cache import cache

    now = time.time()
    window = int(now // rate.seconds)
    key = f"rl:{scope}:{ident}:{window}"
    try:
        try:
            count = cache.incr(key)
        except ValueError:  # first of this window
            if cache.add(key, 1, rate.seconds + 1):
                count = 1
            else:
                count = cache.incr(key)
    except Exception:
        log.warning("rate limit %s not counted: the cache is unavailable", scope, exc_info=True)
        return 0
    if count <= rate.count:
        return 0
    return max(1, int((window + 1) * rate.seconds - now) + 1)


def over(scope: str, ident: str, rate: Rate | None) -> int:
    """The seconds to wait when ``ident`` is already over the rate in ``scope`` (nothing counted)."""
    if rate is None or not ident:
        return 0
    from django.core.cache import cache

    now = time.time()
    window = int(now // rate.seconds)
    try:
        count = cache.get(f"rl:{scope}:{ident}:{window}") or 0
    except Exception:
        return 0
    return max(1, int((window + 1) * rate.seconds - now) + 1) if count >= rate.count else 0
