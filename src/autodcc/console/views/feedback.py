"""Complaint pages (CARE-3): the list with its filters and Excel export, staff entry of a call or
a walk-in, one complaint with its history and the handler's actions, the report by category,
dealer and time to resolve, and HQ's routing and SLA rules. Everything is read through the
actor's scope: another dealer's complaint is a 404."""

from __future__ import annotations

import json
import secrets
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from autodcc.console.downloads import xlsx_download
from autodcc.console.exports import export_list, wants_export
from autodcc.console.forms.feedback import (
    STAFF_CONSENT_VERSION,
    AssignForm,
    CloseForm,
    ComplaintEntryForm,
    ComplaintFilterForm,
    NoteForm,
    ReassignForm,
    ReportForm,
    ResolveForm,
    RuleForm,
    StartForm,
)
from autodcc.console.views.base import paginate, querystring_without_page, render_list, run_service, shows_dealer, staff_view
from autodcc.core import audit, phone, tabular
from autodcc.core.actors import Actor
from autodcc.core.errors import DomainError, add_to_form
from autodcc.core.tenancy import get_for_actor
from autodcc.feedback import selectors, services
from autodcc.feedback.models import OPEN_STATUSES, Attachment, Category, CategoryRule, Complaint, Queue, Status
from autodcc.feedback.rules import DEFAULT_RULES

VIEW, HANDLE, ROUTE, REPORT = "feedback.view", "feedback.handle", "feedback.route", "feedback.report"


@staff_view(VIEW)
def complaint_list(request: HttpRequest) -> HttpResponse:
    actor: Actor = request.actor
    form = ComplaintFilterForm(request.GET or None, actor=actor)
    filters = {**form.filters(), "staff_id": actor.staff_id}
    rows = selectors.complaint_filter(selectors.complaints_for(actor), filters)
    if wants_export(request):
        return export_list(request, "complaints", rows)
    page = paginate(request, rows)
    now = timezone.now()
    for c in page:
        c.is_overdue = c.overdue_at(now)  # type: ignore[attr-defined]
    return render_list(request, "console/feedback/list.html", {
        "form": form, "page": page, "qs": querystring_without_page(request), "show_dealer": shows_dealer(actor),
        "can_file": actor.can(HANDLE), "can_route": actor.can(ROUTE), "can_report": actor.can(REPORT)})


@staff_view(HANDLE)
def complaint_new(request: HttpRequest) -> HttpResponse:
    """A complaint taken by phone or at the desk."""
    actor: Actor = request.actor
    form = ComplaintEntryForm(request.POST or None, request.FILES or None, actor=actor,
                              initial={"submission": secrets.token_urlsafe(16)})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        if not d["consent"]:
            form.add_error("consent", _("Ask the consumer for their consent first."))
        else:
            dealer = d.get("dealer")
            data = services.ComplaintInput(
                name=d["name"], phone=d["phone"], category=d["category"], kind=d["kind"], description=d["description"],
                order=d["order"], dealer=dealer.code if dealer else "", consent_version=STAFF_CONSENT_VERSION,
                consent_share=True, attachments=[d["attachment"]] if d.get("attachment") else [])
            key = f"console:u{request.user.pk}:{d['submission']}" if d.get("submission") else ""
            done = run_service(form, lambda: services.complaint_file(actor=actor, data=data, source=d["source"],
                                                                      submission_key=key))
            if done is not None:
                complaint, created = done
                if created:
                    messages.success(request, _("Complaint %(number)s filed and routed to %(handler)s.") % {
                        "number": complaint.number, "handler": complaint.handler_label})
                return redirect("console:complaint_detail", pk=complaint.pk)
    return render(request, "console/feedback/new.html", {"form": form})


def _complaint(request: HttpRequest, pk: int) -> Complaint:
    return get_for_actor(Complaint.objects.select_related("dealer", "customer", "assignee", "order", "lead"),
                         request.actor, pk=pk)


ACTIONS = ("assign", "start", "note", "resolve", "reassign", "close")


def _forms(actor: Actor, complaint: Complaint, bound: dict[str, forms.Form] | None = None) -> dict[str, forms.Form]:
    """The action forms this person may use on this complaint now."""
    bound = bound or {}
    handles = services.may_handle(actor, complaint)
    concerned = complaint.dealer_id is not None and actor.can(HANDLE, dealer=complaint.dealer)
    found: dict[str, forms.Form] = {}
    is_open = complaint.status in OPEN_STATUSES
    if handles and is_open:
        found["assign"] = bound.get("assign") or AssignForm(prefix="assign", people=services.handler_staff(complaint))
        if complaint.status != Status.IN_PROGRESS:
            found["start"] = bound.get("start") or StartForm(prefix="start")
        found["resolve"] = bound.get("resolve") or ResolveForm(prefix="resolve")
    if handles or concerned:
        found["note"] = bound.get("note") or NoteForm(prefix="note")
    if services.may_route(actor) and is_open:
        found["reassign"] = bound.get("reassign") or ReassignForm(prefix="reassign", initial={"queue": complaint.queue})
    if handles and complaint.status == Status.CONFIRMED:
        found["close"] = bound.get("close") or CloseForm(prefix="close")
    return found


@staff_view(VIEW)
def complaint_detail(request: HttpRequest, pk: int, bound: dict[str, forms.Form] | None = None,
                     status: int = 200) -> HttpResponse:
    actor: Actor = request.actor
    complaint = _complaint(request, pk)
    now = timezone.now()
    handles = services.may_handle(actor, complaint)
    return render(request, "console/feedback/detail.html", {
        "c": complaint, "entries": complaint.entries.select_related("by_staff").order_by("id"),  # as they happened
        "attachments": complaint.attachments.all(), "forms": _forms(actor, complaint, bound),
        "overdue": complaint.overdue_at(now), "handles": handles,
        "respond_late": complaint.first_response_at is None and complaint.respond_by <= now,
        "phone": phone.national(complaint.customer.phone) if handles else complaint.phone_masked,
        "sees_lead": complaint.lead_id is not None and actor.can("leads.view"),
        "sees_order": complaint.order_id is not None and actor.can("orders.view"),
    }, status=status)


@require_POST
@staff_view(VIEW)
def complaint_action(request: HttpRequest, pk: int) -> HttpResponse:
    actor: Actor = request.actor
    complaint = _complaint(request, pk)
    action = request.POST.get("action", "")
    available = _forms(actor, complaint)
    if action not in ACTIONS:
        raise Http404
    if action not in available:
        raise PermissionDenied
    form_class = type(available[action])
    kwargs: dict[str, Any] = {"prefix": action}
    if action == "assign":
        kwargs["people"] = services.handler_staff(complaint)
    form = form_class(request.POST, **kwargs)
    if form.is_valid():
        d = form.cleaned_data
        call = {
            "assign": lambda: services.complaint_assign(actor=actor, complaint=complaint, assignee=d["assignee"],
                                                        note=d["note"]),
            "start": lambda: services.complaint_start(actor=actor, complaint=complaint, note=d["note"]),
            "note": lambda: services.complaint_note(actor=actor, complaint=complaint, note=d["note"]),
            "resolve": lambda: services.complaint_resolve(actor=actor, complaint=complaint,
                                                          resolution=d["resolution"]),
            "reassign": lambda: services.complaint_reassign(actor=actor, complaint=complaint, queue=d["queue"],
                                                            dealer=d.get("dealer"), note=d["note"]),
            "close": lambda: services.complaint_close(actor=actor, complaint=complaint, note=d["note"]),
        }[action]
        done = run_service(form, call)
        if done is not None:
            messages.success(request, {
                "assign": _("Assigned."), "start": _("Recorded: you have taken it up."), "note": _("Note added."),
                "resolve": _("Resolved. The consumer gets an SMS to confirm the result or reopen it."),
                "reassign": _("Passed to %(handler)s.") % {"handler": done.handler_label},
                "close": _("Closed."),
            }[action])
            return redirect("console:complaint_detail", pk=complaint.pk)
    return complaint_detail(request, pk, bound={action: form}, status=400)


@staff_view(VIEW)
def complaint_attachment(request: HttpRequest, pk: int) -> HttpResponse:
    """An attachment, for those who may see its complaint (another dealer's: 404)."""
    found = get_for_actor(Attachment.objects.select_related("complaint"), request.actor, pk=pk)
    audit.record(actor=request.actor, action="file.download", object_type="feedback.attachment", object_id=found.pk,
                 dealer_id=found.complaint.dealer_id, after={"file": found.name, "bytes": found.size})
    try:
        handle = found.file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    return FileResponse(handle, as_attachment=True, filename=found.name)


def _chart(spec: dict[str, Any]) -> str:
    return json.dumps(spec, ensure_ascii=False)


@staff_view(REPORT)
def complaint_report(request: HttpRequest) -> HttpResponse:
    """By category, dealer and time to resolve (opening hours): filed, open, resolved, within the
    SLA, confirmed by the consumer, reopened, median hours."""
    actor: Actor = request.actor
    form = ReportForm(request.GET or None)
    start, end = form.period()
    if not form.is_bound:
        form = ReportForm(initial={"start": start, "end": end})
    report = selectors.report(actor, start, end, _("HQ (no dealer)"))
    if request.GET.get("format") == "xlsx":
        return _report_xlsx(request, report)
    categories = [g for g in report.by_category if g.filed]
    return render(request, "console/feedback/report.html", {
        "form": form, "r": report, "start": start, "end": end,
        "category_chart": _chart({"type": "bar", "labels": [g.label for g in categories], "series": [
            {"name": _("Filed"), "data": [g.filed for g in categories]},
            {"name": _("Resolved within the SLA"), "data": [g.in_time for g in categories]},
            {"name": _("Still open"), "data": [g.open for g in categories]}], "empty": _("No complaints")}),
        "dealer_chart": _chart({"type": "bar", "labels": [g.label for g in report.by_dealer], "series": [
            {"name": _("Median opening hours to resolve"), "data": [g.median_hours or 0 for g in report.by_dealer]}],
            "empty": _("No complaints")}),
        "time_chart": _chart({"type": "bar", "labels": [_("%(days)s days") % {"days": label}
                                                        for label, _n in report.buckets],
                              "series": [{"name": _("Resolved"), "data": [n for _label, n in report.buckets]}],
                              "empty": _("No complaints")}),
    })


def _group_rows(groups: list[Any]) -> list[list[Any]]:
    return [[g.label, g.filed, g.open, g.resolved, g.in_time,
             "" if g.in_time_rate is None else g.in_time_rate, g.confirmed, g.reopened,
             "" if g.median_hours is None else g.median_hours] for g in groups]


def _report_xlsx(request: HttpRequest, report: selectors.Report) -> HttpResponse:
    header = [_("Filed"), _("Open"), _("Resolved"), _("Within the SLA"), _("Within the SLA (%)"),
              _("Confirmed by the consumer"), _("Reopened"), _("Median opening hours to resolve")]
    data = tabular.xlsx_book([
        (_("By category"), [_("Category"), *header], _group_rows([g for g in report.by_category if g.filed])
         + _group_rows([_total(report)])),
        (_("By dealer"), [_("Dealer"), *header], _group_rows(report.by_dealer) + _group_rows([_total(report)])),
        (_("Time to resolve"), [_("Opening days"), _("Resolved")], [[label, n] for label, n in report.buckets]),
    ], bold_last=[True, True, False])
    name = f"{_('Complaints report')}-{report.start:%Y%m%d}-{report.end:%Y%m%d}.xlsx"
    return xlsx_download(request, data, name, what="feedback.report",
                         details={"from": report.start.isoformat(), "to": report.end.isoformat(),
                                  "complaints": report.total.filed})


def _total(report: selectors.Report) -> Any:
    report.total.label = _("Total")
    return report.total


@staff_view(ROUTE)
def complaint_rules(request: HttpRequest) -> HttpResponse:
    """Where each category goes and its clock; HQ edits one row at a time."""
    actor: Actor = request.actor
    rows = {r.category: r for r in CategoryRule.objects.all()}
    failed: dict[str, RuleForm] = {}
    if request.method == "POST":
        category = request.POST.get("category", "")
        if category not in Category.values:
            raise Http404
        row = rows.get(category) or CategoryRule(category=category)
        form = RuleForm(request.POST, prefix=category, instance=row)
        if form.is_valid():
            d = form.cleaned_data
            try:
                services.rule_save(actor=actor, category=category, target=d["target"],
                                   first_response_minutes=d["first_response_minutes"],
                                   resolution_minutes=d["resolution_minutes"],
                                   escalate_again_minutes=d["escalate_again_minutes"])
            except DomainError as exc:
                add_to_form(form, exc)
            else:
                messages.success(request, _("Rule for “%(category)s” saved.") % {
                    "category": Category(category).label})
                return redirect("console:complaint_rules")
        failed[category] = form
    table = []
    for category, label in Category.choices:
        row = rows.get(category)
        if row is None:
            target, first, resolve, again = DEFAULT_RULES[category]
            row = CategoryRule(category=category, target=target, first_response_minutes=first,
                               resolution_minutes=resolve, escalate_again_minutes=again)
        table.append({"category": category, "label": label,
                      "form": failed.get(category) or RuleForm(prefix=category, instance=row)})
    return render(request, "console/feedback/rules.html", {"rules": table, "queues": Queue.choices},
                  status=400 if failed else 200)


__all__ = ["complaint_action", "complaint_attachment", "complaint_detail", "complaint_list", "complaint_new",
           "complaint_report", "complaint_rules", "reverse"]
