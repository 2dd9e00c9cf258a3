"""Lead import from CSV or Excel: every row checked, then captured in set-based batches.

Every row is checked first, by the capture pipeline's own checks (a dealer's staff may only import
for their dealer). Without ``skip_bad_rows`` a file with any bad row saves nothing; with it the
good rows are captured and the bad ones reported. A row with a platform reference is captured
under the idempotency key ``import:<scope>:<channel>:<reference>``, so importing the same file
again updates nothing twice; a row without one attaches to the customer's open lead.
Rows go through the capture pipeline ``BATCH`` at a time; progress is saved after each batch so
the page can show it while a worker runs.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, BinaryIO

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _g

from autodcc.core import tabular
from autodcc.core.actors import SYSTEM, Actor
from autodcc.core.errors import DomainError, Forbidden
from autodcc.core.models import ImportJob, ImportStatus
from autodcc.leads.models import Channel
from autodcc.leads.services.capture import Caller, LeadInput, Request, commit, prepare
from autodcc.leads.services.capture_pass import tell_agents

KIND = "leads"
BATCH = 500  # rows captured per transaction; progress is saved after each

COLUMNS: dict[str, tuple[str, ...]] = {
    "name": ("姓名", "name", "客户姓名"),
    "phone": ("手机", "phone", "手机号", "电话"),
    "city": ("城市", "city"),
    "channel": ("渠道", "channel"),
    "dealer": ("经销商代码", "dealer"),
    "campaign": ("活动", "campaign"),
    "model_interest": ("意向车型", "model", "model_interest"),
    "source_ref": ("平台线索号", "source_ref", "线索ID"),
    "message": ("留言", "message", "备注"),
    "consent_version": ("授权版本", "consent_version"),
    "consent_share_with_dealer": ("同意共享经销商", "consent_share_with_dealer"),
    "expected_purchase_on": ("预计购车日期", "expected_purchase_on"),
}
REQUIRED = ("name", "phone", "consent_version")
CHANNEL_ALIASES = {label: value for value, label in Channel.choices} | {
    "汽车之家": Channel.AUTOHOME, "易车": Channel.YICHE, "懂车帝": Channel.DONGCHEDI, "天猫": Channel.TMALL,
    "官网": Channel.OWN_SITE, "400": Channel.HOTLINE, "热线": Channel.HOTLINE, "到店": Channel.WALK_IN,
    "转介绍": Channel.REFERRAL, "社交媒体": Channel.SOCIAL, "论坛": Channel.FORUM, "团购": Channel.GROUP_BUY,
}


def header_aliases() -> dict[str, str]:
    return {alias: key for key, aliases in COLUMNS.items() for alias in aliases}


def template_header() -> list[str]:
    return [aliases[0] for aliases in COLUMNS.values()]


def column_label(key: str) -> str:
    return COLUMNS[key][0] if key in COLUMNS else _g("File")


def _to_input(values: dict[str, Any], errors: list[tuple[str, str]]) -> LeadInput:
    def text(key: str) -> str:
        value = values.get(key)
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return "" if value is None else str(value).strip()

    channel_text = text("channel")
    channel = CHANNEL_ALIASES.get(channel_text, channel_text) if channel_text else Channel.IMPORT
    try:
        share = tabular.to_bool(values.get("consent_share_with_dealer"), False)
    except DomainError as exc:
        errors.append(("consent_share_with_dealer", exc.message))
        share = False
    expected = values.get("expected_purchase_on")
    if isinstance(expected, dt.datetime):
        expected = expected.date()
    elif expected not in (None, "") and not isinstance(expected, dt.date):
        try:
            expected = dt.date.fromisoformat(str(expected).strip())
        except ValueError:
            errors.append(("expected_purchase_on", _g("“%(value)s” is not a date (YYYY-MM-DD).") % {"value": expected}))
            expected = None
    return LeadInput(
        name=text("name"), phone=text("phone"), channel=channel, city=text("city"), dealer=text("dealer"),
        campaign=text("campaign"), model_interest=text("model_interest"), source_ref=text("source_ref"),
        message=text("message"), consent_version=text("consent_version"), consent_share_with_dealer=share,
        consent_purposes=["contact_about_purchase"], expected_purchase_on=expected or None,
    )


def leads_import(*, actor: Actor, upload: BinaryIO, filename: str, skip_bad_rows: bool = False) -> ImportJob:
    """Store the upload, create the job and run it (on a worker when a broker is configured)."""
    if not actor.can("leads.import"):
        raise Forbidden("forbidden")
    job = ImportJob.objects.create(kind=KIND, filename=filename[:200], created_by_label=actor.label,
                                   created_by_user_id=actor.user_id,
                                   dealer_id=min(actor.dealer_ids) if actor.dealer_ids and not actor.is_hq else None)
    path = _path(job, filename)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(upload.read())
    from autodcc.leads.tasks import import_leads

    transaction.on_commit(lambda: import_leads.delay(job.pk, skip_bad_rows))
    return job


def _path(job: ImportJob, filename: str) -> Path:
    suffix = ".xlsx" if filename.lower().endswith((".xlsx", ".xlsm")) else ".csv"
    return Path(settings.MEDIA_ROOT) / "imports" / f"job-{job.pk}{suffix}"


def run_job(job_id: int, *, skip_bad_rows: bool) -> ImportJob:
    job = ImportJob.objects.get(pk=job_id)
    if job.status != ImportStatus.RUNNING:
        return job  # already ran: a redelivered task does nothing
    actor = _actor_for(job)
    path = _path(job, job.filename)
    report: list[dict[str, Any]] = []
    try:
        with path.open("rb") as fh:
            rows = tabular.read_rows(fh, path.name, header_aliases(), REQUIRED)
    except DomainError as exc:
        report.append({"row": 1, "column": column_label(exc.field or "file"), "message": exc.message})
        return _finish(job, ImportStatus.REJECTED, report)
    job.total_rows = len(rows)
    job.save(update_fields=["total_rows"])

    caller = Caller.of(actor)
    scope = caller.own_dealer_id or "hq"
    requests: list[Request] = []
    numbers: list[int] = []
    bad_rows: set[int] = set()
    for row in rows:
        row_errors: list[tuple[str, str]] = []
        data = _to_input(row.values, row_errors)
        for field, message in row_errors:
            report.append({"row": row.number, "column": column_label(field), "message": message})
        if row_errors:
            bad_rows.add(row.number)
            continue
        key = f"import:{scope}:{data.channel}:{data.source_ref}" if data.source_ref else ""
        requests.append(Request(data, caller, key=key))
        numbers.append(row.number)
    outcomes, checked = prepare(requests)
    for number, outcome in zip(numbers, outcomes, strict=True):
        if outcome.errors:
            bad_rows.add(number)
            report.extend({"row": number, "column": column_label(e.field or ""), "message": e.message}
                          for e in outcome.errors)
    if bad_rows and not skip_bad_rows:
        job.processed_rows = len(rows)
        return _finish(job, ImportStatus.REJECTED, report)

    created = updated = 0
    assigned: list[tuple[int, int]] = []
    for offset in range(0, len(checked), BATCH):
        chunk = checked[offset:offset + BATCH]
        commit(outcomes, chunk, notify=False)
        for c in chunk:
            outcome = outcomes[c.index]
            if outcome.errors:
                report.extend({"row": numbers[c.index], "column": column_label(e.field or ""), "message": e.message}
                              for e in outcome.errors)
            elif outcome.created and not outcome.replay:
                created += 1
                if outcome.agent_id:
                    assigned.append((outcome.agent_id, outcome.lead_id))  # type: ignore[arg-type]
            else:
                updated += 1
        ImportJob.objects.filter(pk=job.pk).update(processed_rows=len(bad_rows) + offset + len(chunk),
                                                   created_count=created, updated_count=updated)
    with transaction.atomic():
        tell_agents(assigned)  # one message per agent for the whole file
    job.created_count, job.updated_count, job.processed_rows = created, updated, len(rows)
    return _finish(job, ImportStatus.DONE_WITH_ERRORS if report else ImportStatus.DONE, report)


def _actor_for(job: ImportJob) -> Actor:
    if job.created_by_user_id:
        from django.contrib.auth import get_user_model

        from autodcc.network.actors import actor_for_user

        user = get_user_model().objects.filter(pk=job.created_by_user_id).first()
        if user is not None:
            return actor_for_user(user)
    return SYSTEM


def _finish(job: ImportJob, status: str, report: list[dict[str, Any]]) -> ImportJob:
    job.status = status
    job.errors = sorted(report, key=lambda e: (e["row"], e["column"]))
    job.finished_at = timezone.now()
    job.save()
    return job


def error_report_xlsx(job: ImportJob) -> bytes:
    return tabular.import_errors_xlsx(job.errors)
