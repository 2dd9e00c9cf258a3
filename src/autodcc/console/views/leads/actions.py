"""The lead page's actions: each posts to its own URL, finds its object through the actor's
scope (404 for another dealer's), calls one service and answers with the page's body."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from autodcc.console.forms.leads import (
    ApproveForm,
    CareNoteForm,
    ConfirmForm,
    DefeatForm,
    FollowUpForm,
    HandoverForm,
    InviteForm,
    NoteForm,
    ReallocateForm,
    ReassignForm,
    RejectForm,
    StepForm,
    TestDriveForm,
)
from autodcc.console.views.base import staff_view
from autodcc.console.views.leads.common import (
    _call,
    _child_for,
    _htmx,
    _int,
    _lead_for,
)
from autodcc.console.views.leads.page import _lead_action, _respond
from autodcc.console.views.leads.work import _arrival_row_action
from autodcc.leads import services
from autodcc.leads.models import (
    Appointment,
    CareTask,
    DefeatRequest,
    Lead,
)
from autodcc.leads.services.assignment import agents_of
from autodcc.leads.services.showroom import consultants_of


@require_POST
@staff_view("leads.work")
def lead_follow_up(request: HttpRequest, pk: int) -> HttpResponse:
    def run(lead: Lead, d: dict[str, Any]) -> Any:
        return services.lead_follow_up(
            actor=request.actor, lead=lead, kind=d["kind"], result=d["result"], note=d["note"],
            recording_ref=d["recording_ref"], grade=d["grade"] or None, expected_purchase_on=d["expected_purchase_on"],
            expected_visit_on=d["expected_visit_on"], next_follow_up_on=d["next_follow_up_on"])

    return _lead_action(request, pk, key="follow_up", form=FollowUpForm(request.POST, auto_id="fu-%s"), run=run,
                        notice=_("Follow-up saved."))


@require_POST
@staff_view("leads.work")
def lead_invite(request: HttpRequest, pk: int) -> HttpResponse:
    def run(lead: Lead, d: dict[str, Any]) -> Any:
        return services.lead_invite(actor=request.actor, lead=lead, scheduled_at=d["scheduled_at"],
                                    purpose=d["purpose"], note=d["note"])

    return _lead_action(request, pk, key="invite", form=InviteForm(request.POST, auto_id="inv-%s"), run=run,
                        notice=_("Invitation saved; the customer gets a confirmation message."))


@require_POST
@staff_view("leads.work")
def appointment_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    appointment = _child_for(request, Appointment.objects.all(), pk)
    form = ConfirmForm(request.POST, auto_id=f"conf{appointment.pk}-%s")
    done = False
    if form.is_valid():
        d = form.cleaned_data
        done = _call(form, lambda: services.appointment_confirm(
            actor=request.actor, appointment=appointment, outcome=d["outcome"], note=d["note"],
            new_time=d["new_time"])) is not None
    return _respond(request, appointment.lead_id, key=f"confirm:{appointment.pk}", form=form, done=done,
                    notice=_("Appointment updated."))


@require_POST
@staff_view("leads.work")
def lead_arrive(request: HttpRequest, pk: int) -> HttpResponse:
    if request.POST.get("from") == "arrivals":
        return _arrival_row_action(request, pk)
    return _lead_action(request, pk, key="arrive", form=NoteForm(request.POST, auto_id="arr-%s"),
                        run=lambda lead, d: services.lead_register_arrival(actor=request.actor, lead=lead,
                                                                           note=d["note"]),
                        notice=_("Arrival registered."))


@require_POST
@staff_view("leads.handover")
def lead_handover(request: HttpRequest, pk: int) -> HttpResponse:
    lead = _lead_for(request, pk)
    form = HandoverForm(request.POST, consultants=consultants_of(lead.dealer), auto_id="ho-%s")
    done = False
    if form.is_valid():
        d = form.cleaned_data
        done = _call(form, lambda: services.lead_handover(actor=request.actor, lead=lead, to_staff=d["consultant"],
                                                          note=d["note"])) is not None
    return _respond(request, lead.pk, key="handover", form=form, done=done,
                    notice=_("Handed over to the sales consultant."))


@require_POST
@staff_view("leads.showroom")
def lead_step(request: HttpRequest, pk: int) -> HttpResponse:
    return _lead_action(request, pk, key="step", form=StepForm(request.POST, auto_id="step-%s"),
                        run=lambda lead, d: services.lead_record_step(actor=request.actor, lead=lead, step=d["step"],
                                                                      note=d["note"]),
                        notice=_("Step recorded."))


@require_POST
@staff_view("leads.work")
def lead_defeat(request: HttpRequest, pk: int) -> HttpResponse:
    def run(lead: Lead, d: dict[str, Any]) -> Any:
        return services.lead_request_defeat(actor=request.actor, lead=lead, kind=d["kind"], reason=d["reason"],
                                            note=d["note"], competitor_brand=d["competitor_brand"],
                                            competitor_model=d["competitor_model"])

    return _lead_action(request, pk, key="defeat", form=DefeatForm(request.POST, auto_id="def-%s"), run=run,
                        notice=_("Sent to the manager for approval."))


@staff_view("leads.work")
def defeat_reasons(request: HttpRequest) -> HttpResponse:
    """The reason list for the chosen kind (the defeat form's kind select asks for it)."""
    form = DefeatForm(initial={"kind": request.GET.get("kind") or "defeat"}, auto_id="def-%s")
    return render(request, "console/leads/_defeat_reason.html", {"field": form["reason"]})


def _decision(request: HttpRequest, pk: int, *, key: str, form: forms.Form,
              run: Callable[[DefeatRequest, dict[str, Any]], Any], notice: str) -> HttpResponse:
    request_ = _child_for(request, DefeatRequest.objects.select_related("lead__customer", "requested_by"), pk)
    done = False
    if form.is_valid():
        done = _call(form, lambda: run(request_, form.cleaned_data)) is not None
    if request.POST.get("from") == "approvals":
        request_.refresh_from_db()
        forms_ = {"approve": ApproveForm(auto_id=f"appr{pk}-%s"), "reject": RejectForm(auto_id=f"rej{pk}-%s")}
        if not done:
            forms_[key] = form
        context = {"d": request_, "approve_form": forms_["approve"], "reject_form": forms_["reject"],
                   "notice": notice if done else ""}
        if _htmx(request):
            return render(request, "console/leads/_approval.html", context)
        if done:
            messages.success(request, notice)
            return redirect("console:approvals")
        return render(request, "console/leads/approvals.html", {"cards": [context]})
    return _respond(request, request_.lead_id, key=key, form=form, done=done, notice=notice)


@require_POST
@staff_view("leads.approve_defeat")
def defeat_approve(request: HttpRequest, pk: int) -> HttpResponse:
    auto = f"appr{pk}-%s" if request.POST.get("from") == "approvals" else "appr-%s"
    return _decision(request, pk, key="approve", form=ApproveForm(request.POST, auto_id=auto),
                     run=lambda d, c: services.defeat_approve(actor=request.actor, request=d, note=c["note"],
                                                              revisit_on=c["revisit_on"]),
                     notice=_("Approved: the lead is closed."))


@require_POST
@staff_view("leads.approve_defeat")
def defeat_reject(request: HttpRequest, pk: int) -> HttpResponse:
    auto = f"rej{pk}-%s" if request.POST.get("from") == "approvals" else "rej-%s"
    return _decision(request, pk, key="reject", form=RejectForm(request.POST, auto_id=auto),
                     run=lambda d, c: services.defeat_reject(actor=request.actor, request=d, note=c["note"]),
                     notice=_("Rejected: the lead goes back to follow-up."))


@require_POST
@staff_view("leads.reassign")
def lead_reassign(request: HttpRequest, pk: int) -> HttpResponse:
    lead = _lead_for(request, pk)
    form = ReassignForm(request.POST, agents=agents_of(lead.dealer), auto_id="ra-%s")
    done = False
    if form.is_valid():
        d = form.cleaned_data
        done = _call(form, lambda: services.lead_reassign(actor=request.actor, leads=[lead], to_staff=d["agent"],
                                                          note=d["note"])) is not None
    return _respond(request, lead.pk, key="reassign", form=form, done=done, notice=_("Reassigned."))


@require_POST
@staff_view("leads.reallocate")
def lead_reallocate(request: HttpRequest, pk: int) -> HttpResponse:
    lead = _lead_for(request, pk)
    form = ReallocateForm(request.POST, current=lead.dealer, auto_id="rl-%s")
    done = False
    if form.is_valid():
        d = form.cleaned_data
        done = _call(form, lambda: services.lead_reallocate(actor=request.actor, lead=lead, dealer=d["dealer"],
                                                            note=d["note"])) is not None
    return _respond(request, lead.pk, key="reallocate", form=form, done=done,
                    notice=_("Re-allocated to the other dealer."))


@require_POST
@staff_view("leads.work")
def care_task_done(request: HttpRequest, pk: int) -> HttpResponse:
    task = _child_for(request, CareTask.objects.all(), pk)
    form = CareNoteForm(request.POST, auto_id=f"care{task.pk}-%s")
    done = False
    if form.is_valid():
        done = _call(form, lambda: services.care_task_done(actor=request.actor, task=task,
                                                           note=form.cleaned_data["note"])) is not None
    return _respond(request, task.lead_id, key=f"care:{task.pk}", form=form, done=done, notice=_("Marked as done."))


@staff_view("leads.view")
def lead_testdrive(request: HttpRequest, pk: int) -> HttpResponse:
    """Book a test drive for the lead's customer: GET draws the form (for the chosen car's free
    times), POST books and answers with the lead page's body."""
    from autodcc.testdrives import services as td

    lead = _lead_for(request, pk)
    if not td.may_book(request.actor, lead):
        raise PermissionDenied
    trims = td.fleet_trims(lead.dealer)
    if not trims:
        raise Http404
    raw = request.POST.get("trim") or request.GET.get("trim")
    chosen = _int(raw) if raw else None
    trim = next((t for t in trims if t.pk == chosen), None) or next(
        (t for t in trims if lead.model_interest and str(t) in lead.model_interest), trims[0])
    form = TestDriveForm(request.POST if request.method == "POST" else None, trims=trims,
                         starts=td.free_slots(dealer=lead.dealer, trim=trim), initial={"trim": trim.pk},
                         auto_id="td-%s")
    if request.method == "POST":
        done = form.is_valid() and _call(form, lambda: td.booking_for_lead(
            actor=request.actor, lead=lead, trim=form.trims[form.cleaned_data["trim"]],
            starts_at=form.cleaned_data["starts_at"])) is not None
        if done or not _htmx(request):
            response = _respond(request, lead.pk, key="testdrive", form=form, done=done,
                                notice=_("Test drive booked; the customer gets a confirmation message."))
            response["HX-Retarget"], response["HX-Reswap"] = "#lead-body", "outerHTML"  # the page has changed
            return response
    return render(request, "console/leads/_testdrive_form.html", {"lead": lead, "form": form})
