"""Catalogue maintenance by HQ marketing (CAT-1, CAT-5): series → model → trim → colour, photos,
prices from a date on, special editions with their accessory packages, specification tables
in and out of Excel, publishing. Every change is audited; a trim that was ever on sale is
withdrawn, never deleted (orders, bookings and reports name it)."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any, BinaryIO

from django.conf import settings
from django.db import models, transaction
from django.db.models.deletion import ProtectedError, RestrictedError
from django.utils import timezone

from autodcc.catalog import pictures
from autodcc.catalog.models import (
    AccessoryPackage,
    AccessoryPart,
    Edition,
    FinanceOffer,
    Photo,
    PriceChange,
    Series,
    SpecValue,
    Trim,
)
from autodcc.core import audit, tabular
from autodcc.core.actors import SYSTEM, Actor
from autodcc.core.errors import Conflict, DomainError, Forbidden, Invalid

DEPOSIT_CAP = Decimal("500.00")
SPEC_GROUP, SPEC_ITEM = "分组", "项目"  # the spreadsheet's first two headers, as marketing keeps it
SPEC_LIMITS = {"group": 30, "label": 60, "value": 120}


def _require(actor: Actor) -> None:
    if not actor.can("catalog.edit"):
        raise Forbidden("forbidden")


def deposit_cap() -> Decimal:
    return Decimal(str(getattr(settings, "AUTODCC_DEPOSIT_CAP", DEPOSIT_CAP)))


def _rules(obj: models.Model) -> list[DomainError]:
    """The business rules of a priced object: offer ≤ guide, deposit within the cap."""
    errors: list[DomainError] = []
    offer, guide = getattr(obj, "offer_price", None), getattr(obj, "guide_price", None)
    if offer is not None and guide is not None and offer > guide:
        errors.append(DomainError("catalog.offer_above_guide", field="offer_price", offer=offer, guide=guide))
    deposit = getattr(obj, "deposit", None)
    if deposit is not None and deposit > deposit_cap():
        errors.append(DomainError("catalog.deposit_too_high", field="deposit", value=deposit, cap=deposit_cap()))
    if isinstance(obj, Edition) and obj.ends_on and obj.ends_on < obj.starts_on:
        errors.append(DomainError("catalog.window_reversed", field="ends_on"))
    if isinstance(obj, FinanceOffer):
        from autodcc.catalog import offers

        errors.extend(offers.rules(obj))
    return errors


def _snapshot(obj: models.Model) -> dict[str, Any]:
    """The audit snapshot, with the many-to-many choices (a finance offer's cars) by name."""
    data = audit.snapshot(obj)
    if isinstance(obj, FinanceOffer) and obj.pk:
        for name in ("trims", "car_models"):
            data[name] = "、".join(sorted(str(o) for o in getattr(obj, name).all()))
    return data


def _name(obj: models.Model) -> str:
    return obj._meta.model_name or "object"


@transaction.atomic
def save(*, actor: Actor, obj: models.Model, save_m2m: Callable[[], None] | None = None) -> models.Model:
    """Create or change a catalogue object (a model form's unsaved instance), audited. A new
    series or trim starts as a draft (off sale) until it is published."""
    _require(actor)
    before = None
    if obj.pk:
        before = _snapshot(type(obj).objects.select_for_update().get(pk=obj.pk))
    elif isinstance(obj, Series | Trim):
        obj.is_active = False
    errors = _rules(obj)
    if errors:
        raise Invalid(errors)
    if isinstance(obj, FinanceOffer):
        from autodcc.catalog import offers

        obj.apr_disclosed = offers.disclosed_apr(obj)
    if isinstance(obj, Series) and obj.image and not getattr(obj.image, "_committed", True):
        large, _small = pictures.store_sizes(obj.image.file)
        obj.image.save(large.name, large, save=False)
    obj.save()
    if save_m2m is not None:
        save_m2m()
    after = _snapshot(obj)
    if before is None or audit.changed(before, after):
        verb = "update" if before else "create"
        audit.record(actor=actor, action=f"{_name(obj)}.{verb}", obj=obj, before=before, after=after)
    return obj


def trim_update(*, actor: Actor, trim: Trim, **values: Any) -> Trim:
    """Change named fields of a trim (the same rules as the form)."""
    trim = Trim.objects.get(pk=trim.pk)
    for key, value in values.items():
        if key in {"id", "pk", "model", "model_id"} or not hasattr(trim, key):
            raise TypeError(f"unknown trim field {key!r}")
        setattr(trim, key, value)
    return save(actor=actor, obj=trim)  # type: ignore[return-value]


@transaction.atomic
def publish(*, actor: Actor, obj: Series | Trim | Edition, on: bool) -> None:
    """Put on sale or withdraw. Publishing a series also publishes its draft trims (never the
    withdrawn ones); a trim is stamped the first time it goes on sale."""
    _require(actor)
    obj = type(obj).objects.select_for_update().get(pk=obj.pk)
    now = timezone.now()
    trims: list[Trim] = []
    if isinstance(obj, Series) and on:
        trims = list(Trim.objects.filter(model__series=obj, published_at__isnull=True).select_for_update())
        if not trims and not Trim.objects.filter(model__series=obj, is_active=True).exists():
            raise DomainError("catalog.nothing_to_publish")
    elif isinstance(obj, Trim):
        trims = [obj]
    for trim in trims:
        if on and not trim.colours.exists():
            raise DomainError("catalog.trim_without_colour", value=str(trim))
    if obj.is_active != on:
        obj.is_active = on
        obj.save(update_fields=["is_active"])
        verb = "publish" if on else "withdraw"
        audit.record(actor=actor, action=f"{_name(obj)}.{verb}", obj=obj, after={"is_active": on})
    for trim in trims:
        changes: dict[str, Any] = {}
        if trim.is_active != on and trim is not obj:
            changes["is_active"] = on
        if on and trim.published_at is None:
            changes["published_at"] = now
        if changes:
            Trim.objects.filter(pk=trim.pk).update(**changes)
            if trim is not obj:
                audit.record(actor=actor, action="trim.publish", obj=trim, after={"is_active": on})


@transaction.atomic
def delete(*, actor: Actor, obj: models.Model) -> None:
    """Delete what was never sold: a published trim is withdrawn instead; a series or model with
    trims, a package an edition uses, anything an order or booking names is refused."""
    _require(actor)
    obj = type(obj).objects.select_for_update().get(pk=obj.pk)
    if isinstance(obj, Trim) and obj.published_at is not None:
        raise Conflict("catalog.published_not_deleted", value=str(obj))
    before = audit.snapshot(obj)
    label = str(obj)
    files = [obj.image, obj.thumb] if isinstance(obj, Photo) else []
    try:
        with transaction.atomic():
            obj.delete()
    except (ProtectedError, RestrictedError):
        raise Conflict("catalog.in_use", value=label) from None
    audit.record(actor=actor, action=f"{_name(obj)}.delete", object_type=obj._meta.label_lower,
                 object_id=before.get("id"), before=before)
    for f in files:
        if f:
            transaction.on_commit(lambda f=f: f.storage.delete(f.name))


@transaction.atomic
def photo_add(*, actor: Actor, trim: Trim, image: Any, caption: str = "") -> Photo:
    """A picture for the trim in the store's two sizes."""
    _require(actor)
    large, small = pictures.store_sizes(image)
    photo = Photo(trim=trim, caption=caption.strip(), sort=trim.photos.count() + 1)
    photo.image.save(large.name, large, save=False)
    photo.thumb.save(small.name, small, save=False)
    photo.save()
    audit.record(actor=actor, action="photo.add", obj=photo, after=audit.snapshot(photo))
    return photo


# --- prices from a date on -----------------------------------------------------------------------


@transaction.atomic
def price_change(*, actor: Actor, trim: Trim, guide_price: Decimal, offer_price: Decimal, effective_on: dt.date,
                 note: str = "") -> PriceChange:
    """A trim's prices from ``effective_on`` on (valid until the next change). Today's or an
    earlier date applies at once; a later one on its day."""
    _require(actor)
    change = PriceChange(trim=trim, guide_price=guide_price, offer_price=offer_price, effective_on=effective_on,
                         note=note.strip(), by_label=actor.label)
    errors = _rules(change)
    if errors:
        raise Invalid(errors)
    if PriceChange.objects.filter(trim=trim, effective_on=effective_on).exists():
        raise DomainError("catalog.price_day_taken", field="effective_on", value=effective_on.isoformat())
    change.save()
    audit.record(actor=actor, action="price.schedule", obj=trim, after={
        "guide_price": str(guide_price), "offer_price": str(offer_price), "effective_on": effective_on.isoformat()})
    if effective_on <= timezone.localdate():
        _apply(change, actor)
    return change


def _apply(change: PriceChange, actor: Actor) -> None:
    trim = Trim.objects.select_for_update().get(pk=change.trim_id)
    before = audit.snapshot(trim, ["guide_price", "offer_price"])
    trim.guide_price, trim.offer_price = change.guide_price, change.offer_price
    trim.save(update_fields=["guide_price", "offer_price", "updated_at"])
    change.applied_at = timezone.now()
    change.save(update_fields=["applied_at"])
    audit.record(actor=actor, action="trim.price", obj=trim, before=before,
                 after=audit.snapshot(trim, ["guide_price", "offer_price"]), note=change.effective_on.isoformat())


def apply_due_prices(day: dt.date | None = None) -> int:
    """Price changes whose day has come, applied in date order (the scheduled task)."""
    day = day or timezone.localdate()
    applied = 0
    for pk in PriceChange.objects.filter(applied_at__isnull=True, effective_on__lte=day).order_by(
            "effective_on", "id").values_list("pk", flat=True):
        with transaction.atomic():
            change = PriceChange.objects.select_for_update().get(pk=pk)
            if change.applied_at is None:
                _apply(change, SYSTEM)
                applied += 1
    return applied


def price_valid_until(trim: Trim, day: dt.date | None = None) -> dt.date | None:
    """The last day of the trim's current prices: the day before the next change, if one is set."""
    day = day or timezone.localdate()
    nxt = (PriceChange.objects.filter(trim=trim, applied_at__isnull=True, effective_on__gt=day)
           .order_by("effective_on").values_list("effective_on", flat=True).first())
    return nxt - dt.timedelta(days=1) if nxt else None


# --- accessory packages ----------------------------------------------------------------------------


def parse_parts(text: str) -> list[tuple[str, str, int]]:
    """One part a line: ``part number, name[, quantity]`` (comma, Chinese comma or tab)."""
    parts: list[tuple[str, str, int]] = []
    errors: list[DomainError] = []
    seen: set[str] = set()
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        cells = [c.strip() for c in line.replace("，", ",").replace("\t", ",").split(",")]
        part_no, name = cells[0], cells[1] if len(cells) > 1 else ""
        quantity = cells[2] if len(cells) > 2 and cells[2] else "1"
        if not part_no or not name or len(cells) > 3:
            errors.append(DomainError("catalog.part_line", field="parts", line=n))
        elif len(part_no) > 30 or len(name) > 80:
            errors.append(DomainError("catalog.part_too_long", field="parts", line=n))
        elif not quantity.isdigit() or not 1 <= int(quantity) <= 999:
            errors.append(DomainError("catalog.part_quantity", field="parts", line=n, value=quantity))
        elif part_no in seen:
            errors.append(DomainError("catalog.part_twice", field="parts", line=n, value=part_no))
        else:
            seen.add(part_no)
            parts.append((part_no, name, int(quantity)))
    if errors:
        raise Invalid(errors)
    if not parts:
        raise DomainError("catalog.package_empty", field="parts")
    return parts


@transaction.atomic
def package_save(*, actor: Actor, package: AccessoryPackage, parts: Iterable[tuple[str, str, int]]) -> AccessoryPackage:
    """A package and its parts (the list replaces the previous one), audited."""
    parts = list(parts)
    save(actor=actor, obj=package)
    before = sorted(package.parts.values_list("part_no", "name", "quantity"))
    if before != sorted(parts):
        package.parts.all().delete()
        AccessoryPart.objects.bulk_create([AccessoryPart(package=package, part_no=p, name=n, quantity=q)
                                           for p, n, q in parts])
        audit.record(actor=actor, action="accessorypackage.parts", obj=package,
                     before={"parts": [list(p) for p in before]}, after={"parts": [list(p) for p in parts]})
    return package


def parts_text(package: AccessoryPackage | None) -> str:
    if package is None or not package.pk:
        return ""
    return "\n".join(f"{p.part_no}, {p.name}, {p.quantity}" for p in package.parts.all())


# --- specification tables ----------------------------------------------------------------------------


def _table(data: bytes, filename: str) -> list[list[str]]:
    if filename.lower().endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).worksheets[0]
        except Exception:
            raise DomainError("import.unreadable", field="file") from None
        return [["" if c is None else str(c).strip() for c in row] for row in sheet.iter_rows(values_only=True)]
    import csv

    text = tabular._decode(data)
    return [[c.strip() for c in row] for row in csv.reader(io.StringIO(text))]


@transaction.atomic
def specs_import(*, actor: Actor, upload: BinaryIO, filename: str) -> int:
    """A specification table from Excel/CSV: columns 分组, 项目, then one column per trim code (the
    shape :func:`specs_export` writes). Replaces the listed trims' values for the items in the
    file; every row is checked first and the file is refused with the rows at fault."""
    _require(actor)
    table = _table(upload.read(), filename)
    if not table or len(table[0]) < 3 or table[0][0] != SPEC_GROUP or table[0][1] != SPEC_ITEM:
        raise DomainError("catalog.spec_bad_header", field="file")
    codes = [c for c in table[0][2:] if c]
    trims = {t.code: t for t in Trim.objects.filter(code__in=codes)}
    errors = [DomainError("catalog.spec_unknown_trim", field="file", value=c) for c in codes if c not in trims]
    cells: list[tuple[int, str, str, str, str]] = []
    seen: set[tuple[str, str]] = set()
    for number, row in enumerate(table[1:], start=2):
        if not any(row):
            continue
        group, label = [*row, "", ""][:2]
        values = row[2:2 + len(codes)]
        if not group or not label:
            errors.append(DomainError("catalog.spec_row_unnamed", field="file", row=number))
            continue
        if (group, label) in seen:
            errors.append(DomainError("catalog.spec_row_twice", field="file", row=number, value=f"{group} / {label}"))
        seen.add((group, label))
        for text, limit in ((group, SPEC_LIMITS["group"]), (label, SPEC_LIMITS["label"]),
                            *((v, SPEC_LIMITS["value"]) for v in values)):
            if len(text) > limit:
                errors.append(DomainError("catalog.spec_too_long", field="file", row=number, limit=limit))
                break
        for code, value in zip(codes, values, strict=False):
            cells.append((number, code, group, label, value))
    if errors:
        raise Invalid(errors)
    for sort, code, group, label, value in cells:
        SpecValue.objects.update_or_create(trim=trims[code], group=group, label=label,
                                           defaults={"value": value, "sort": sort - 1})
    audit.record(actor=actor, action="specs.import", object_type="catalog.specvalue", object_id=filename[:64],
                 after={"file": filename, "trims": codes, "cells": len(cells)})
    return len(cells)


def specs_export(trims: Iterable[Trim]) -> bytes:
    """The specification table of these trims as marketing keeps it (and ``specs_import`` reads)."""
    trims = list(trims)
    order: dict[tuple[str, str], int] = {}
    values: dict[tuple[str, str], dict[int, str]] = {}
    for spec in SpecValue.objects.filter(trim__in=trims).order_by("sort", "id"):
        key = (spec.group, spec.label)
        order.setdefault(key, spec.sort)
        values.setdefault(key, {})[spec.trim_id] = spec.value
    rows = [[g, label, *(values[(g, label)].get(t.pk, "") for t in trims)]
            for g, label in sorted(order, key=lambda k: (order[k], k))]
    return tabular.xlsx_bytes("参数配置", [SPEC_GROUP, SPEC_ITEM, *(t.code for t in trims)], rows)


__all__ = ["apply_due_prices", "delete", "deposit_cap", "package_save", "parse_parts", "photo_add", "price_change",
           "price_valid_until", "publish", "save", "specs_export", "specs_import", "trim_update"]
