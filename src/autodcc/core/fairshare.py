"""Even splits over time, kept in :class:`~autodcc.core.models.FairShare` rows.

``lock`` takes every row a batch needs in one statement and one global order; ``take`` hands out
``n`` turns to the members with the fewest so far (ties: the one served longest ago, then the
smallest id) and ``save`` writes the new counts back in one statement. A member new to a split
starts level with the least-served member (``join``), not at zero, so it is not flooded with
turns to "catch up".
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db.models import Min, Q

from autodcc.core.models import FairShare

CITY = "city"  # owner: a city; members: its dealers
AGENT = "agent"  # owner: a dealer; members: its DCC agents
_EPOCH = dt.datetime.min.replace(tzinfo=dt.UTC)


def lock(where: Q, **annotations: Any) -> list[FairShare]:
    """The matching rows, row-locked in (kind, owner, member) order (one statement), with any
    ``annotations`` the caller reads beside them."""
    qs = FairShare.objects.select_for_update(of=("self",)).filter(where)
    if annotations:
        qs = qs.annotate(**annotations)
    return list(qs.order_by("kind", "owner_id", "member_id"))


def join(kind: str, owner_id: int, member_ids: Iterable[int]) -> None:
    """Add members to an owner's split, level with its least-served member (existing rows stay)."""
    wanted = set(member_ids)
    if not wanted:
        return
    floor = FairShare.objects.filter(kind=kind, owner_id=owner_id).aggregate(m=Min("count"))["m"] or 0
    FairShare.objects.bulk_create([FairShare(kind=kind, owner_id=owner_id, member_id=m, count=floor) for m in sorted(wanted)],
                                  ignore_conflicts=True)


def take(rows: list[FairShare], n: int, at: dt.datetime) -> list[int]:
    """``n`` turns among ``rows`` (one owner's locked rows), fewest first; the rows are updated in
    memory (``save`` writes them)."""
    picks: list[int] = []
    for _ in range(n):
        row = min(rows, key=lambda r: (r.count, r.last_at or _EPOCH, r.member_id))
        row.count += 1
        row.last_at = at
        row._dirty = True  # type: ignore[attr-defined]
        picks.append(row.member_id)
    return picks


def save(rows: Iterable[FairShare]) -> None:
    """Write the counts of the rows that were given turns (one statement)."""
    changed = [r for r in rows if getattr(r, "_dirty", False)]
    if changed:
        FairShare.objects.bulk_update(changed, ["count", "last_at"])


def by_owner(rows: Iterable[FairShare]) -> dict[tuple[str, int], list[FairShare]]:
    grouped: dict[tuple[str, int], list[FairShare]] = defaultdict(list)
    for row in rows:
        grouped[(row.kind, row.owner_id)].append(row)
    return grouped
