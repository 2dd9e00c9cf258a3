"""Platform scores (KPI-3, CHN-3): imported from each platform's Excel export, or computed from our
own leads where the formula is known, each against its threshold.

The exports' layouts (the columns each platform's dealer back office writes):

- 汽车之家 车商汇 — a title row, then ``序号 | 经销商代码 | 经销商名称 | 考核月份 | 线索响应得分 |
  邀约到店得分 | 综合得分 | 达标线``; the score is 综合得分.
- 易车 车易通 — ``商家编码 | 商家名称 | 统计月份 | 服务分 | 合格线``; the score is 服务分.
- 懂车帝 经销商中心 — ``门店编码 | 门店名称 | 月份 | 经营分 | 达标分``; the score is 经营分.

Each row is saved through the insights' own score service (audited, scope-checked); a row that
cannot be saved is reported with its line and column and the others are kept.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, BinaryIO

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from autodcc.channels.models import ScoreImport
from autodcc.core import audit, tabular
from autodcc.core.actors import Actor
from autodcc.core.errors import DomainError, Forbidden
from autodcc.insights.models import Platform
from autodcc.insights.queries import Filters, funnel
from autodcc.insights.reports import month_range, platform_score_save
from autodcc.network.models import Dealer

MAX_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True)
class Layout:
    platform: str
    label: Any
    columns: dict[str, str]  # header → canonical key
    title_prefix: str = ""  # a title row above the header starts with this


LAYOUTS = {
    Platform.CHESHANGHUI: Layout(Platform.CHESHANGHUI, gettext_lazy("Autohome 车商汇 monthly assessment"), {
        "经销商代码": "dealer", "经销商名称": "name", "考核月份": "month", "综合得分": "score", "达标线": "threshold",
        "序号": "seq", "线索响应得分": "part1", "邀约到店得分": "part2"}, title_prefix="汽车之家"),
    Platform.CHEYITONG: Layout(Platform.CHEYITONG, gettext_lazy("Yiche 车易通 service score"), {
        "商家编码": "dealer", "商家名称": "name", "统计月份": "month", "服务分": "score", "合格线": "threshold"}),
    Platform.DONGCHEDI: Layout(Platform.DONGCHEDI, gettext_lazy("Dongchedi dealer centre operation score"), {
        "门店编码": "dealer", "门店名称": "name", "月份": "month", "经营分": "score", "达标分": "threshold"}),
}
REQUIRED = ("dealer", "month", "score")


def header_of(platform: str) -> list[str]:
    """The export's columns in order (for the sample file and the page)."""
    return [h for h in LAYOUTS[platform].columns]


def parse_month(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date().replace(day=1)
    if isinstance(value, dt.date):
        return value.replace(day=1)
    text = str(value or "").strip()
    m = re.fullmatch(r"(\d{4})\s*(?:[-/.年])?\s*(\d{1,2})\s*月?(?:[-/.]\d{1,2}日?)?", text)
    if not m:
        return None
    year, month = int(m.group(1)), int(m.group(2))
    if not 1 <= month <= 12 or not 2000 <= year <= 2100:
        return None
    return dt.date(year, month, 1)


def scores_import(*, actor: Actor, platform: str, upload: BinaryIO, filename: str, size: int) -> ScoreImport:
    """Import one platform's export; rows that fail are reported, the rest saved."""
    if not actor.can("insights.scores"):
        raise Forbidden("forbidden")
    layout = LAYOUTS.get(platform)  # type: ignore[call-overload]
    if layout is None:
        raise DomainError("channels.score_platform_unknown", field="platform")
    if size > MAX_BYTES:
        raise DomainError("channels.score_file_too_big", field="file", limit=MAX_BYTES // (1024 * 1024))
    data = upload.read()
    if not filename.lower().endswith(".xlsx"):
        raise DomainError("channels.score_file_unreadable", field="file")
    import io

    rows = tabular.read_rows(io.BytesIO(data), filename, layout.columns, REQUIRED, comment=layout.title_prefix)
    dealers = {d.code.upper(): d for d in Dealer.objects.filter(
        code__in={str(r.values.get("dealer") or "").strip().upper() for r in rows})}
    labels = {key: header for header, key in reversed(list(layout.columns.items()))}
    errors: list[dict[str, Any]] = []
    saved = 0
    months: list[dt.date] = []

    def fail(row: tabular.Row, key: str, message: str) -> None:
        errors.append({"row": row.number, "column": labels.get(key, key), "message": message})

    for row in rows:
        values = row.values
        code = str(values.get("dealer") or "").strip()
        dealer = dealers.get(code.upper())
        month = parse_month(values.get("month"))
        problems = 0
        if dealer is None:
            fail(row, "dealer", _("Unknown dealer code “%(value)s”.") % {"value": code[:30]})
            problems += 1
        if month is None:
            fail(row, "month", _("“%(value)s” is not a month (write 2026-11 or 2026年11月).")
                 % {"value": str(values.get("month") or "")[:30]})
            problems += 1
        score = _number(values.get("score"))
        if score is None or not Decimal(0) <= score <= Decimal(100):
            fail(row, "score", _("The score must be a number from 0 to 100 (got “%(value)s”).")
                 % {"value": str(values.get("score") or "")[:30]})
            problems += 1
        threshold = _number(values.get("threshold")) if values.get("threshold") not in (None, "") else None
        if values.get("threshold") not in (None, "") and (threshold is None or not Decimal(0) <= threshold <= 100):
            fail(row, "threshold", _("The threshold must be a number from 0 to 100 (got “%(value)s”).")
                 % {"value": str(values.get("threshold"))[:30]})
            problems += 1
        if problems:
            continue
        try:
            with transaction.atomic():
                platform_score_save(actor=actor, dealer=dealer, platform=platform, month=month,  # type: ignore[arg-type]
                                    score=score.quantize(Decimal("0.1")), threshold=threshold)  # type: ignore[union-attr]
        except Forbidden:
            fail(row, "dealer", _("Dealer %(value)s is outside your scope.") % {"value": dealer.code})  # type: ignore[union-attr]
            continue
        except DomainError as exc:
            fail(row, "score", exc.message)
            continue
        saved += 1
        months.append(month)  # type: ignore[arg-type]
    with transaction.atomic():
        record = ScoreImport.objects.create(
            platform=platform, month=max(set(months), key=months.count) if months else dt.date.today().replace(day=1),
            filename=filename[:200], file_hash=hashlib.sha256(data).hexdigest(), rows=len(rows), saved=saved,
            errors=errors, by_label=actor.label[:150], by_user_id=actor.user_id)
        audit.record(actor=actor, action="platform_score.import", obj=record,
                     after={"platform": platform, "file": filename[:200], "rows": len(rows), "saved": saved,
                            "errors": len(errors)})
    return record


def _number(value: Any) -> Decimal | None:
    try:
        return tabular.to_decimal(value)
    except DomainError:
        return None


def imports_for(actor: Actor) -> Any:
    """The imports a person may read: HQ all, anyone else their own (their rows' dealers only)."""
    qs = ScoreImport.objects.all()
    return qs if actor.is_hq else qs.filter(by_user_id=actor.user_id)


# --- computed from our own leads ------------------------------------------------------------------

# the rate each computed score is, and the threshold it is held to
COMPUTED = (("sla_rate", Decimal("90.0")), ("valid_rate", Decimal("80.0")))
PLATFORM_CHANNELS = ("autohome", "yiche", "dongchedi", "tmall")


@dataclass
class ComputedScore:
    dealer: Dealer
    channel: str
    leads: int
    values: dict[str, Decimal | None]
    thresholds: dict[str, Decimal]

    def passes(self, code: str) -> bool | None:
        value = self.values.get(code)
        return None if value is None else value >= self.thresholds[code]


def computed_scores(*, actor: Actor, month: dt.date) -> list[ComputedScore]:
    """Per platform and dealer: the share of its leads answered within the dealer's SLA, and the
    valid-lead rate — the funnel's own rates (one query per platform), for the dealers the
    person may see."""
    start, end = month_range(month)
    out: list[ComputedScore] = []
    rows_by_channel = {ch: funnel(actor=actor, filters=Filters(start, end, channel=ch), group="dealer")
                       for ch in PLATFORM_CHANNELS}
    ids = {r.key for rows in rows_by_channel.values() for r in rows if r.key is not None}
    dealers = Dealer.objects.in_bulk(ids)
    for ch, rows in rows_by_channel.items():
        for r in rows:
            if r.key not in dealers or not (r.counts.get("leads") or r.counts.get("repeats")):
                continue
            out.append(ComputedScore(dealers[r.key], ch, r.counts.get("leads", 0),
                                     {code: r.rates.get(code) for code, _t in COMPUTED},
                                     dict(COMPUTED)))
    out.sort(key=lambda s: (s.dealer.code, PLATFORM_CHANNELS.index(s.channel)))
    return out
