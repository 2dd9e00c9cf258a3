"""The store's visitor analytics (KPI-5): the funnel from a visit to a deposit, figures by day,
source, campaign and entry page, the top paths to a booking and a deposit, Excel export. Reads
the daily rollups only; brand-wide (no dealer dimension), so for HQ and regional managers."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from autodcc.analytics.models import Dimension, Goal
from autodcc.analytics.selectors import path_steps, report
from autodcc.campaigns.models import Campaign
from autodcc.console.downloads import xlsx_download
from autodcc.console.forms.common import date_input
from autodcc.console.views.base import staff_view
from autodcc.console.views.insights.common import _chart, _query
from autodcc.core import tabular
from autodcc.core.actors import Actor

MAX_DAYS = 366
DEFAULT_DAYS = 30

LABELS = {
    "visits": gettext_lazy("Visits"), "visitors": gettext_lazy("Visitors (per day, summed)"),
    "page_views": gettext_lazy("Page views"), "product_views": gettext_lazy("Car page views"),
    "product_visits": gettext_lazy("Visits that viewed a car"),
    "tool_visits": gettext_lazy("Visits that compared or calculated"),
    "calculator_visits": gettext_lazy("Visits that used the calculator"),
    "compare_visits": gettext_lazy("Visits that compared cars"),
    "lead_visits": gettext_lazy("Visits with an enquiry or booking"),
    "deposit_visits": gettext_lazy("Visits with a paid deposit"),
    "enquiries": gettext_lazy("Price enquiries"), "bookings": gettext_lazy("Test-drive bookings"),
    "orders": gettext_lazy("Deposit orders"), "deposits": gettext_lazy("Deposits paid"),
}
FUNNEL = ("visits", "product_visits", "tool_visits", "lead_visits", "deposit_visits")
FUNNEL_LABELS = {"visits": gettext_lazy("Visits"), "product_visits": gettext_lazy("Viewed a car"),
                 "tool_visits": gettext_lazy("Compared or calculated"),
                 "lead_visits": gettext_lazy("Enquired or booked"), "deposit_visits": gettext_lazy("Paid a deposit")}
TABLE = ("visits", "visitors", "page_views", "product_views", "calculator_visits", "compare_visits", "enquiries",
         "bookings", "orders", "deposits")
DIMENSIONS = ((Dimension.SOURCE, gettext_lazy("By source")), (Dimension.CAMPAIGN, gettext_lazy("By campaign")),
              (Dimension.ENTRY, gettext_lazy("By entry page")))
GOALS = ((Goal.DEPOSIT, gettext_lazy("Top paths to a deposit")), (Goal.BOOKING, gettext_lazy("Top paths to a test-drive booking")),
         (Goal.ENQUIRY, gettext_lazy("Top paths to a price enquiry")))


class RangeForm(forms.Form):
    date_from = forms.DateField(label=gettext_lazy("Start date"), required=False, widget=date_input())
    date_to = forms.DateField(label=gettext_lazy("End date"), required=False, widget=date_input())

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        today = timezone.localdate()
        end = data.get("date_to") or today
        start = data.get("date_from") or end - dt.timedelta(days=DEFAULT_DAYS - 1)
        if start > end:
            self.add_error("date_to", _("The last day is before the first."))
        elif (end - start).days + 1 > MAX_DAYS:
            self.add_error("date_from", _("Choose at most %(n)s days.") % {"n": MAX_DAYS})
        data["date_from"], data["date_to"] = start, end
        return data


# utm_source values and referring hosts the brand's visitors come from, named as staff know them
KNOWN_SOURCES = {
    "weixin": _("WeChat"), "wechat": _("WeChat"), "wx": _("WeChat"), "mp.weixin.qq.com": _("WeChat"),
    "baidu": _("Baidu"), "www.baidu.com": _("Baidu"), "m.baidu.com": _("Baidu"),
    "autohome": _("Autohome"), "www.autohome.com.cn": _("Autohome"), "m.autohome.com.cn": _("Autohome"),
    "yiche": _("Yiche"), "bitauto": _("Yiche"), "www.yiche.com": _("Yiche"), "m.yiche.com": _("Yiche"),
    "dongchedi": _("Dongchedi"), "dongchedi.com": _("Dongchedi"), "www.dongchedi.com": _("Dongchedi"),
    "douyin": _("Douyin"), "www.douyin.com": _("Douyin"), "tmall": _("Tmall"), "detail.tmall.com": _("Tmall"),
    "weibo": _("Weibo"), "xiaohongshu": _("Xiaohongshu"), "www.xiaohongshu.com": _("Xiaohongshu"),
    "sms": _("SMS"),
}
# the first column of each table
DIMENSION_COLUMNS = {Dimension.SOURCE: _("Source"), Dimension.CAMPAIGN: _("Campaign"), Dimension.ENTRY: _("Entry page")}


def _key_label(dim: str, key: str, names: dict[str, str]) -> str:
    if dim == Dimension.SOURCE:
        if not key:
            return _("Direct (no source)")
        known = KNOWN_SOURCES.get(key.lower())
        return f"{known} ({key})" if known else key
    if dim == Dimension.CAMPAIGN:
        if not key:
            return _("No campaign")
        return f"{names[key]} ({key})" if key in names else key
    return key or _("(no page view)")


def _campaign_names(codes: list[str]) -> dict[str, str]:
    wanted = {c.upper() for c in codes if c}
    return {code.upper(): name for code, name in
            Campaign.objects.filter(code__in=wanted).values_list("code", "name")} if wanted else {}


def _pct(part: int, whole: int) -> str:
    return f"{part * 100 / whole:.1f}%" if whole else "—"


def _share(part: int, whole: int) -> float | None:
    """The share as a number for the workbook (shown there as a percentage), empty without a whole."""
    return round(part / whole, 4) if whole else None


@staff_view("analytics.view")
def store(request: HttpRequest) -> HttpResponse:
    actor: Actor = request.actor  # type: ignore[attr-defined]
    form = RangeForm(request.GET)
    if not form.is_valid():
        return render(request, "console/insights/store.html", {"tab": "store", "form": form}, status=400)
    start, end = form.cleaned_data["date_from"], form.cleaned_data["date_to"]
    form = RangeForm({"date_from": start.isoformat(), "date_to": end.isoformat()})  # shows the effective range
    data = report(actor=actor, date_from=start, date_to=end)
    names = _campaign_names([k for k, _r in data.by[Dimension.CAMPAIGN]])
    funnel = [{"code": f, "label": str(FUNNEL_LABELS[f]), "value": data.total[f],
               "rate": _pct(data.total[f], data.total["visits"]),
               "share": _share(data.total[f], data.total["visits"])} for f in FUNNEL]
    tables = [{"dim": dim, "title": str(title), "column": str(DIMENSION_COLUMNS[dim]), "rows": [
        {"label": _key_label(dim, key, names), "values": [row[f] for f in TABLE],
         "conversion": _pct(row["lead_visits"], row["visits"]),
         "share": _share(row["lead_visits"], row["visits"])} for key, row in data.by[dim]]}
        for dim, title in DIMENSIONS]
    paths = [{"goal": goal, "title": str(title), "rows": [
        {"steps": path_steps(path), "visits": n} for path, n in data.paths[goal]]} for goal, title in GOALS]
    if request.GET.get("format") == "xlsx":
        return _export(request, data, funnel, tables, paths)
    source_rows = data.by[Dimension.SOURCE][:10]
    campaign_rows = data.by[Dimension.CAMPAIGN][:10]
    context = {
        "tab": "store", "form": form, "report": data, "funnel": funnel, "tables": tables, "paths": paths,
        "headers": [str(LABELS[f]) for f in TABLE],
        "totals": [(f, str(LABELS[f]), data.total[f]) for f in ("visits", "visitors", "page_views", "product_views",
                                                                "enquiries", "bookings", "orders", "deposits")],
        "funnel_chart": _chart({"type": "funnel", "name": _("Visit to deposit"),
                                "data": [{"name": s["label"], "value": s["value"], "weak": False} for s in funnel]}),
        "day_chart": _chart({"type": "bar", "labels": [d.strftime("%m-%d") for d, _v in data.days], "series": [
            {"name": str(LABELS["visits"]), "data": [v["visits"] for _d, v in data.days]},
            {"name": str(LABELS["product_visits"]), "data": [v["product_visits"] for _d, v in data.days]},
            {"name": str(LABELS["lead_visits"]), "data": [v["lead_visits"] for _d, v in data.days]}]}),
        "source_chart": _chart({"type": "bar", "labels": [_key_label(Dimension.SOURCE, k, names) for k, _r in source_rows],
                                "series": [{"name": str(LABELS["visits"]), "data": [r["visits"] for _k, r in source_rows]},
                                           {"name": str(LABELS["lead_visits"]), "data": [r["lead_visits"] for _k, r in source_rows]}]}),
        "campaign_chart": _chart({
            "type": "bar", "labels": [_key_label(Dimension.CAMPAIGN, k, names) for k, _r in campaign_rows],
            "series": [{"name": str(LABELS[f]), "data": [r[f] for _k, r in campaign_rows]}
                       for f in ("visits", "lead_visits", "deposit_visits")]}),
        "export_url": reverse("console:insights_store") + "?" + _query(
            {"date_from": start.isoformat(), "date_to": end.isoformat()}, format="xlsx"),
    }
    return render(request, "console/insights/store.html", context)


def _export(request: HttpRequest, data: Any, funnel: list[dict[str, Any]], tables: list[dict[str, Any]],
            paths: list[dict[str, Any]]) -> HttpResponse:
    actor: Actor = request.actor  # type: ignore[attr-defined]
    if not actor.can("insights.export"):
        raise PermissionDenied
    headers = [str(LABELS[f]) for f in TABLE]
    sheets: list[tuple[str, list[str], list[list[Any]]]] = [
        (_("Funnel"), [_("Step"), _("Visits"), _("Share of visits")],
         [[s["label"], s["value"], s["share"]] for s in funnel]),
        (_("By day"), [_("Day"), *headers], [[d.isoformat(), *[v[f] for f in TABLE]] for d, v in data.days]),
        *[(t["title"], [t["column"], *headers, _("Enquiry or booking rate")],
           [[r["label"], *r["values"], r["share"]] for r in t["rows"]]) for t in tables],
        (_("Paths"), [_("Goal"), _("Path"), _("Visits")],
         [[p["title"], " → ".join(r["steps"]), r["visits"]] for p in paths for r in p["rows"]]),
    ]
    name = f"{_('Store visitors')}-{data.date_from.isoformat()}-{data.date_to.isoformat()}.xlsx"
    percent_columns = {0: [3], **{2 + i: [len(headers) + 2] for i in range(len(tables))}}  # 1-based columns
    book = tabular.xlsx_book(sheets, percent_columns=percent_columns)
    return xlsx_download(request, book, name, what="analytics.store", action="insights.export",
                         details={"filters": {"date_from": data.date_from.isoformat(),
                                              "date_to": data.date_to.isoformat()}})
