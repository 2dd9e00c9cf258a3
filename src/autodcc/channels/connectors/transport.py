"""How connectors call a platform: a plain callable, so tests hand in a local fake."""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Call:
    method: str
    url: str
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes


Transport = Callable[[Call], Answer]
TIMEOUT_SECONDS = 15


class TransportError(Exception):
    """The platform could not be reached or answered with something unusable."""


def urllib_transport(call: Call) -> Answer:
    request = urllib.request.Request(call.url, data=call.body or None, headers=call.headers, method=call.method)
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            return Answer(response.status, response.read())
    except urllib.error.HTTPError as exc:
        return Answer(exc.code, exc.read())
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise TransportError(str(exc)) from exc
