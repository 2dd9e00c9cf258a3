"""A small per-process memo with a time limit, for rows that change rarely and are read on the
hot path (a dealer's lead rules, the active message templates). A change shows after ``ttl``
seconds at the latest; ``forget`` drops an entry at once in the process that made the change."""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable
from threading import Lock
from typing import Any, TypeVar

T = TypeVar("T")
_store: dict[Hashable, tuple[float, Any]] = {}
_lock = Lock()


def remember(key: Hashable, ttl: float, compute: Callable[[], T]) -> T:
    now = time.monotonic()
    hit = _store.get(key)
    if hit is not None and hit[0] > now:
        return hit[1]  # type: ignore[no-any-return]
    value = compute()
    with _lock:
        _store[key] = (now + ttl, value)
    return value


def peek(key: Hashable) -> Any:
    """The remembered value, or None when there is none (or it has expired)."""
    hit = _store.get(key)
    return hit[1] if hit is not None and hit[0] > time.monotonic() else None


def forget(*keys: Hashable) -> None:
    with _lock:
        for key in keys:
            _store.pop(key, None)


def clear() -> None:
    with _lock:
        _store.clear()
