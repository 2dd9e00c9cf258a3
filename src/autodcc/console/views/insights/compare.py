"""Dealers compared with the national, regional and city averages; platform scores."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from autodcc.console.forms.insights import (
    MonthForm,
    PlatformScoreForm,
    dealers_for,
)
from autodcc.console.views.base import staff_view
from autodcc.console.views.insights.common import (
    COMPARED,
    COMPARED_RATES,
    _export,
    _rate_label,
    _reads_whole_dealer,
    _step,
    _step_label,
    _wants_xlsx,
    _worse,
)
from autodcc.core.actors import SYSTEM, Actor
from autodcc.core.errors import DomainError, Forbidden, add_to_form
from autodcc.insights import kpi
from autodcc.insights.queries import Filters, funnel
from autodcc.insights.reports import compare_dealers, month_range, platform_score_save, platform_scores


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
