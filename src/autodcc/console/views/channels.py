"""HQ's pages of the channel connectors: each connector's receipts, refusals, pulls and feedback,
its failed deliveries with a replay; the platform scores, imported and computed."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from autodcc.channels import connectors, selectors
from autodcc.channels.models import Connector, Delivery, DeliveryKind
from autodcc.channels.scores import COMPUTED, LAYOUTS, computed_scores, header_of, imports_for, scores_import
from autodcc.channels.services import delivery_replay
from autodcc.console.exports import export_list, wants_export
from autodcc.console.forms.channels import ScoreImportForm
from autodcc.console.forms.insights import MonthForm
from autodcc.console.views.base import paginate, staff_view
from autodcc.core.errors import DomainError, Forbidden, NotFound, add_to_form
from autodcc.insights.reports import platform_scores
from autodcc.leads.models import Channel

NOTE_LABELS = {
    "dealer_unknown": gettext_lazy("Unknown dealer code: allocated by the city"),
    "dealer_closed": gettext_lazy("The named dealer is closed: allocated by the allocation rules"),
    "city_unknown": gettext_lazy("Unknown city or district code: dropped"),
    "city_from_address": gettext_lazy("City taken from the address"),
}
REFUSAL_LABELS = {
    "signature": gettext_lazy("Bad signature"),
    "timestamp": gettext_lazy("Timestamp too old or too new"),
    "malformed": gettext_lazy("Malformed body"),
    "method": gettext_lazy("Unknown method"),
    "config": gettext_lazy("Connector not configured"),
}
RATE_LABELS = {"sla_rate": gettext_lazy("Responded within SLA"), "valid_rate": gettext_lazy("Valid-lead rate")}


def _rows(deliveries: Any) -> list[dict[str, Any]]:
    return [{"d": d, **selectors.item_summary(d)} for d in deliveries]


@staff_view("channels.view")
def channel_index(request: HttpRequest) -> HttpResponse:
    return render(request, "console/channels/index.html", {
        "overviews": selectors.overviews(), "outcomes": selectors.OUTCOME_ORDER, "days": selectors.RECENT_DAYS,
        "can_scores": request.actor.can("insights.scores"),  # type: ignore[attr-defined]
    })


@staff_view("channels.view")
def channel_detail(request: HttpRequest, name: str) -> HttpResponse:
    if connectors.get(name) is None:
        raise Http404
    if wants_export(request):
        failed_only = request.GET.get("failed") == "1"
        return export_list(request, "deliveries", selectors.deliveries(name, only_failed=failed_only),
                           filters={"connector": name, "failed": failed_only})
    overview = selectors.overview(name)
    failed = paginate(request, selectors.deliveries(name, only_failed=True))
    return render(request, "console/channels/detail.html", {
        "o": overview, "outcomes": selectors.OUTCOME_ORDER, "days": selectors.RECENT_DAYS,
        "refusals": [{"r": r, "label": REFUSAL_LABELS.get(r.reason, r.reason)} for r in selectors.refusals(name)],
        "page": failed, "failed": _rows(failed), "recent": _rows(selectors.deliveries(name)[:20]),
        "failed_feedback": selectors.failed_feedback(name),
        "can_replay": request.actor.can("channels.replay"),  # type: ignore[attr-defined]
        "push_path": f"/channels/{name}/push/",
    })


@staff_view("channels.view")
def delivery_detail(request: HttpRequest, pk: int) -> HttpResponse:
    delivery = get_object_or_404(Delivery.objects.select_related("lead", "lead__dealer", "order"), pk=pk)
    return render(request, "console/channels/delivery.html", {
        "d": delivery, "label": Connector(delivery.connector).label, "body": selectors.readable_body(delivery.body),
        "notes": [{"label": NOTE_LABELS.get(n.get("code", ""), n.get("code", "")), "value": n.get("value", "")}
                  for n in delivery.notes or []],
        "summary": selectors.item_summary(delivery), "is_order": delivery.kind == DeliveryKind.ORDER,
        "can_replay": request.actor.can("channels.replay"),  # type: ignore[attr-defined]
        "feedback": delivery.feedback.all(),
    })


@require_POST
@staff_view("channels.replay")
def delivery_replay_view(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        delivery = delivery_replay(actor=request.actor, delivery_id=pk)  # type: ignore[attr-defined]
    except NotFound:
        raise Http404 from None
    except Forbidden:
        raise PermissionDenied from None
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("console:channel_delivery", pk)
    if delivery.replayable:
        messages.warning(request, _("Replayed: still refused — %(reason)s") % {
            "reason": "; ".join(str(e.get("message", "")) for e in delivery.error or [])})
    else:
        messages.success(request, _("Replayed: %(outcome)s.") % {"outcome": delivery.get_outcome_display()})
    return redirect("console:channel_delivery", pk)


@staff_view("insights.scores")
def platform_score_page(request: HttpRequest) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    month_form = MonthForm(request.GET)
    month = month_form.value
    form = ScoreImportForm()
    if request.method == "POST":
        form = ScoreImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                record = scores_import(actor=actor, platform=form.cleaned_data["platform"], upload=upload,
                                       filename=upload.name, size=upload.size)
            except Forbidden:
                raise PermissionDenied from None
            except DomainError as exc:
                add_to_form(form, exc)
            else:
                messages.success(request, _("%(saved)s of %(rows)s rows saved.") % {"saved": record.saved,
                                                                                   "rows": record.rows})
                return redirect("console:platform_score_import", record.pk)
    computed = computed_scores(actor=actor, month=month)
    channel_labels = dict(Channel.choices)
    return render(request, "console/channels/scores.html", {
        "form": form, "month_form": month_form, "month": month,
        "imported": platform_scores(actor=actor, month=month),
        "computed": [{"s": s, "channel": channel_labels.get(s.channel, s.channel),
                      "rates": [{"code": code, "label": RATE_LABELS[code], "value": s.values.get(code),
                                 "threshold": s.thresholds[code], "passes": s.passes(code)} for code, _t in COMPUTED]}
                     for s in computed],
        "rate_headers": [(RATE_LABELS[code], threshold) for code, threshold in COMPUTED],
        "layouts": [{"label": layout.label, "columns": header_of(p)} for p, layout in LAYOUTS.items()],
        "imports": imports_for(actor)[:10],
    })


@staff_view("insights.scores")
def platform_score_import(request: HttpRequest, pk: int) -> HttpResponse:
    record = get_object_or_404(imports_for(request.actor), pk=pk)  # type: ignore[attr-defined]
    layout = LAYOUTS.get(record.platform)  # type: ignore[call-overload]
    return render(request, "console/channels/score_import.html",
                  {"record": record, "platform": layout.label if layout else record.platform})
