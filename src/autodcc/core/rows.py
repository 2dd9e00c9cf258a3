"""Set-based writes without a model instance per row: ``insert`` writes many rows of one table
and can hand back their new ids in the rows' order.

The hot paths (lead capture, imports) build plain tuples. How they travel is the backend's
business: a multi-row ``INSERT … VALUES`` (SQLite; PostgreSQL for a few rows, where it shares a
pipeline round trip), or on PostgreSQL for many rows ``COPY`` with ids drawn from the table's
sequence beforehand — no statement text to build and parse per row. The rows are the same.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from typing import Any

from django.db import connection, models

Prep = Callable[[Any], Any] | None
COPY_FROM_ROWS = 40  # PostgreSQL: this many rows or more go by COPY


def _preparer(field: models.Field) -> Prep:
    """What a value of this column needs before the driver takes it: psycopg adapts dates,
    decimals and the like itself and only JSON needs wrapping; SQLite needs Django's conversions."""
    internal = field.get_internal_type()
    if connection.vendor == "postgresql":
        if internal == "JSONField":
            return lambda value: field.get_db_prep_save(value, connection)
        return None
    if internal in {"DateTimeField", "DateField", "TimeField", "DecimalField", "JSONField", "UUIDField"}:
        return lambda value: field.get_db_prep_save(value, connection)
    return None


_TABLES: dict[tuple[str, type[models.Model], tuple[str, ...]], tuple[str, list[Prep]]] = {}


def _parts(model: type[models.Model], columns: tuple[str, ...]) -> tuple[str, list[Prep]]:
    """The quoted column list and each column's preparer (kept per model and columns)."""
    key = (connection.vendor, model, columns)
    found = _TABLES.get(key)
    if found is None:
        fields = [model._meta.get_field(name) for name in columns]  # a foreign key by its attname too
        names = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        found = _TABLES[key] = (names, [_preparer(f) for f in fields])
    return found


def _prepared(rows: Sequence[Sequence[Any]], preps: list[Prep]) -> Sequence[Sequence[Any]]:
    if not any(preps):
        return rows
    pairs = [(i, p) for i, p in enumerate(preps) if p is not None]
    out = []
    for row in rows:
        row = list(row)
        for i, p in pairs:
            if row[i] is not None:
                row[i] = p(row[i])
        out.append(row)
    return out


def insert(model: type[models.Model], columns: Sequence[str], rows: Sequence[Sequence[Any]], *,
           returning: bool = False, skip_conflicts_on: str | Sequence[str] = "") -> list[int]:
    """INSERT ``rows`` (tuples in ``columns``' order; a foreign key by ``<name>_id``) into the
    model's table. With ``returning`` the new primary keys come back in the rows' order. With
    ``skip_conflicts_on`` (a unique column, or the columns of a unique constraint) a row whose value is taken is left out, and so is its
    id: give one row at a time when the ids must match the rows."""
    if not rows:
        return []
    cols = tuple(columns)
    names, preps = _parts(model, cols)
    table = connection.ops.quote_name(model._meta.db_table)
    if connection.vendor == "postgresql" and len(rows) >= COPY_FROM_ROWS and not skip_conflicts_on:
        return _copy(model, table, names, cols, _prepared(rows, preps), returning)
    rows = _prepared(rows, preps)
    width = len(cols)
    per_statement = max(1, min(500, (connection.features.max_query_params or 65_000) // width))
    placeholder = "(" + ", ".join(["%s"] * width) + ")"
    tail = ""
    if skip_conflicts_on:
        target = (skip_conflicts_on,) if isinstance(skip_conflicts_on, str) else tuple(skip_conflicts_on)
        tail += f" ON CONFLICT ({', '.join(connection.ops.quote_name(c) for c in target)}) DO NOTHING"
    if returning:
        tail += f" RETURNING {connection.ops.quote_name(model._meta.pk.column)}"
    ids: list[int] = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), per_statement):
            chunk = rows[start:start + per_statement]
            params: list[Any] = []
            for row in chunk:
                params.extend(row)
            cursor.execute(f"INSERT INTO {table} ({names}) VALUES " + ", ".join([placeholder] * len(chunk)) + tail,
                           params)
            if returning:
                ids.extend(r[0] for r in cursor.fetchall())
    return ids


def _copy(model: type[models.Model], table: str, names: str, cols: tuple[str, ...],
          rows: Sequence[Sequence[Any]], returning: bool) -> list[int]:
    """PostgreSQL: ``COPY`` the rows in; with ``returning`` their ids are drawn from the table's
    sequence first (one statement) and written with them."""
    pk = model._meta.pk.column
    ids: list[int] = []
    with connection.cursor() as cursor:
        if returning:
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                           [model._meta.db_table, pk, len(rows)])
            ids = [r[0] for r in cursor.fetchall()]
            names = f"{connection.ops.quote_name(pk)}, {names}"
        sql = f"COPY {table} ({names}) FROM STDIN"

        def copy_rows(*_args: Any) -> None:
            with cursor.cursor.copy(sql) as copy:  # psycopg's own cursor: COPY is not part of the DB-API
                if returning:
                    for pk_value, row in zip(ids, rows, strict=True):
                        copy.write_row((pk_value, *row))
                else:
                    for row in rows:
                        copy.write_row(row)

        # through Django's wrappers, so query logs and execute wrappers count it like any statement
        logged = cursor.debug_sql(sql) if hasattr(cursor, "debug_sql") else nullcontext()
        with logged:
            cursor._execute_with_wrappers(sql, None, False, copy_rows)
    return ids


def values_table(alias: str, values: Sequence[str]) -> tuple[str, list[Any]]:
    """A one-column table ``alias(v)`` of ``values`` to join from, as one parameter: the same
    statement text whatever the number of values, and a plan that looks each value up by its index
    (PostgreSQL's ``unnest``; SQLite's ``json_each``)."""
    if connection.vendor == "postgresql":
        return f"unnest(%s::text[]) AS {alias}(v)", [list(values)]
    import json

    return f"(SELECT value AS v FROM json_each(%s)) AS {alias}", [json.dumps(list(values))]


@contextmanager
def pipelined(enabled: bool = True) -> Iterator[None]:
    """Send the statements of the block without waiting for each answer (psycopg's pipeline
    mode on PostgreSQL): writes whose results are not read cost one round trip together. A
    result that is read (``returning``) waits for everything sent before it. Elsewhere, or when
    not ``enabled`` (a block that copies many rows), a no-op."""
    if connection.vendor != "postgresql" or not enabled:
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
