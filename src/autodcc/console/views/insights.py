"""The managers' insight pages (KPI-1..4, KPI-6): the funnel dashboard, defeat analysis with its
drill-down, comparisons with the brand's averages and platform scores, the daily report and the
monthly operations report.

Every figure comes from :mod:`autodcc.insights` scoped by the actor (a consultant reads their own
leads, a dealer its own, a region its dealers, HQ all). The scope is compared with the *brand's*
pooled figures for the same period; dealer staff never see another dealer's own numbers. The step
that falls furthest below the brand is the "problem stage" (问题环节，显而易见) and every page
shows it first. Every table exports to Excel with the same filters (role-gated and audited).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from autodcc.console.downloads import xlsx_download
from autodcc.console.forms_insights import (
    DayForm,
    InsightFilterForm,
    MonthForm,
    PlatformScoreForm,
    TargetForm,
    dealers_for,
    sees_many_dealers,
)
from autodcc.console.views.base import paginate, render_list, staff_view
from autodcc.core import tabular
from autodcc.core.actors import SYSTEM, Actor
from autodcc.core.errors import DomainError, Forbidden, add_to_form
from autodcc.core.roles import DEALER_MANAGERS, Role
from autodcc.core.tenancy import get_for_actor
from autodcc.insights import exports, kpi
from autodcc.insights.models import MonthlyTarget, Platform
from autodcc.insights.queries import Filters, Row, defeat_pareto, defeated_leads, funnel, rate_definitions
from autodcc.insights.reports import compare_dealers, daily_reports, month_range, platform_score_save, platform_scores
from autodcc.insights.targets import target_set
from autodcc.leads.models import DefeatKind, DefeatReason
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


# --- helpers ---------------------------------------------------------------------------------


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


# --- the funnel dashboard ----------------------------------------------------------------------


def _dashboard_data(request: HttpRequest, form: InsightFilterForm) -> dict[str, Any]:
    actor: Actor = request.actor  # type: ignore[attr-defined]
    f = form.to_filters()
    total = funnel(actor=actor, filters=f)[0]
    rows = funnel(actor=actor, filters=f, group=form.group_by)
    brand = _brand(f)
    weakest = _weakest(total.counts, brand.counts)
    sla = _sla_minutes(f)
    query = _query(form.data)
    return {
        "form": form, "filters": f, "total": total, "brand": brand, "weakest": weakest, "sla": sla,
        "rates": _rate_cards(total, brand), "stages": _stages(total.counts, brand.counts, weakest and weakest["code"]),
        "rows": _table_rows(rows, brand, sla), "total_row": _table_rows([total], brand, sla)[0],
        "group_label": form.group_label, "query": query, **_headers(),
        "totals": [(m, kpi.label_of(m), kpi.value(total.counts, m)) for m in
                   ("leads", "valid", "contacted", "invited", "arrived", "test_driven", "ordered", "delivered",
                    "defeated")],
        "funnel_chart": _funnel_chart(total.counts, weakest),
        "bar_chart": _chart({"type": "bar", "labels": [r.label for r in rows], "series": [
            {"name": kpi.label_of("leads"), "data": [r.counts["leads"] for r in rows]},
            {"name": kpi.label_of("arrived"), "data": [r.counts["arrived"] for r in rows]},
            {"name": kpi.label_of("ordered"), "data": [r.counts["ordered"] for r in rows]}]}),
        "can_export": actor.can("insights.export"),
        "export_url": f"{reverse('console:insights_export')}?{query}",
        "defeats_url": f"{reverse('console:insights_defeats')}?{query}",
    }


@staff_view("insights.view")
def dashboard(request: HttpRequest) -> HttpResponse:
    form = InsightFilterForm(request.GET, actor=request.actor)
    return render_list(request, "console/insights/dashboard.html", {"tab": "dashboard",
                                                                   **_dashboard_data(request, form)})


@staff_view("insights.export")
def dashboard_export(request: HttpRequest) -> HttpResponse:
    """The dashboard's table (each group, then the total) with the same filters, via
    ``exports.funnel_xlsx`` (role-gated and audited there)."""
    actor: Actor = request.actor  # type: ignore[attr-defined]
    form = InsightFilterForm(request.GET, actor=actor)
    f = form.to_filters()
    rows = funnel(actor=actor, filters=f, group=form.group_by)
    total = funnel(actor=actor, filters=f)[0]
    total.label = _("Total")
    try:
        data = exports.funnel_xlsx(actor=actor, rows=[*rows, total], dimension=form.group_label,
                                   filters=form.params())
    except Forbidden:
        raise PermissionDenied from None
    return xlsx_download(request, data, "{}-{:%Y%m%d}-{:%Y%m%d}.xlsx".format(_("Funnel"), f.date_from, f.date_to), what="insights.funnel",
                         already_audited=True)  # exports.funnel_xlsx wrote its audit row


# --- defeat analysis -----------------------------------------------------------------------------


def _kind_label(kind: str) -> str:
    return str(DefeatKind(kind).label) if kind in DefeatKind.values else kind


@staff_view("insights.view")
def defeats(request: HttpRequest) -> HttpResponse:
    actor: Actor = request.actor  # type: ignore[attr-defined]
    form = InsightFilterForm(request.GET, actor=actor, with_group=False)
    f = form.to_filters()
    rows = defeat_pareto(actor=actor, filters=f)
    query = _query(form.data)
    base = reverse("console:insights_defeat_leads")
    for r in rows:
        r["kind_label"] = _kind_label(r["kind"])
        r["url"] = f"{base}?{_query(form.data, reason=r['reason'], kind=r['kind'])}"
    if _wants_xlsx(request):
        return _export(request, "defeats", _("Defeat reasons"),
                       [_("Reason"), _("Kind"), _("Leads"), _("Share (%)"), _("Cumulative (%)")],
                       ([r["label"], r["kind_label"], r["n"], r["share"], r["cumulative"]] for r in rows),
                       form.params())
    chart = _chart({"type": "pareto", "labels": [r["label"] for r in rows],
                    "bars": {"name": _("Leads"), "data": [r["n"] for r in rows]},
                    "line": {"name": _("Cumulative (%)"), "data": [_number(r["cumulative"]) for r in rows]}})
    return render_list(request, "console/insights/defeats.html", {
        "tab": "defeats", "form": form, "filters": f, "rows": rows, "chart": chart, "query": query,
        "total": sum(r["n"] for r in rows), "can_export": actor.can("insights.export"),
    })


def defeat_leads(request: HttpRequest) -> HttpResponse:
    actor: Actor = request.actor  # type: ignore[attr-defined]
    reason = request.GET.get("reason", "")
    kind = request.GET.get("kind", "")
    if reason not in DefeatReason.values or (kind and kind not in DefeatKind.values):
        raise Http404
    form = InsightFilterForm(request.GET, actor=actor, with_group=False)
    f = form.to_filters()
    leads = defeated_leads(actor=actor, filters=f, reason=reason, kind=kind)
    label = str(DefeatReason(reason).label)
    if _wants_xlsx(request):
        from autodcc.core import phone

        return _export(request, "defeat-leads", label,
                       [_("Number"), _("Customer"), _("Mobile"), _("Channel"), _("Dealer"), _("Reason"),
                        _("Competitor brand"), _("Approved"), _("DCC agent"), _("Sales consultant")],
                       ([lead.number, lead.customer.name,
                         phone.mask(lead.customer.phone) if lead.customer.phone else "",
                         lead.get_channel_display(), str(lead.dealer), label, lead.competitor or "",
                         timezone.localtime(lead.decided_at).strftime("%Y-%m-%d %H:%M") if lead.decided_at else "",
                         lead.agent.name if lead.agent else "", lead.consultant.name if lead.consultant else ""]
                        for lead in leads.iterator()),
                       {**form.params(), "reason": reason, "kind": kind})
    query = _query(form.data)
    return render(request, "console/insights/defeat_leads.html", {
        "tab": "defeats", "form": form, "filters": f, "page": paginate(request, leads), "reason": reason,
        "kind": kind, "reason_label": label, "kind_label": _kind_label(kind) if kind else "",
        "qs": _query(form.data, reason=reason, kind=kind), "query": query,
        "back_url": f"{reverse('console:insights_defeats')}?{query}",
        "show_dealer": sees_many_dealers(actor), "can_export": actor.can("insights.export"),
    })


# --- comparisons and platform scores -----------------------------------------------------------


def _sort_key(sort: str) -> tuple[str, bool]:
    desc = sort.startswith("-")
    name = sort.lstrip("-")
    if name not in ("code", *COMPARED, *COMPARED_RATES):
        return "code", False
    return name, desc


def _sorted(comparisons: list[Any], sort: str) -> list[Any]:
    name, desc = _sort_key(sort)

    def key(c: Any) -> Any:
        if name == "code":
            return c.dealer.code
        value = c.counts.get(name, 0) if name in COMPARED else c.rates.get(name)
        return value if value is not None else Decimal(-1)

    return sorted(comparisons, key=key, reverse=desc)


def _comparison_cells(c: Any, pooled: dict[str, int]) -> dict[str, Any]:
    return {
        "c": c,
        "metrics": [{"code": m, "label": kpi.label_of(m), "value": c.counts.get(m, 0), "national": c.national.get(m),
                     "region": c.region.get(m), "city": c.city.get(m), "below": m in c.below_national}
                    for m in COMPARED],
        "rates": [{"code": r, "value": c.rates.get(r), "national": c.national_rates.get(r),
                   "weak": _worse(r, c.rates.get(r), c.national_rates.get(r))} for r in COMPARED_RATES],
        "weakest": _step(c.weakest, c.counts, pooled) if c.weakest else None,  # as compare_dealers judged it
    }


@staff_view("insights.view")
def compare(request: HttpRequest) -> HttpResponse:
    actor: Actor = request.actor  # type: ignore[attr-defined]
    month_form = MonthForm(request.GET)
    month = month_form.value
    can_score = actor.can("insights.scores")
    score_form = None
    if request.method == "POST":
        if not can_score:
            raise PermissionDenied
        score_form = PlatformScoreForm(request.POST, actor=actor)
        if score_form.is_valid():
            data = score_form.cleaned_data
            try:
                platform_score_save(actor=actor, dealer=data["dealer"], platform=data["platform"], month=data["month"],
                                    score=data["score"], threshold=data["threshold"])
            except Forbidden:
                raise PermissionDenied from None
            except DomainError as exc:
                add_to_form(score_form, exc)
            else:
                messages.success(request, _("Platform score saved."))
                return redirect(f"{reverse('console:insights_compare')}?month={data['month']:%Y-%m}")
    if can_score and score_form is None:
        score_form = PlatformScoreForm(actor=actor, month=month)
    whole = _reads_whole_dealer(actor)
    comparisons: list[Any] = []
    national: dict[str, Any] = {}
    national_rates: dict[str, Any] = {}
    sort = request.GET.get("sort", "code")
    if whole:
        dealers = list(dealers_for(actor).select_related("region", "city"))
        comparisons = _sorted(compare_dealers(actor=actor, month=month, dealers=dealers), sort)
        if comparisons:
            national, national_rates = comparisons[0].national, comparisons[0].national_rates
    scores = platform_scores(actor=actor, month=month)
    start, end = month_range(month)
    filters = {"month": f"{month:%Y-%m}"}
    if _wants_xlsx(request):
        if request.GET.get("table") == "scores":
            return _export(request, "platform-scores", _("Platform scores"),
                           [_("Dealer code"), _("Dealer"), _("Platform"), _("Month"), _("Score"), _("Threshold"),
                            _("Passes")],
                           ([s.dealer.code, str(s.dealer), s.get_platform_display(), f"{s.month:%Y-%m}", s.score,
                             s.threshold, _("Yes") if s.passes else _("No")] for s in scores), filters)
        if not whole:
            raise PermissionDenied
        return _export(request, "comparison", _("Comparison"),
                       [_("Dealer code"), _("Dealer"), _("Region"), _("City"),
                        *[kpi.label_of(m) for m in COMPARED],
                        *[f"{_('National average')}: {kpi.label_of(m)}" for m in COMPARED],
                        *[f"{_('Region average')}: {kpi.label_of(m)}" for m in COMPARED],
                        *[f"{_('City average')}: {kpi.label_of(m)}" for m in COMPARED],
                        *[_rate_label(r) for r in COMPARED_RATES], _("Problem stage"), _("Below the national average")],
                       ([c.dealer.code, str(c.dealer), str(c.dealer.region), str(c.dealer.city),
                         *[c.counts.get(m, 0) for m in COMPARED], *[c.national.get(m) for m in COMPARED],
                         *[c.region.get(m) for m in COMPARED], *[c.city.get(m) for m in COMPARED],
                         *[c.rates.get(r) for r in COMPARED_RATES], _step_label(c.weakest),
                         ", ".join(kpi.label_of(m) for m in c.below_national)] for c in comparisons), filters)
    # the national pooled counts behind each "weakest step" (for the step's figures)
    pooled: dict[str, int] = {}
    if comparisons:
        pooled = funnel(actor=SYSTEM, filters=Filters(start, end), with_repeats=False)[0].counts
    query = urlencode({"month": f"{month:%Y-%m}"})
    sort_name, sort_desc = _sort_key(sort)
    columns = []
    for code in ("code", *COMPARED, *COMPARED_RATES):
        if code == sort_name:
            following = code if sort_desc else f"-{code}"
        else:
            following = code if code == "code" else f"-{code}"  # figures: the largest first
        label = _("Dealer") if code == "code" else (kpi.label_of(code) if code in COMPARED else _rate_label(code))
        url = "?" + urlencode({"month": month.strftime("%Y-%m"), "sort": following})
        columns.append({"code": code, "label": label, "url": url,
                        "active": code == sort_name, "desc": sort_desc})
    return render(request, "console/insights/compare.html", {
        "tab": "compare", "month_form": month_form, "month": month, "whole": whole,
        "cells": [_comparison_cells(c, pooled) for c in comparisons], "many": len(comparisons) > 1,
        "national": [{"code": m, "label": kpi.label_of(m), "value": national.get(m)} for m in COMPARED],
        "national_rates": [{"code": r, "label": _rate_label(r), "value": national_rates.get(r)}
                           for r in COMPARED_RATES],
        "compared": [(m, kpi.label_of(m)) for m in COMPARED], "rate_headers": [(r, _rate_label(r))
                                                                            for r in COMPARED_RATES],
        "columns": columns, "query": query,
        "scores": scores, "score_form": score_form, "can_export": actor.can("insights.export"),
    })


def _rate_label(code: str) -> str:
    return next((str(d.label) for d in rate_definitions() if d.code == code), code)


def _step_label(step: str | None) -> str:
    if not step:
        return ""
    a, b = step.split(">")
    return f"{kpi.label_of(a)} → {kpi.label_of(b)}"


# --- the daily report ----------------------------------------------------------------------------


def _people(actor: Actor, dealer: Dealer, day: dt.date) -> list[dict[str, Any]]:
    """Agents' and consultants' rows: yesterday's activity and the month's, per person."""
    start, _end = month_range(day)
    out = []
    for group, role_label in (("agent", _("DCC agent")), ("consultant", _("Sales consultant"))):
        yesterday = {r.key: r for r in funnel(actor=actor, filters=Filters(day, day, basis="activity",
                                                                           dealer_ids=[dealer.pk]),
                                              group=group, with_repeats=False) if r.key is not None}
        month = {r.key: r for r in funnel(actor=actor, filters=Filters(start, day, basis="activity",
                                                                       dealer_ids=[dealer.pk]),
                                          group=group, with_repeats=False) if r.key is not None}
        for key in sorted(set(yesterday) | set(month), key=lambda k: (month.get(k) or yesterday[k]).label):
            row = month.get(key) or yesterday[key]
            out.append({"role": role_label, "group": group, "key": key, "name": row.label,
                        "yesterday": [yesterday[key].counts.get(m, 0) if key in yesterday else 0
                                      for m in PERSON_METRICS],
                        "month": [month[key].counts.get(m, 0) if key in month else 0 for m in PERSON_METRICS]})
    return out


def _daily_overview(request: HttpRequest, day_form: DayForm) -> HttpResponse:
    """HQ and regions: every dealer in scope, yesterday and month to date, each linking to its report."""
    actor: Actor = request.actor  # type: ignore[attr-defined]
    day = day_form.value
    dealers = list(dealers_for(actor))
    reports = daily_reports(day=day, dealers=dealers, actor=actor, with_people=False)
    rows = [{"r": r, "yesterday": [r.yesterday.get(m, 0) for m in ("leads", "invited", "arrived", "ordered")],
             "month": [r.month_to_date.get(m, 0) for m in ("leads", "invited", "arrived", "ordered")]}
            for r in reports]
    filters = {"day": day.isoformat()}
    if _wants_xlsx(request):
        return _export(request, "daily-overview", _("Daily report"),
                       [_("Dealer code"), _("Dealer"),
                        *[f"{day:%m-%d}: {kpi.label_of(m)}" for m in ("leads", "invited", "arrived", "ordered")],
                        *[f"{_('Month to date')}: {kpi.label_of(m)}" for m in ("leads", "invited", "arrived",
                                                                              "ordered")],
                        _("Order target"), _("Order attainment (%)")],
                       ([row["r"].dealer.code, str(row["r"].dealer), *row["yesterday"], *row["month"],
                         row["r"].target.get("orders"), row["r"].attainment.get("orders")] for row in rows), filters)
    return render(request, "console/insights/daily_overview.html", {
        "tab": "daily", "day_form": day_form, "day": day, "rows": rows, "query": urlencode(filters),
        "heads": [kpi.label_of(m) for m in ("leads", "invited", "arrived", "ordered")],
        "can_export": actor.can("insights.export"),
    })


@staff_view("insights.view")
def daily(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    actor: Actor = request.actor  # type: ignore[attr-defined]
    dealer = _dealer_in_scope(request, pk)  # 404 before anything else for a dealer outside the scope
    day_form = DayForm(request.GET)
    if dealer is None:
        return _daily_overview(request, day_form)
    day = day_form.value
    start, _end = month_range(day)
    can_target = actor.can("insights.targets", dealer=dealer)
    target_form = None
    if request.method == "POST":
        if not can_target:
            raise PermissionDenied
        target_form = TargetForm(request.POST)
        if target_form.is_valid():
            try:
                target_set(actor=actor, dealer=dealer, month=start, **target_form.cleaned_data)
            except Forbidden:
                raise PermissionDenied from None
            except DomainError as exc:
                add_to_form(target_form, exc)
            else:
                messages.success(request, _("Targets saved."))
                return redirect(f"{request.path}?day={day.isoformat()}")
    report = daily_reports(day=day, dealers=[dealer], actor=actor, with_people=False)[0]
    cohort = funnel(actor=actor, filters=Filters(start, day, dealer_ids=[dealer.pk]))[0]
    brand = funnel(actor=SYSTEM, filters=Filters(start, day))[0]
    weakest = _weakest(cohort.counts, brand.counts)
    people = _people(actor, dealer, day)
    if can_target and target_form is None:
        current = MonthlyTarget.objects.filter(dealer=dealer, staff__isnull=True, month=start).first()
        target_form = TargetForm(initial={"leads": current.leads, "arrivals": current.arrivals,
                                          "orders": current.orders} if current else None)
    targets = [("leads", "leads", _("Leads")), ("arrivals", "arrived", _("Arrivals")), ("orders", "ordered",
                                                                                          _("Orders"))]
    target_rows = [{"code": code, "label": label, "target": report.target.get(code),
                    "done": report.month_to_date.get(metric, 0), "attainment": report.attainment.get(code)}
                   for code, metric, label in targets]
    summary_rows = [{"code": m, "label": kpi.label_of(m), "yesterday": report.yesterday.get(m, 0),
                     "month": report.month_to_date.get(m, 0)} for m in REPORT_METRICS]
    filters = {"day": day.isoformat(), "dealer": dealer.code}
    if _wants_xlsx(request):
        if request.GET.get("table") == "people":
            return _export(request, "daily-people", _("Per person"),
                           [_("Role"), _("Full name"), *[f"{day:%m-%d}: {kpi.label_of(m)}" for m in PERSON_METRICS],
                            *[f"{_('Month to date')}: {kpi.label_of(m)}" for m in PERSON_METRICS]],
                           ([p["role"], p["name"], *p["yesterday"], *p["month"]] for p in people), filters, dealer)
        return _export(request, "daily", _("Daily report"),
                       [_("Metric"), f"{day:%m-%d}", _("Month to date"), _("Target"), _("Attainment (%)")],
                       [*([r["label"], r["yesterday"], r["month"], "", ""] for r in summary_rows),
                        *([f"{_('Target')}: {t['label']}", "", t["done"], t["target"], t["attainment"]]
                          for t in target_rows)], filters, dealer)
    query = urlencode({"day": day.isoformat()})
    return render(request, "console/insights/daily.html", {
        "tab": "daily", "dealer": dealer, "day": day, "day_form": day_form, "report": report,
        "summary_rows": summary_rows, "target_rows": target_rows, "people": people,
        "person_heads": [kpi.label_of(m) for m in PERSON_METRICS], "weakest": weakest,
        "stages": _stages(cohort.counts, brand.counts, weakest and weakest["code"]),
        "rates": _rate_cards(cohort, brand), "target_form": target_form, "month": start, "query": query,
        "summary": report.summary(), "can_export": actor.can("insights.export", dealer=dealer),
        "own_scope_only": not _reads_whole_dealer(actor),
        "other_dealers": dealers_for(actor) if sees_many_dealers(actor) else None,
    })


# --- the monthly operations report ---------------------------------------------------------------


@staff_view("insights.view")
def monthly(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    actor: Actor = request.actor  # type: ignore[attr-defined]
    dealer = _dealer_in_scope(request, pk)
    month_form = MonthForm(request.GET)
    month = month_form.value
    start, end = month_range(month)
    f = Filters(start, end, dealer_ids=[dealer.pk] if dealer else [])
    total = funnel(actor=actor, filters=f)[0]
    national = funnel(actor=SYSTEM, filters=Filters(start, end))[0]
    weakest = _weakest(total.counts, national.counts)
    top = defeat_pareto(actor=actor, filters=f)[:5]
    drill = {"month": month.strftime("%Y-%m"), "dealer": dealer.pk if dealer and sees_many_dealers(actor) else ""}
    for r in top:
        r["kind_label"] = _kind_label(r["kind"])
        r["url"] = f"{reverse('console:insights_defeat_leads')}?{_query(drill, reason=r['reason'], kind=r['kind'])}"
    scores = [s for s in platform_scores(actor=actor, month=month) if dealer is None or s.dealer_id == dealer.pk]
    rates = _rate_cards(total, national)
    filters = {"month": f"{month:%Y-%m}", **({"dealer": dealer.code} if dealer else {})}
    if _wants_xlsx(request):
        table = request.GET.get("table")
        if table == "defeats":
            return _export(request, "monthly-defeats", _("Defeat reasons"),
                           [_("Reason"), _("Kind"), _("Leads"), _("Share (%)"), _("Cumulative (%)")],
                           ([r["label"], r["kind_label"], r["n"], r["share"], r["cumulative"]] for r in top),
                           filters, dealer)
        if table == "scores":
            return _export(request, "monthly-scores", _("Platform scores"),
                           [_("Dealer code"), _("Dealer"), _("Platform"), _("Score"), _("Threshold"), _("Passes")],
                           ([s.dealer.code, str(s.dealer), s.get_platform_display(), s.score, s.threshold,
                             _("Yes") if s.passes else _("No")] for s in scores), filters, dealer)
        return _export(request, "monthly", _("Monthly report"),
                       [_("Metric"), _("Figure"), _("National (brand)"), _("Formula")],
                       [*([kpi.label_of(m), kpi.value(total.counts, m), kpi.value(national.counts, m), ""]
                          for m in REPORT_METRICS),
                        *([r["label"], r["value"], r["brand"], f"{r['numerator']} ÷ {r['denominator']}"]
                          for r in rates)], filters, dealer)
    query = urlencode({"month": f"{month:%Y-%m}"})
    return render(request, "console/insights/monthly.html", {
        "tab": "monthly", "dealer": dealer, "month": month, "month_form": month_form, "total": total,
        "figures": [(m, kpi.label_of(m), kpi.value(total.counts, m)) for m in REPORT_METRICS],
        "rates": rates, "weakest": weakest,
        "stages": _stages(total.counts, national.counts, weakest and weakest["code"]),
        "funnel_chart": _funnel_chart(total.counts, weakest), "top": top, "scores": scores, "query": query,
        "scope_label": str(dealer) if dealer else (_("Brand (all dealers)") if actor.is_hq else _("My region")),
        "can_export": actor.can("insights.export", dealer=dealer),
        "other_dealers": dealers_for(actor) if sees_many_dealers(actor) else None,
        "platforms": Platform,
    })
