"""The append-only audit trail: who did what to which object, with before and after."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import models
from django.db.models.fields.files import FieldFile

from autodcc.core.actors import Actor

# object types whose audit rows only the owning dealer's staff may read (e.g. the dealer's deal
# price, which HQ never sees); apps register theirs at start-up
DEALER_ONLY_TYPES: set[str] = set()


def register_dealer_only(*object_types: str) -> None:
    DEALER_ONLY_TYPES.update(object_types)


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(v) for v in value]
    if isinstance(value, FieldFile):
        return value.name or None
    return str(value)


def snapshot(obj: models.Model, fields: Iterable[str] | None = None) -> dict[str, Any]:
    """The concrete field values of ``obj`` as JSON-ready data (foreign keys by id)."""
    wanted = set(fields) if fields is not None else None
    data: dict[str, Any] = {}
    for f in obj._meta.concrete_fields:
        if wanted is not None and f.name not in wanted:
            continue
        if getattr(f, "auto_now", False):  # a touched timestamp is not a change
            continue
        data[f.attname if f.is_relation else f.name] = _plain(getattr(obj, f.attname))
    return data


def changed(before: dict[str, Any] | None, after: dict[str, Any] | None) -> dict[str, tuple[Any, Any]]:
    before, after = before or {}, after or {}
    keys = list(dict.fromkeys([*before, *after]))
    return {k: (before.get(k), after.get(k)) for k in keys if before.get(k) != after.get(k)}


def record(
    *,
    actor: Actor,
    action: str,
    obj: models.Model | None = None,
    object_type: str | None = None,
    object_id: Any = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    dealer_id: int | None = None,
    note: str = "",
) -> Any:
    """Write one audit row. Call it inside the service's transaction."""
    entry = build(actor=actor, action=action, obj=obj, object_type=object_type, object_id=object_id, before=before,
                  after=after, dealer_id=dealer_id, note=note)
    entry.save()
    return entry


def build(
    *,
    actor: Actor,
    action: str,
    obj: models.Model | None = None,
    object_type: str | None = None,
    object_id: Any = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    dealer_id: int | None = None,
    note: str = "",
) -> Any:
    """An unsaved audit row (``AuditLog.objects.bulk_create`` writes many at once)."""
    from autodcc.core.models import AuditLog

    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = obj.pk if object_id is None else object_id
        if dealer_id is None:
            dealer_id = _dealer_id_of(obj)
    return AuditLog(
        actor_kind=actor.kind,
        actor_label=actor.label[:150],
        actor_user_id=actor.user_id,
        action=action,
        object_type=object_type or "",
        object_id=str(object_id or ""),
        object_repr=str(obj)[:200] if obj is not None else "",
        dealer_id=dealer_id,
        before=_plain(before) if before is not None else None,
        after=_plain(after) if after is not None else None,
        note=note,
    )


def _dealer_id_of(obj: models.Model) -> int | None:
    field = getattr(type(obj), "TENANT_DEALER_FIELD", None)
    if field is None:
        return None
    if field == "":
        return obj.pk
    target: Any = obj
    parts = field.split("__")
    for part in parts[:-1]:
        target = getattr(target, part, None)
        if target is None:
            return None
    return getattr(target, f"{parts[-1]}_id", None)
