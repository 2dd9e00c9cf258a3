"""The daily report (per dealer and the overview of all) and the monthly operations report."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from autodcc.console.forms.insights import (
    DayForm,
    MonthForm,
    TargetForm,
    dealers_for,
    sees_many_dealers,
)
from autodcc.console.views.base import staff_view
from autodcc.console.views.insights.common import (
    PERSON_METRICS,
    REPORT_METRICS,
    _dealer_in_scope,
    _export,
    _funnel_chart,
    _query,
    _rate_cards,
    _reads_whole_dealer,
    _stages,
    _wants_xlsx,
    _weakest,
)
from autodcc.console.views.insights.funnel import _kind_label
from autodcc.core.actors import SYSTEM, Actor
from autodcc.core.errors import DomainError, Forbidden, add_to_form
from autodcc.insights import kpi
from autodcc.insights.models import MonthlyTarget, Platform
from autodcc.insights.queries import Filters, defeat_pareto, funnel
from autodcc.insights.reports import daily_reports, month_range, platform_scores
from autodcc.insights.targets import target_set
from autodcc.network.models import Dealer


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
