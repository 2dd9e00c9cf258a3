"""What the insight pages share: the problem stage, rate cards, exports, the scope of a dealer."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from autodcc.console.downloads import xlsx_download
from autodcc.core import tabular
from autodcc.core.actors import SYSTEM, Actor
from autodcc.core.roles import DEALER_MANAGERS, Role
from autodcc.core.tenancy import get_for_actor
from autodcc.insights import exports, kpi
from autodcc.insights.queries import Filters, Row, funnel, rate_definitions
from autodcc.leads.rules import DEFAULT_SLA_MINUTES
from autodcc.leads.services.common import settings_for
from autodcc.network.models import Dealer

# the funnel chart's steps, top to bottom
FUNNEL_STEPS = ("leads", "valid", "contacted", "invited", "arrived", "test_driven", "ordered", "delivered")


# rates where a higher figure is worse
LOWER_IS_BETTER = frozenset({"defeat_rate"})


# the dealer comparison's metrics (compare_dealers' "below national" list) and its sortable rates
COMPARED = ("leads", "invited", "arrived", "ordered")


COMPARED_RATES = ("invite_rate", "arrival_rate", "close_rate", "lead_close_rate")


PERSON_METRICS = ("leads", "contacted", "invited", "arrived", "test_driven", "ordered", "delivered")


REPORT_METRICS = ("leads", "valid", "contacted", "invited", "arrived", "test_driven", "ordered", "delivered",
                  "defeated")


def _wants_xlsx(request: HttpRequest) -> bool:
    return request.GET.get("format") == "xlsx"


def _export(request: HttpRequest, name: str, title: str, header: Sequence[Any], rows: Iterable[Sequence[Any]],
            filters: dict[str, Any], dealer: Dealer | None = None) -> HttpResponse:
    """One table as a workbook: only for roles that may export, and written to the audit trail."""
    actor: Actor = request.actor  # type: ignore[attr-defined]
    if not actor.can("insights.export", dealer=dealer):
        raise PermissionDenied
    body = [list(r) for r in rows]
    sheet = re.sub(r"[\\/*?:\[\]]", "-", str(title)) or name
    period = filters.get("date_from") or filters.get("month") or filters.get("day") or ""
    return xlsx_download(request, tabular.xlsx_bytes(sheet, [str(h) for h in header], body),
                         f"{sheet}-{period}.xlsx" if period else f"{sheet}.xlsx",
                         what=f"insights.{name}", action="insights.export", dealer_id=dealer.pk if dealer else None,
                         details={"filters": filters, "rows": len(body)})


def _query(data: Any, **extra: Any) -> str:
    """The effective filters as a query string (defaults included, so links reproduce the page)."""
    pairs = [(k, v) for k, v in (data.items() if hasattr(data, "items") else []) if v not in (None, "")
             and k not in ("page", "format", "table", "reason", "kind", "sort", "csrfmiddlewaretoken")]
    pairs += [(k, v) for k, v in extra.items() if v not in (None, "")]
    return urlencode(pairs)


def _chart(spec: dict[str, Any]) -> str:
    return json.dumps(spec, cls=DjangoJSONEncoder, ensure_ascii=False)


def _number(value: Decimal | int | None) -> float | None:
    return float(value) if value is not None else None


def _worse(code: str, mine: Decimal | None, brand: Decimal | None) -> bool:
    if mine is None or brand is None:
        return False
    return mine > brand if code in LOWER_IS_BETTER else mine < brand


def _brand(f: Filters) -> Row:
    """The brand's pooled funnel for the same period, basis, channel and campaign (an aggregate:
    it never names another dealer)."""
    return funnel(actor=SYSTEM, filters=Filters(f.date_from, f.date_to, basis=f.basis, channel=f.channel,
                                                campaign=f.campaign))[0]


def _rate_cards(row: Row, brand: Row) -> list[dict[str, Any]]:
    """Each rate as a figure with what it divides: '= invited 3 ÷ valid leads 5'."""
    cards = []
    for d in rate_definitions():
        value = row.rates.get(d.code)
        cards.append({
            "code": d.code, "label": str(d.label), "value": value, "brand": brand.rates.get(d.code),
            "numerator": kpi.operand_label(d.numerator), "denominator": kpi.operand_label(d.denominator),
            "num": kpi.value(row.counts, d.numerator), "den": kpi.value(row.counts, d.denominator),
            "weak": _worse(d.code, value, brand.rates.get(d.code)),
        })
    return cards


def _stages(counts: dict[str, int], benchmark: dict[str, int], weakest: str | None) -> list[dict[str, Any]]:
    mine, ref = kpi.stage_conversions(counts), kpi.stage_conversions(benchmark)
    out = []
    for step, rate in mine.items():
        a, b = step.split(">")
        out.append({"code": step, "from": kpi.label_of(a), "to": kpi.label_of(b), "rate": rate, "brand": ref.get(step),
                    "base": kpi.value(counts, a), "n": kpi.value(counts, b), "weakest": step == weakest,
                    "below": _worse(step, rate, ref.get(step))})
    return out


def _weakest(counts: dict[str, int], benchmark: dict[str, int]) -> dict[str, Any] | None:
    step = kpi.weakest_stage(counts, benchmark)
    return _step(step, counts, benchmark) if step else None


def _step(step: str, counts: dict[str, int], benchmark: dict[str, int]) -> dict[str, Any]:
    """One funnel step ('invited>arrived') with the unit's and the benchmark's conversion."""
    a, b = step.split(">")
    return {"code": step, "from": kpi.label_of(a), "to": kpi.label_of(b),
            "rate": kpi.stage_conversions(counts)[step], "brand": kpi.stage_conversions(benchmark)[step],
            "base": kpi.value(counts, a), "n": kpi.value(counts, b)}


def _funnel_chart(counts: dict[str, int], weakest: dict[str, Any] | None) -> str:
    weak_to = weakest["code"].split(">")[1] if weakest else None
    return _chart({"type": "funnel", "name": _("Funnel"),
                   "data": [{"name": kpi.label_of(m), "value": kpi.value(counts, m), "weak": m == weak_to}
                            for m in FUNNEL_STEPS]})


def _sla_minutes(f: Filters) -> int:
    if len(f.dealer_ids) == 1:
        dealer = Dealer.objects.filter(pk=f.dealer_ids[0]).first()
        if dealer:
            return settings_for(dealer).sla_minutes
    return DEFAULT_SLA_MINUTES


def _own_dealer(actor: Actor) -> Dealer | None:
    """The dealer a dealer-level person works at (the first by code when several)."""
    if actor.is_hq or not actor.dealer_ids:
        return None
    return Dealer.objects.visible_to(actor).filter(pk__in=sorted(actor.dealer_ids)).order_by("code").first()


def _dealer_in_scope(request: HttpRequest, pk: int | None) -> Dealer | None:
    """The dealer of the URL if the actor may see it (404 otherwise), else the actor's own."""
    if pk is not None:
        return get_for_actor(Dealer.objects.select_related("region", "city"), request.actor, pk=pk)
    return _own_dealer(request.actor)


def _reads_whole_dealer(actor: Actor) -> bool:
    """Managers, supervisors, regions and HQ read whole dealers' figures; agents and consultants
    read only the leads they work (queries.scoped), so dealer-wide comparisons are not for them."""
    return actor.is_hq or bool(actor.region_ids) or bool(actor.roles & (DEALER_MANAGERS | {Role.DCC_SUPERVISOR}))


def _table_rows(rows: list[Row], brand: Row, sla: int) -> list[dict[str, Any]]:
    definitions = rate_definitions()
    out = []
    for row in rows:
        out.append({
            "key": row.key, "label": row.label,
            "counts": [row.counts.get(m, 0) for m in exports.COUNT_COLUMNS],
            "frt": row.first_response_minutes,
            "frt_overdue": row.first_response_minutes is not None and row.first_response_minutes > sla,
            "rates": [{"code": d.code, "value": row.rates.get(d.code), "brand": brand.rates.get(d.code),
                       "weak": _worse(d.code, row.rates.get(d.code), brand.rates.get(d.code))} for d in definitions],
        })
    return out


def _headers() -> dict[str, Any]:
    definitions = rate_definitions()
    return {"count_headers": [(m, kpi.label_of(m)) for m in exports.COUNT_COLUMNS],
            "rate_headers": [{"code": d.code, "label": str(d.label),
                              "formula": kpi.formula(d.numerator, d.denominator)} for d in definitions]}


def _rate_label(code: str) -> str:
    return next((str(d.label) for d in rate_definitions() if d.code == code), code)


def _step_label(step: str | None) -> str:
    if not step:
        return ""
    a, b = step.split(">")
    return f"{kpi.label_of(a)} → {kpi.label_of(b)}"
