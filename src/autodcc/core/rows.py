"""Set-based writes without a model instance per row: ``insert`` writes many rows of one table in
as few statements as the backend's parameter limit allows, optionally returning the new ids.

The hot paths (lead capture, imports) build plain tuples; each column's value is prepared for the
database once per column kind (dates and JSON need the backend's adaptation, the rest is passed
as it is), which costs a fraction of ``bulk_create``'s per-field, per-instance preparation.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.db import connection, models

Prep = Callable[[Any], Any] | None


def _preparer(field: models.Field) -> Prep:
    internal = field.get_internal_type()
    if internal in {"DateTimeField", "DateField", "TimeField", "DecimalField", "JSONField", "UUIDField"}:
        return lambda value: field.get_db_prep_save(value, connection)
    return None


_TABLES: dict[tuple[type[models.Model], tuple[str, ...]], tuple[str, list[Prep]]] = {}


def _statement_parts(model: type[models.Model], columns: tuple[str, ...]) -> tuple[str, list[Prep]]:
    key = (model, columns)
    found = _TABLES.get(key)
    if found is None:
        meta = model._meta
        fields = [meta.get_field(name) for name in columns]  # a foreign key by its attname too
        quote = connection.ops.quote_name
        head = f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) VALUES "
        found = (head, [_preparer(f) for f in fields])
        _TABLES[key] = found
    return found


def insert(model: type[models.Model], columns: Sequence[str], rows: Sequence[Sequence[Any]], *,
           returning: bool = False, skip_conflicts_on: str = "", conflict_where: str = "") -> list[int]:
    """INSERT ``rows`` (tuples in ``columns``' order; a foreign key by ``<name>_id``) into the
    model's table. With ``returning`` the new primary keys come back in the rows' order. With
    ``skip_conflicts_on`` (a unique column) a row whose value is taken is left out, and so is its
    id: give one row at a time when the ids must match the rows. ``conflict_where`` names the
    condition of a partial unique index."""
    if not rows:
        return []
    cols = tuple(columns)
    head, preps = _statement_parts(model, cols)
    if any(preps):
        pairs = list(enumerate(preps))
        prepared_rows: Sequence[Sequence[Any]] = [
            [p(row[i]) if p is not None and row[i] is not None else row[i] for i, p in pairs] for row in rows]
    else:
        prepared_rows = rows
    width = len(cols)
    per_statement = max(1, min(1000, (connection.features.max_query_params or 65_000) // width))
    placeholder = "(" + ", ".join(["%s"] * width) + ")"
    tail = ""
    if skip_conflicts_on:
        where = f" WHERE {conflict_where}" if conflict_where else ""
        tail += f" ON CONFLICT ({connection.ops.quote_name(skip_conflicts_on)}){where} DO NOTHING"
    if returning:
        tail += f" RETURNING {connection.ops.quote_name(model._meta.pk.column)}"
    ids: list[int] = []
    with connection.cursor() as cursor:
        for start in range(0, len(prepared_rows), per_statement):
            chunk = prepared_rows[start:start + per_statement]
            params: list[Any] = []
            for row in chunk:
                params.extend(row)
            sql = head + ", ".join([placeholder] * len(chunk)) + tail
            cursor.execute(sql, params)
            if returning:
                ids.extend(r[0] for r in cursor.fetchall())
    return ids


@contextmanager
def pipelined() -> Iterator[None]:
    """Send the statements of the block without waiting for each answer (psycopg's pipeline
    mode on PostgreSQL): writes whose results are not read cost one round trip together. A
    result that is read (``returning``) waits for everything sent before it. Elsewhere a no-op."""
    if connection.vendor != "postgresql":
        yield
        return
    connection.ensure_connection()
    with connection.connection.pipeline():
        yield


def try_exclusive(name: str) -> bool:
    """Hold a lock named ``name`` until the end of this transaction, if no one else holds it
    (PostgreSQL's advisory locks; SQLite serialises writing transactions by itself)."""
    if connection.vendor != "postgresql":
        return True
    import zlib

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [zlib.crc32(name.encode())])
        return bool(cursor.fetchone()[0])
