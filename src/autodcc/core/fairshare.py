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

from django.db import connection
from django.db.models import Min

from autodcc.core.models import FairShare

CITY = "city"  # owner: a city; members: its dealers
AGENT = "agent"  # owner: a dealer; members: its DCC agents
_EPOCH = dt.datetime.min.replace(tzinfo=dt.UTC)


def lock(where: str, params: list[Any], *, extra: str = "NULL") -> list[FairShare]:
    """The rows matching the SQL condition ``where`` (on the table aliased ``f``), row-locked in
    (kind, owner, member) order, in one statement; ``extra`` is a SQL expression read beside each
    row (as ``row.extra``). Written as SQL: the capture runs it on every batch and the ORM's
    compilation of its sub-queries cost more than the query itself."""
    table = connection.ops.quote_name(FairShare._meta.db_table)
    lock_of = " OF f" if connection.features.has_select_for_update_of else ""
    sql = (f"SELECT f.id, f.kind, f.owner_id, f.member_id, f.count, f.last_at, {extra} FROM {table} f WHERE {where}"
           f" ORDER BY f.kind, f.owner_id, f.member_id")
    if connection.features.has_select_for_update:
        sql += f" FOR UPDATE{lock_of}"
    rows = []
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for pk, kind, owner, member, count, last_at, extra_value in cursor.fetchall():
            row = FairShare(id=pk, kind=kind, owner_id=owner, member_id=member, count=count,
                            last_at=_aware(last_at))
            row.extra = extra_value  # type: ignore[attr-defined]
            rows.append(row)
    return rows


def _aware(value: Any) -> Any:
    """A timestamp read by raw SQL as Django's fields would give it (SQLite returns text)."""
    if value is None:
        return None
    if not isinstance(value, dt.datetime):
        from django.utils.dateparse import parse_datetime

        value = parse_datetime(str(value))
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)  # stored in UTC


def marks(values: Iterable[Any]) -> str:
    return ", ".join("%s" for _ in values)


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
    if not changed:
        return
    table = connection.ops.quote_name(FairShare._meta.db_table)
    field = FairShare._meta.get_field("last_at")
    params: list[Any] = []
    counts, stamps = [], []
    for r in changed:
        counts.append("WHEN %s THEN %s")
        stamps.append("WHEN %s THEN %s")
        params += [r.pk, r.count]
    for r in changed:
        params += [r.pk, field.get_db_prep_save(r.last_at, connection)]
    params += [r.pk for r in changed]
    cast = "::timestamptz" if connection.vendor == "postgresql" else ""
    sql = (f"UPDATE {table} SET count = CASE id {' '.join(counts)} END,"
           f" last_at = (CASE id {' '.join(stamps)} END){cast} WHERE id IN ({marks(changed)})")
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def by_owner(rows: Iterable[FairShare]) -> dict[tuple[str, int], list[FairShare]]:
    grouped: dict[tuple[str, int], list[FairShare]] = defaultdict(list)
    for row in rows:
        grouped[(row.kind, row.owner_id)].append(row)
    return grouped
