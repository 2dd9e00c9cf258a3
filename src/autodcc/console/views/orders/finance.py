"""HQ finance: provider statements reconciled, deposits settled per dealer and month, the transfer list."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from autodcc.console.downloads import xlsx_download
from autodcc.console.exports import export_list, wants_export
from autodcc.console.forms.orders import (
    MonthForm,
    StatementImportForm,
    parse_month,
)
from autodcc.console.views.base import staff_view
from autodcc.console.views.orders.common import (
    _call,
)
from autodcc.core import tabular
from autodcc.core.actors import Actor
from autodcc.core.errors import DomainError, Forbidden
from autodcc.network.models import Dealer
from autodcc.orders import providers
from autodcc.orders.models import (
    Settlement,
    SettlementLine,
    Statement,
)
from autodcc.orders.services.reconciliation import (
    layout_help,
    settlement_candidates,
    settlement_run,
    statement_import,
    transfer_list_xlsx,
)


def _current_month() -> dt.date:
    return timezone.localdate().replace(day=1)


def _settlement_section(month: dt.date, actor: Actor) -> dict[str, Any]:
    candidates = settlement_candidates(month)
    dealers = Dealer.objects.in_bulk(list(candidates))
    settled = list(Settlement.objects.visible_to(actor).filter(month=month).select_related("dealer")
                   .prefetch_related(Prefetch("lines", SettlementLine.objects.select_related("order")
                                              .order_by("order__number")))
                   .order_by("dealer__code"))
    settled_dealers = {s.dealer_id for s in settled}
    # a dealer whose month is already settled: the run leaves later-matched orders alone (one
    # settlement per dealer and month), so say so instead of offering a button that does nothing
    pending = [{"dealer": dealers[dealer_id], "orders": orders, "total": sum(o.deposit for o in orders),
                "blocked": dealer_id in settled_dealers}
               for dealer_id, orders in sorted(candidates.items(), key=lambda kv: dealers[kv[0]].code)]
    return {"month": month, "month_value": f"{month:%Y-%m}", "pending": pending, "settled": settled,
            "pending_total": sum((p["total"] for p in pending), 0),
            "due_total": sum((p["total"] for p in pending if not p["blocked"]), Decimal("0.00")),
            "due_dealers": sum(1 for p in pending if not p["blocked"]),
            "can_settle": any(not p["blocked"] for p in pending),
            "settled_total": sum((s.total for s in settled), 0)}


@staff_view("orders.finance")
def finance(request: HttpRequest) -> HttpResponse:
    actor: Actor = request.actor
    month = parse_month(request.GET.get("month")) or _current_month()
    form = StatementImportForm(request.POST or None, request.FILES or None,
                               initial={"provider": "sandbox", "month": f"{month:%Y-%m}"})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        statement: list[Statement] = []

        def run() -> None:
            statement.append(statement_import(actor=actor, provider=d["provider"], month=d["month"],
                                              upload=d["file"], filename=d["file"].name))

        if _call(form, run):
            messages.success(request, _("Statement imported."))
            return redirect("console:statement_detail", pk=statement[0].pk)
    return render(request, "console/finance/index.html", {
        "form": form, "month_form": MonthForm(initial={"month": f"{month:%Y-%m}"}, auto_id="m-%s"),
        "statements": Statement.objects.all()[:20],
        "layouts": [{**row, "label": providers.label(row["provider"])} for row in layout_help()],
        **_settlement_section(month, actor),
    })


@staff_view("orders.finance")
def statement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    statement = get_object_or_404(Statement, pk=pk)
    if wants_export(request):
        return export_list(request, "statement_lines", statement.lines.select_related(
            "payment__order__dealer", "refund__order__dealer").order_by("row"),
            filters={"statement": statement.pk, "month": f"{statement.month:%Y-%m}"})
    report = statement.report or {}
    missing = report.get("missing_from_statement") or {}
    return render(request, "console/finance/statement.html", {
        "statement": statement, "report": report,
        "unmatched": report.get("unmatched") or [], "mismatched": report.get("amount_mismatch") or [],
        "duplicates": report.get("duplicates") or [],
        "missing_payments": missing.get("payments") or [], "missing_refunds": missing.get("refunds") or [],
        "missing_count": len(missing.get("payments") or []) + len(missing.get("refunds") or []),
        "month_value": f"{statement.month:%Y-%m}",
    })


@require_POST
@staff_view("orders.finance")
def settlement_settle(request: HttpRequest) -> HttpResponse:
    month = parse_month(request.POST.get("month"))
    if month is None:
        messages.error(request, _("Give the month as YYYY-MM."))
        return redirect("console:finance")
    try:
        expected = tabular.to_decimal(request.POST.get("expected_total"))
        if (request.POST.get("confirm") != "1" or expected is None or not expected.is_finite()
                or not Decimal("0") <= expected < Decimal("1e12")):
            raise DomainError("settlement.not_confirmed")
        settled = settlement_run(actor=request.actor, month=month, expected_total=expected)
    except Forbidden:
        raise PermissionDenied from None
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        if settled:
            messages.success(request, _("%(n)s transfer lists settled, %(total)s CNY in all.") % {
                "n": len(settled), "total": f"{sum(s.total for s in settled):.2f}"})
        else:
            messages.info(request, _("Nothing left to settle for this month."))
    return redirect(f"{reverse('console:finance')}?month={month:%Y-%m}")


@staff_view("orders.finance")
def transfer_list(request: HttpRequest) -> HttpResponse:
    month = parse_month(request.GET.get("month"))
    if month is None:
        return HttpResponseBadRequest(_("Give the month as YYYY-MM."))
    return xlsx_download(request, transfer_list_xlsx(month), _("Transfer list") + f"-{month:%Y-%m}.xlsx",
                         what="finance.transfer_list", details={"month": f"{month:%Y-%m}"})
