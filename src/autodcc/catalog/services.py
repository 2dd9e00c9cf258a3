"""Catalogue maintenance by HQ marketing: trims, prices, specifications (Excel import), photos."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, BinaryIO

from django.conf import settings
from django.db import transaction

from autodcc.catalog.models import Photo, SpecValue, Trim
from autodcc.core import audit, tabular
from autodcc.core.actors import Actor
from autodcc.core.errors import DomainError, Forbidden, Invalid

PRICE_FIELDS = ("guide_price", "offer_price", "deposit")
DEPOSIT_CAP = Decimal("500.00")


def _require(actor: Actor) -> None:
    if not actor.can("catalog.edit"):
        raise Forbidden("forbidden")


def deposit_cap() -> Decimal:
    return Decimal(str(getattr(settings, "AUTODCC_DEPOSIT_CAP", DEPOSIT_CAP)))


@transaction.atomic
def trim_update(*, actor: Actor, trim: Trim, **values: Any) -> Trim:
    """Change a trim's prices, facts or status; offer ≤ guide and deposit ≤ the cap are enforced."""
    _require(actor)
    trim = Trim.objects.select_for_update().get(pk=trim.pk)
    before = audit.snapshot(trim)
    for key, value in values.items():
        if not hasattr(trim, key) or key in {"id", "pk", "model"}:
            raise TypeError(f"unknown trim field {key!r}")
        setattr(trim, key, value)
    errors: list[DomainError] = []
    if trim.offer_price > trim.guide_price:
        errors.append(DomainError("catalog.offer_above_guide", field="offer_price", offer=trim.offer_price,
                                  guide=trim.guide_price))
    if trim.deposit > deposit_cap():
        errors.append(DomainError("catalog.deposit_too_high", field="deposit", value=trim.deposit, cap=deposit_cap()))
    if errors:
        raise Invalid(errors)
    trim.save()
    after = audit.snapshot(trim)
    if audit.changed(before, after):
        audit.record(actor=actor, action="trim.update", obj=trim, before=before, after=after)
    return trim


@transaction.atomic
def specs_import(*, actor: Actor, upload: BinaryIO, filename: str) -> int:
    """A specification table from Excel/CSV: columns 分组, 项目, then one column per trim code.
    Replaces the listed trims' values for the items in the file; returns the cells written."""
    _require(actor)
    data = upload.read()
    import io

    if filename.lower().endswith(".xlsx"):
        from openpyxl import load_workbook

        sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).worksheets[0]
        table = [["" if c is None else str(c).strip() for c in row] for row in sheet.iter_rows(values_only=True)]
    else:
        import csv

        text = data.decode("utf-8-sig")
        table = [[c.strip() for c in row] for row in csv.reader(io.StringIO(text))]
    if not table or len(table[0]) < 3:
        raise DomainError("catalog.spec_bad_header", field="file")
    codes = [c for c in table[0][2:] if c]
    trims = {t.code: t for t in Trim.objects.filter(code__in=codes)}
    unknown = [c for c in codes if c not in trims]
    if unknown:
        raise Invalid([DomainError("catalog.spec_unknown_trim", field="file", value=c) for c in unknown])
    written = 0
    for sort, row in enumerate(table[1:], start=1):
        if len(row) < 3 or not row[0] or not row[1]:
            continue
        for code, value in zip(codes, row[2:], strict=False):
            SpecValue.objects.update_or_create(trim=trims[code], group=row[0][:30], label=row[1][:60],
                                               defaults={"value": value[:120], "sort": sort})
            written += 1
    audit.record(actor=actor, action="specs.import", object_type="catalog.specvalue", object_id=filename[:64],
                 after={"file": filename, "trims": codes, "cells": written})
    return written


@transaction.atomic
def photo_add(*, actor: Actor, trim: Trim, image: Any, caption: str = "") -> Photo:
    _require(actor)
    photo = Photo.objects.create(trim=trim, image=image, caption=caption.strip()[:80],
                                 sort=trim.photos.count() + 1)
    audit.record(actor=actor, action="photo.add", obj=photo, after=audit.snapshot(photo))
    return photo


__all__ = ["deposit_cap", "photo_add", "specs_import", "tabular", "trim_update"]
