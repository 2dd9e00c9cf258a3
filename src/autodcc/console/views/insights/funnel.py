"""The funnel dashboard and the defeat analysis with its drill-down to the leads."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from autodcc.console.downloads import xlsx_download
from autodcc.console.forms.insights import (
    InsightFilterForm,
    sees_many_dealers,
)
from autodcc.console.views.base import paginate, render_list, staff_view
from autodcc.console.views.insights.common import (
    _brand,
    _chart,
    _export,
    _funnel_chart,
    _headers,
    _number,
    _query,
    _rate_cards,
    _sla_minutes,
    _stages,
    _table_rows,
    _wants_xlsx,
    _weakest,
)
from autodcc.core.actors import Actor
from autodcc.core.errors import Forbidden
from autodcc.insights import exports, kpi
from autodcc.insights.queries import defeat_pareto, defeated_leads, funnel
from autodcc.leads.models import DefeatKind, DefeatReason


def _dashboard_data(request: HttpRequest, form: InsightFilterForm) -> dict[str, Any]:
    actor: Actor = request.actor  # type: ignore[attr-defined]
    f = form.to_filters()
    total = funnel(actor=actor, filters=f)[0]
    rows = funnel(actor=actor, filters=f, group=form.group_by)
    brand = _brand(f)
    weakest = _weakest(total.counts, brand.counts)
    sla = _sla_minutes(f)
    query = _query(form.data)
    table = _table_rows(rows, brand, sla)
    show_cost = form.group_by in ("channel", "campaign")
    if show_cost:  # what a lead and a deal cost, by channel (monthly costs) or campaign (its spend)
        from autodcc.campaigns.services import costs_by

        costs = costs_by(form.group_by, actor=actor, date_from=f.date_from, date_to=f.date_to,
                         dealer_ids=f.dealer_ids)
        for row, source in zip(table, rows, strict=True):
            cost = costs.get(row["key"])
            leads, deals = source.counts.get("leads", 0), source.counts.get("ordered", 0)
            row["cost"] = cost
            row["per_lead"] = (cost / leads).quantize(Decimal("0.01")) if cost is not None and leads else None
            row["per_deal"] = (cost / deals).quantize(Decimal("0.01")) if cost is not None and deals else None
    return {
        "form": form, "filters": f, "total": total, "brand": brand, "weakest": weakest, "sla": sla,
        "rates": _rate_cards(total, brand), "stages": _stages(total.counts, brand.counts, weakest and weakest["code"]),
        "rows": table, "total_row": _table_rows([total], brand, sla)[0], "show_cost": show_cost,
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
