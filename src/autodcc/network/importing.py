"""Dealer import from CSV or Excel: every row checked, every bad row reported, all or nothing."""

from __future__ import annotations

from typing import Any, BinaryIO

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from autodcc.core import audit, tabular
from autodcc.core.actors import Actor
from autodcc.core.errors import DomainError, Forbidden, Invalid
from autodcc.core.models import ImportJob, ImportStatus
from autodcc.network.models import Dealer
from autodcc.network.services import dealer_create, dealer_update, dealer_validate

KIND = "dealers"

# canonical key → (Chinese header, English header)
COLUMNS: dict[str, tuple[str, str]] = {
    "code": ("经销商代码", "code"),
    "name": ("经销商名称", "name"),
    "short_name": ("简称", "short_name"),
    "region": ("大区", "region"),
    "city": ("城市", "city"),
    "address": ("地址", "address"),
    "lng": ("经度", "lng"),
    "lat": ("纬度", "lat"),
    "phone": ("电话", "phone"),
    "opens_at": ("营业开始", "opens_at"),
    "closes_at": ("营业结束", "closes_at"),
    "open_weekdays": ("营业日", "open_weekdays"),
    "is_key": ("重点网点", "is_key"),
    "is_active": ("启用", "is_active"),
}
REQUIRED = ("code", "name", "region", "city")
FILE_LABEL = _("File")


def column_label(key: str) -> str:
    """Problems name the column as the template's header row does."""
    return COLUMNS[key][0] if key in COLUMNS else str(FILE_LABEL)


def header_aliases() -> dict[str, str]:
    aliases: dict[str, str] = {}
    for key, names in COLUMNS.items():
        for name in names:
            aliases[name] = key
    return aliases


def template_header() -> list[str]:
    return [zh for zh, _en in COLUMNS.values()]


def _convert(raw: dict[str, Any], errors: list[tuple[str, str]]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    converters = {
        "lng": tabular.to_decimal,
        "lat": tabular.to_decimal,
        "opens_at": tabular.to_time,
        "closes_at": tabular.to_time,
        "is_key": lambda v: tabular.to_bool(v, False),
        "is_active": lambda v: tabular.to_bool(v, True),
    }
    for key, value in raw.items():
        if value is None:
            continue  # a blank cell keeps the current value (or the default for a new dealer)
        try:
            converted = converters[key](value) if key in converters else ("" if value is None else str(value).strip())
        except DomainError as exc:
            errors.append((key, exc.message))
            continue
        values[key] = converted
    if values.get("code"):
        values["code"] = str(values["code"]).strip()
    return values


def dealers_import(*, actor: Actor, upload: BinaryIO, filename: str) -> ImportJob:
    """Create or update dealers by code; a blank cell keeps the current value. If any row is bad
    nothing is saved and every bad row is listed in the job's error report; otherwise all rows are
    saved in one transaction."""
    if not actor.can("network.import_dealers"):
        raise Forbidden("forbidden")
    job = ImportJob.objects.create(kind=KIND, filename=filename[:200], created_by_label=actor.label,
                                   created_by_user_id=actor.user_id)
    report: list[dict[str, Any]] = []
    try:
        rows = tabular.read_rows(upload, filename, header_aliases(), REQUIRED)
    except DomainError as exc:
        report.append({"row": 1, "column": column_label(exc.field or "file"), "message": exc.message})
        return _finish(job, ImportStatus.REJECTED, report)
    job.total_rows = len(rows)

    existing = {d.code.upper(): d for d in Dealer.objects.filter(code__in=[str(r.values.get("code") or "").upper() for r in rows])}
    seen: dict[str, int] = {}
    prepared: list[tuple[tabular.Row, dict[str, Any], Dealer | None]] = []
    for row in rows:
        row_errors: list[tuple[str, str]] = []
        values = _convert(row.values, row_errors)
        code = str(values.get("code") or "").upper()
        if code and code in seen:
            err = DomainError("import.duplicate_in_file", field="code", value=code, other=seen[code])
            row_errors.append(("code", err.message))
        elif code:
            seen[code] = row.number
        instance = existing.get(code)
        try:
            dealer_validate(values, instance=instance)
        except Invalid as exc:
            row_errors.extend((e.field or "", e.message) for e in exc.errors)
        for field, message in row_errors:
            report.append({"row": row.number, "column": column_label(field), "message": message})
        prepared.append((row, values, instance))
    if report:
        job.processed_rows = len(rows)
        return _finish(job, ImportStatus.REJECTED, report)

    created = updated = 0
    with transaction.atomic():
        for _row, values, instance in prepared:
            if instance is None:
                dealer_create(actor=actor, **values)
                created += 1
            else:
                dealer_update(actor=actor, dealer=instance, **values)
                updated += 1
        job.created_count, job.updated_count, job.processed_rows = created, updated, len(prepared)
        audit.record(actor=actor, action="dealer.import", obj=job,
                     after={"file": filename, "created": created, "updated": updated})
        return _finish(job, ImportStatus.DONE, [])


def _finish(job: ImportJob, status: str, report: list[dict[str, Any]]) -> ImportJob:
    job.status = status
    job.errors = sorted(report, key=lambda e: (e["row"], e["column"]))
    job.finished_at = timezone.now()
    job.save()
    return job


def error_report_xlsx(job: ImportJob) -> bytes:
    return tabular.import_errors_xlsx(job.errors)
