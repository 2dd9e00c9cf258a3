"""The live bank's index: built once per process from the active entries, and built again when the
bank changes (its stamp: how many entries, the newest change). Answering reads the stamp, one small
query, and ranks in memory."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db.models import Count, Max

from autodcc.assistant.matcher import Index, Match
from autodcc.assistant.models import Entry

DATA = Path(__file__).resolve().parent / "data" / "faq_bank.json"


def shipped_bank() -> list[dict[str, Any]]:
    """The demo bank as shipped (code, category, question, variants, answer, links)."""
    return json.loads(DATA.read_text(encoding="utf-8"))


def threshold() -> float:
    return float(settings.ASSISTANT_MIN_CONFIDENCE)


@dataclass
class _Built:
    stamp: tuple[Any, ...]
    index: Index


_current: _Built | None = None
_lock = threading.Lock()


def _stamp() -> tuple[Any, ...]:
    row = Entry.objects.aggregate(n=Count("pk"), last=Max("updated_at"), top=Max("pk"))
    return row["n"], row["last"], row["top"]


def index() -> Index:
    """The index of the active entries as they are now."""
    global _current
    stamp = _stamp()
    built = _current
    if built is not None and built.stamp == stamp:
        return built.index
    with _lock:
        if _current is not None and _current.stamp == stamp:
            return _current.index
        rows = Entry.objects.filter(is_active=True).values_list("pk", "question", "variants", "answer")
        fresh = Index((pk, [q, *[v.strip() for v in variants.splitlines() if v.strip()]], answer)
                      for pk, q, variants, answer in rows)
        _current = _Built(stamp, fresh)
        return fresh


def best(question: str, *, limit: int = 3) -> list[Match]:
    return index().rank(question, limit=limit)
