"""Console pages of the lead spine: the work list, the lead list and the lead page with its
actions, staff entry, imports, the approval queue, expected arrivals, dealer lead rules.

Every action posts to its own URL, finds its object through the actor's scope (404 for another
dealer's), calls one service and re-renders the lead page's body for htmx (or redirects). What a
service refuses shows on the action's form; nothing else changes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from autodcc.console.auditing import action_label
from autodcc.console.downloads import xlsx_download
from autodcc.console.forms_leads import (
    CONSENT_VERSION,
    ApproveForm,
    ArrivalDayForm,
    CareNoteForm,
    ConfirmForm,
    DefeatForm,
    FollowUpForm,
    HandoverForm,
    InviteForm,
    LeadCreateForm,
    LeadFilterForm,
    LeadImportForm,
    LeadSettingsForm,
    NoteForm,
    ReallocateForm,
    ReassignForm,
    RejectForm,
    StepForm,
)
from autodcc.console.views.base import paginate, querystring_without_page, render_list, staff_view
from autodcc.core import tabular
from autodcc.core.actors import Actor
from autodcc.core.errors import DomainError, Forbidden, NotFound, add_to_form
from autodcc.core.models import ImportJob, ImportStatus
from autodcc.core.roles import DEALER_MANAGERS, Role
from autodcc.core.tenancy import get_for_actor
from autodcc.leads import importing, selectors, services
from autodcc.leads.models import (
    MILESTONES,
    TRANSITIONS,
    Appointment,
    AppointmentStatus,
    CareTask,
    DefeatRequest,
    DefeatStatus,
    Lead,
    RevisitTarget,
    Stage,
    Status,
)
from autodcc.leads.rules import DEFAULT_GRADE_INTERVALS
from autodcc.leads.services.assignment import agents_of
from autodcc.leads.services.common import settings_for
from autodcc.leads.services.showroom import SHOWROOM_STEPS, consultants_of
from autodcc.network.models import Dealer, Staff

MILESTONE_LABELS: dict[str, Any] = {
    "contacted": gettext_lazy("Contacted"),
    "invited": gettext_lazy("Invited"),
    "arrived": gettext_lazy("Arrived"),
    "presented": gettext_lazy("Presented"),
    "test_driven": gettext_lazy("Test-driven"),
    "negotiated": gettext_lazy("Negotiated"),
    "ordered": gettext_lazy("Ordered"),
    "delivered": gettext_lazy("Delivered"),
    "defeated": gettext_lazy("Defeated"),
}

STEP_LABELS: dict[str, Any] = {
    "presented": gettext_lazy("Presented the car"),
    "test_driven": gettext_lazy("Test drive done"),
    "negotiated": gettext_lazy("Negotiating"),
    "ordered": gettext_lazy("Ordered"),
    "delivered": gettext_lazy("Delivered"),
}

ACTIVE_APPOINTMENT = (AppointmentStatus.SCHEDULED, AppointmentStatus.CONFIRMED)
INVITABLE = (Status.NEW, Status.FOLLOWING, Status.INVITED, Status.ARRIVED, Status.NEGOTIATING)
ARRIVABLE = (Status.NEW, Status.FOLLOWING, Status.INVITED)
LEAD_RELATED = ("dealer", "customer", "customer__city", "agent", "consultant", "city",
                *(f"{m}_by" for m in MILESTONES))


# --- helpers ---------------------------------------------------------------------------------


def _htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False)) and not request.htmx.boosted  # type: ignore[attr-defined]


def _lead_for(request: HttpRequest, pk: int) -> Lead:
    """The lead if the actor may see it (a consultant: only the leads handed to them), else 404."""
    return get_for_actor(Lead.objects.select_related(*LEAD_RELATED), request.actor, pk=pk)


def _child_for(request: HttpRequest, queryset: QuerySet, pk: int) -> Any:
    """An appointment, defeat request or care task whose lead the actor may see, else 404."""
    visible = Lead.objects.visible_to(request.actor).values("pk")
    return get_for_actor(queryset.filter(lead__in=visible).select_related("lead__dealer"), request.actor, pk=pk)


def _call(form: forms.Form, service: Callable[[], Any]) -> Any:
    """Run a service; a refusal lands on ``form`` (None returned), not-found is 404, forbidden 403."""
    try:
        return service()
    except NotFound:
        raise Http404 from None
    except Forbidden:
        raise PermissionDenied from None
    except DomainError as exc:
        add_to_form(form, exc)
        return None


def _now() -> dt.datetime:
    return timezone.now()


def _shows_dealer(actor: Actor) -> bool:
    return actor.is_hq or bool(actor.region_ids) or len(actor.dealer_ids) > 1


# --- work list -------------------------------------------------------------------------------


@staff_view("leads.view")
def worklist(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    work = selectors.work_list(actor=actor)
    percent = None
    if work.target:
        percent = min(100, int(100 * work.done_today / work.target))
    return render(request, "console/leads/worklist.html", {
        "work": work, "now": _now(), "percent": percent, "show_dealer": _shows_dealer(actor),
        "supervises": actor.has_role(Role.DCC_SUPERVISOR, *DEALER_MANAGERS),
        "can_settings": actor.can("leads.set_targets") or actor.can("leads.configure"),
    })


# --- lead list -------------------------------------------------------------------------------


@staff_view("leads.view")
def lead_list(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    form = LeadFilterForm(request.GET or None, actor=actor)
    page = paginate(request, selectors.lead_list(actor=actor, filters=form.filters()))
    return render_list(request, "console/leads/list.html", {
        "form": form, "page": page, "qs": querystring_without_page(request), "today": timezone.localdate(),
        "show_dealer": _shows_dealer(actor),
        "can_settings": actor.can("leads.set_targets") or actor.can("leads.configure"),
    })


# --- the lead page ---------------------------------------------------------------------------


def _allowed_steps(lead: Lead) -> list[dict[str, Any]]:
    """The showroom steps the lead's state lets someone record now."""
    if not lead.is_open or lead.status == Status.DEFEAT_PENDING or lead.arrived_at is None:
        return []
    out = []
    for step, target in SHOWROOM_STEPS.items():
        if getattr(lead, f"{step}_at") is not None:
            continue
        if step in ("ordered", "delivered") and lead.consultant_id is None:
            continue
        if step == "delivered" and lead.ordered_at is None:
            continue
        if target is not None and lead.status != target and target not in TRANSITIONS[lead.status]:
            continue
        out.append({"key": step, "label": STEP_LABELS[step]})
    return out


def _timeline(lead: Lead) -> list[dict[str, Any]]:
    rows = []
    for entry in selectors.timeline(lead):
        row: dict[str, Any] = {"at": entry.at, "kind": entry.kind, "by": entry.by, "detail": entry.detail}
        if entry.kind == "audit":
            row["label"] = action_label(entry.title)
            row["action"] = entry.title
            status = (entry.data.get("changes") or {}).get("status")
            if status and status[0] and status[0] != status[1]:
                row["status_change"] = " → ".join(str(Status(v).label) if v in Status.values else "—"
                                                  for v in status)
        elif entry.kind == "contact":
            row["label"] = f"{entry.title}: {entry.data.get('result', '')}"
            row["detail"] = ""
            row["recording"] = entry.data.get("recording", "")
        else:
            moved = " → ".join(n for n in (entry.data.get("from"), entry.data.get("to")) if n)
            row["label"] = f"{entry.title}" + (f" ({moved})" if moved else "")
            row["detail"] = ""
        rows.append(row)
    return rows


def _lead_context(request: HttpRequest, lead: Lead, failed: dict[str, Any] | None = None,
                  notice: str = "") -> dict[str, Any]:
    """Everything the lead page shows; ``failed`` holds a bound form with errors to show in place
    of the fresh one (key ``confirm:<pk>`` / ``care:<pk>`` for per-row forms)."""
    actor: Actor = request.actor
    failed = failed or {}
    dealer = lead.dealer
    can_work = actor.can("leads.work", dealer=dealer)
    open_, status = lead.is_open, lead.status
    appointments = list(lead.appointments.select_related("created_by", "confirmed_by"))
    defeats = list(lead.defeats.select_related("requested_by", "decided_by"))
    pending = next((d for d in defeats if d.status == DefeatStatus.PENDING), None)
    care_tasks = list(lead.care_tasks.select_related("assignee", "done_by"))
    handover_cap = "leads.reassign" if lead.stage == Stage.SHOWROOM else "leads.handover"
    may = {
        "follow_up": can_work and open_,
        "invite": can_work and status in INVITABLE,
        "arrive": can_work and status in ARRIVABLE,
        "confirm": can_work and open_ and status != Status.DEFEAT_PENDING,
        "handover": actor.can(handover_cap, dealer=dealer) and open_ and status != Status.DEFEAT_PENDING,
        "steps": _allowed_steps(lead) if actor.can("leads.showroom", dealer=dealer) else [],
        "defeat": can_work and open_ and status != Status.DEFEAT_PENDING,
        "decide": bool(pending) and actor.can("leads.approve_defeat", dealer=dealer),
        "reassign": actor.can("leads.reassign", dealer=dealer) and open_,
        "reallocate": actor.can("leads.reallocate", dealer=dealer) and open_,
        "care": can_work,
    }
    consultants = consultants_of(dealer) if may["handover"] else []
    agents = agents_of(dealer) if may["reassign"] else []

    def pick(key: str, build: Callable[[], forms.Form]) -> forms.Form:
        return failed.get(key) or build()

    context: dict[str, Any] = {
        "lead": lead, "may": may, "notice": notice, "now": _now(), "today": timezone.localdate(),
        "milestones": [{"key": m, "label": MILESTONE_LABELS[m], "at": getattr(lead, f"{m}_at"),
                        "by": getattr(lead, f"{m}_by")}
                       for m in MILESTONES if m != "defeated" or lead.defeated_at],
        "timeline": _timeline(lead),
        "contacts": lead.contacts.select_related("by").order_by("-at", "-id"),
        "handovers": lead.handovers.select_related("from_staff", "to_staff"),
        "assignments": lead.assignments.select_related("staff", "previous"),
        "appointments": [
            {"a": a, "form": pick(f"confirm:{a.pk}", lambda a=a: ConfirmForm(auto_id=f"conf{a.pk}-%s"))
             if may["confirm"] and a.status in ACTIVE_APPOINTMENT else None}
            for a in appointments],
        "defeats": defeats, "pending": pending,
        "care_tasks": [
            {"t": t, "form": pick(f"care:{t.pk}", lambda t=t: CareNoteForm(auto_id=f"care{t.pk}-%s"))
             if may["care"] and t.done_at is None else None}
            for t in care_tasks],
        "show_dealer": _shows_dealer(actor),
    }
    if may["follow_up"]:
        context["follow_up_form"] = pick("follow_up", lambda: FollowUpForm(auto_id="fu-%s"))
    if may["invite"]:
        context["invite_form"] = pick("invite", lambda: InviteForm(auto_id="inv-%s"))
    if may["arrive"]:
        context["arrive_form"] = pick("arrive", lambda: NoteForm(auto_id="arr-%s"))
    if may["handover"] and consultants:
        context["handover_form"] = pick("handover", lambda: HandoverForm(consultants=consultants, auto_id="ho-%s"))
    if may["steps"] or "step" in failed:
        context["step_form"] = pick("step", lambda: StepForm(auto_id="step-%s"))
    if may["defeat"]:
        defeat_form = pick("defeat", lambda: DefeatForm(auto_id="def-%s"))
        defeat_form.fields["kind"].widget.attrs.update({
            "hx-get": reverse("console:defeat_reasons"), "hx-trigger": "change", "hx-target": "#def-reason",
            "hx-swap": "outerHTML"})
        context["defeat_form"] = defeat_form
    if may["decide"]:
        context["approve_form"] = pick("approve", lambda: ApproveForm(auto_id="appr-%s"))
        context["reject_form"] = pick("reject", lambda: RejectForm(auto_id="rej-%s"))
    if may["reassign"] and agents:
        context["reassign_form"] = pick("reassign", lambda: ReassignForm(agents=agents, auto_id="ra-%s"))
    if may["reallocate"]:
        context["reallocate_form"] = pick("reallocate", lambda: ReallocateForm(current=dealer, auto_id="rl-%s"))
    return context


@staff_view("leads.view")
def lead_detail(request: HttpRequest, pk: int) -> HttpResponse:
    lead = _lead_for(request, pk)
    context = _lead_context(request, lead)
    if _htmx(request):
        return render(request, "console/leads/detail.html#body", context)
    return render(request, "console/leads/detail.html", context)


def _respond(request: HttpRequest, lead_pk: int, *, key: str, form: forms.Form, done: bool,
             notice: str) -> HttpResponse:
    """After an action: the lead page's body for htmx, a redirect (or the page with the form's
    errors) otherwise."""
    lead = Lead.objects.visible_to(request.actor).select_related(*LEAD_RELATED).filter(pk=lead_pk).first()
    if lead is None:  # the action took the lead out of the actor's sight
        if _htmx(request):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = reverse("console:lead_list")
            return response
        messages.success(request, notice)
        return redirect("console:lead_list")
    if done and not _htmx(request):
        messages.success(request, notice)
        return redirect("console:lead_detail", pk=lead.pk)
    context = _lead_context(request, lead, failed=None if done else {key: form}, notice=notice if done else "")
    if _htmx(request):
        return render(request, "console/leads/detail.html#body", context)
    return render(request, "console/leads/detail.html", context)


def _lead_action(request: HttpRequest, pk: int, *, key: str, form: forms.Form,
                 run: Callable[[Lead, dict[str, Any]], Any], notice: str) -> HttpResponse:
    lead = _lead_for(request, pk)
    done = False
    if form.is_valid():
        done = _call(form, lambda: run(lead, form.cleaned_data)) is not None
    return _respond(request, lead.pk, key=key, form=form, done=done, notice=notice)


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
        done = _call(form, lambda: services.lead_reassign(actor=request.actor, lead=lead, to_staff=d["agent"],
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


# --- staff entry -----------------------------------------------------------------------------


@staff_view("leads.capture")
def lead_create(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    initial = {}
    own = Dealer.objects.filter(pk=min(actor.dealer_ids)).select_related("city").first() \
        if actor.dealer_ids and not actor.is_hq else None
    if own is not None:
        initial["city"] = own.city.name  # a walk-in is usually local; staff correct it if not
    form = LeadCreateForm(request.POST or None, actor=actor, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        data = services.LeadInput(
            name=d["name"], phone=d["phone"], channel=d["channel"], city=d["city"],
            dealer=d["dealer"].code if d.get("dealer") else "", model_interest=d["model_interest"],
            message=d["message"], consent_version=CONSENT_VERSION if d["consent_version"] else "",
            consent_share_with_dealer=d["consent_share_with_dealer"], consent_purposes=["contact_about_purchase"],
        )
        result = _call(form, lambda: services.lead_capture(actor=actor, data=data))
        if result is not None:
            lead = result.lead
            if result.created:
                messages.success(request, _("Lead %(number)s created.") % {"number": lead.number})
            else:
                messages.info(request, _("This mobile number already has an open lead (%(number)s): the enquiry was "
                                         "added to it.") % {"number": lead.number})
            if Lead.objects.visible_to(actor).filter(pk=lead.pk).exists():
                return redirect("console:lead_detail", pk=lead.pk)
            return redirect("console:lead_list")
    return render(request, "console/leads/form.html", {"form": form, "consent_version": CONSENT_VERSION})


# --- import ----------------------------------------------------------------------------------


def _jobs_for(actor: Actor) -> QuerySet[ImportJob]:
    jobs = ImportJob.objects.filter(kind=importing.KIND)
    if actor.is_hq:
        return jobs
    return jobs.filter(dealer_id__in=sorted(actor.dealer_ids))


@staff_view("leads.import")
def lead_import(request: HttpRequest) -> HttpResponse:
    form = LeadImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = importing.leads_import(actor=request.actor, upload=upload, filename=upload.name,
                                         skip_bad_rows=form.cleaned_data["skip_bad_rows"])
        except Forbidden:
            raise PermissionDenied from None
        return redirect("console:lead_import_detail", pk=job.pk)
    return render(request, "console/leads/import.html", {"form": form, "jobs": _jobs_for(request.actor)[:10]})


@staff_view("leads.import")
def lead_import_template(request: HttpRequest) -> HttpResponse:
    example = ["张伟", "13812341234", "上海", "汽车之家", "", "2026春季试驾", "澜川 S7", "AH-10001", "想周末试驾",
               "2026-01", "是", ""]
    data = tabular.xlsx_bytes(_("Leads"), importing.template_header(), [example])
    return xlsx_download(request, data, "leads-template.xlsx", what="leads.import_template")


@staff_view("leads.import")
def lead_import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = _jobs_for(request.actor).filter(pk=pk).first()
    if job is None:
        raise Http404
    if request.GET.get("format") == "xlsx":
        return xlsx_download(request, importing.error_report_xlsx(job), f"lead-import-{job.pk}-errors.xlsx",
                             what="leads.import_errors", dealer_id=job.dealer_id, details={"job": job.pk})
    context = {"job": job, "running": job.status == ImportStatus.RUNNING}
    if _htmx(request):
        return render(request, "console/leads/import_detail.html#job", context)
    return render(request, "console/leads/import_detail.html", context)


# --- approvals and arrivals ------------------------------------------------------------------


@staff_view("leads.approve_defeat")
def approvals(request: HttpRequest) -> HttpResponse:
    pending = selectors.approvals(actor=request.actor).filter(
        lead__in=Lead.objects.visible_to(request.actor).values("pk"))
    cards = [{"d": d, "approve_form": ApproveForm(auto_id=f"appr{d.pk}-%s"),
              "reject_form": RejectForm(auto_id=f"rej{d.pk}-%s")} for d in pending]
    return render(request, "console/leads/approvals.html",
                  {"cards": cards, "show_dealer": _shows_dealer(request.actor)})


def _arrival_row(request: HttpRequest, appointment: Appointment, form: forms.Form | None = None,
                 notice: str = "") -> dict[str, Any]:
    lead = appointment.lead
    return {"a": appointment, "notice": notice, "form": form,
            "can_arrive": (appointment.status in ACTIVE_APPOINTMENT and lead.status in ARRIVABLE
                           and request.actor.can("leads.work", dealer=lead.dealer))}


def _arrivals_queryset(request: HttpRequest, day: dt.date) -> QuerySet[Appointment]:
    return (selectors.arrivals_on(actor=request.actor, day=day)
            .filter(lead__in=Lead.objects.visible_to(request.actor).values("pk"))
            .select_related("lead__dealer"))


@staff_view("leads.work")
def arrivals(request: HttpRequest) -> HttpResponse:
    form = ArrivalDayForm(request.GET or None)
    day = (form.cleaned_data.get("day") if form.is_valid() else None) or timezone.localdate()
    rows = [_arrival_row(request, a) for a in _arrivals_queryset(request, day)]
    context = {"form": form, "day": day, "rows": rows, "show_dealer": _shows_dealer(request.actor)}
    return render_list(request, "console/leads/arrivals.html", context)


def _arrival_row_action(request: HttpRequest, pk: int) -> HttpResponse:
    lead = _lead_for(request, pk)
    appointment = _child_for(request, Appointment.objects.select_related("lead__customer", "lead__agent",
                                                                         "lead__consultant"),
                             _int(request.POST.get("appointment")))
    if appointment.lead_id != lead.pk:
        raise Http404
    form = NoteForm(request.POST, auto_id=f"arr{appointment.pk}-%s")
    done = form.is_valid() and _call(form, lambda: services.lead_register_arrival(
        actor=request.actor, lead=lead, note=form.cleaned_data["note"])) is not None
    if not _htmx(request) and done:
        messages.success(request, _("Arrival registered."))
        day = timezone.localdate(appointment.scheduled_at)
        return redirect(f"{reverse('console:arrivals')}?day={day.isoformat()}")
    appointment = Appointment.objects.select_related("lead__customer", "lead__agent", "lead__consultant",
                                                     "lead__dealer").get(pk=appointment.pk)
    row = _arrival_row(request, appointment, None if done else form, _("Arrival registered.") if done else "")
    if _htmx(request):
        return render(request, "console/leads/_arrival.html", {"row": row, "show_dealer": _shows_dealer(request.actor)})
    day = timezone.localdate(appointment.scheduled_at)
    return render(request, "console/leads/arrivals.html", {"form": ArrivalDayForm(initial={"day": day}), "day": day,
                                                           "rows": [row], "show_dealer": _shows_dealer(request.actor)})


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404 from None


# --- dealer lead rules and targets -----------------------------------------------------------


def _settings_dealer(request: HttpRequest) -> Dealer:
    actor: Actor = request.actor
    visible = Dealer.objects.visible_to(actor).select_related("region")
    wanted = request.POST.get("dealer") or request.GET.get("dealer")
    if wanted:
        dealer = visible.filter(pk=_int(wanted)).first()
        if dealer is None:
            raise Http404
        return dealer
    if actor.dealer_ids and not actor.is_hq:
        return visible.get(pk=min(actor.dealer_ids))
    dealer = visible.filter(is_active=True).order_by("code").first()
    if dealer is None:
        raise Http404
    return dealer


class TargetsForm(forms.Form):
    def __init__(self, *args: Any, people: list[Staff], current: dict[int, int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.people = people
        for person in people:
            self.fields[f"target_{person.pk}"] = forms.IntegerField(
                label=person.name, min_value=0, max_value=500, required=False, initial=current.get(person.pk))

    def rows(self) -> list[tuple[Staff, Any]]:
        return [(p, self[f"target_{p.pk}"]) for p in self.people]


@staff_view()
def lead_settings(request: HttpRequest) -> HttpResponse:
    actor: Actor = request.actor
    if not (actor.can("leads.configure") or actor.can("leads.set_targets")):
        raise PermissionDenied
    dealer = _settings_dealer(request)
    can_configure = actor.can("leads.configure", dealer=dealer)
    can_targets = actor.can("leads.set_targets", dealer=dealer)
    if not (can_configure or can_targets):
        raise PermissionDenied
    current = settings_for(dealer)
    initial = {"sla_minutes": current.sla_minutes,
               "post_delivery_days": ", ".join(str(d) for d in current.post_delivery_days),
               **{f"interval_{g}": {**DEFAULT_GRADE_INTERVALS, **current.grade_intervals}.get(g)
                  for g in DEFAULT_GRADE_INTERVALS}}
    people = {s.pk: s for s in [*agents_of(dealer), *consultants_of(dealer)]}
    for person in people.values():
        person.role_labels = [g.get_role_display() for g in person.grants.all()  # type: ignore[attr-defined]
                              if g.dealer_id == dealer.pk and g.role in (Role.DCC_AGENT, Role.SALES_CONSULTANT)]
    targets = dict(RevisitTarget.objects.filter(dealer=dealer).values_list("staff_id", "per_day"))
    section = request.POST.get("section") if request.method == "POST" else None
    rules_form = LeadSettingsForm(request.POST if section == "rules" else None, initial=initial, auto_id="rules-%s")
    targets_form = TargetsForm(request.POST if section == "targets" else None, people=list(people.values()),
                               current=targets, auto_id="tgt-%s")
    if section == "rules":
        if not can_configure:
            raise PermissionDenied
        if rules_form.is_valid():
            d = rules_form.cleaned_data
            if _call(rules_form, lambda: services.dealer_lead_settings_save(
                    actor=actor, dealer=dealer, sla_minutes=d["sla_minutes"],
                    grade_intervals=rules_form.grade_intervals(),
                    post_delivery_days=d["post_delivery_days"])) is not None:
                messages.success(request, _("Lead rules saved."))
                return redirect(f"{reverse('console:lead_settings')}?dealer={dealer.pk}")
    elif section == "targets":
        if not can_targets:
            raise PermissionDenied
        if targets_form.is_valid():
            ok = True
            for person in people.values():
                value = targets_form.cleaned_data.get(f"target_{person.pk}")
                if value is None or targets.get(person.pk) == value:
                    continue
                try:
                    services.revisit_target_set(actor=actor, dealer=dealer, staff=person, per_day=value)
                except Forbidden:
                    raise PermissionDenied from None
                except DomainError as exc:
                    targets_form.add_error(f"target_{person.pk}", exc.message)
                    ok = False
            if ok:
                messages.success(request, _("Daily revisit targets saved."))
                return redirect(f"{reverse('console:lead_settings')}?dealer={dealer.pk}")
    if not can_configure:
        for field in rules_form.fields.values():
            field.disabled = True
    return render(request, "console/leads/settings.html", {
        "dealer": dealer, "rules_form": rules_form, "targets_form": targets_form,
        "can_configure": can_configure, "can_targets": can_targets,
        "dealers": Dealer.objects.visible_to(actor).order_by("code") if _shows_dealer(actor) else None,
    })
