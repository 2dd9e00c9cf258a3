"""The lead page: everything known about the lead at this dealer, the actions the person may
take on it, and the answer to every action (the page's body for htmx, a redirect otherwise)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from autodcc.campaigns import outreach
from autodcc.console.auditing import action_label, actor_display
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
)
from autodcc.console.views.base import staff_view
from autodcc.console.views.leads.common import (
    ACTIVE_APPOINTMENT,
    ARRIVABLE,
    INVITABLE,
    LEAD_RELATED,
    MILESTONE_LABELS,
    STEP_LABELS,
    _call,
    _htmx,
    _lead_for,
    _now,
    _shows_dealer,
)
from autodcc.console.views.leads.hub import attach_badges, online_activity
from autodcc.core.actors import Actor
from autodcc.core.errors import Forbidden
from autodcc.leads import selectors
from autodcc.leads.models import (
    MILESTONES,
    TRANSITIONS,
    ContactKind,
    DefeatStatus,
    Lead,
    Stage,
    Status,
)
from autodcc.leads.services.assignment import agents_of
from autodcc.leads.services.calling import lead_dial, may_call
from autodcc.leads.services.showroom import SHOWROOM_STEPS, consultants_of
from autodcc.testdrives.services import has_fleet, may_book

# --- the lead page ---------------------------------------------------------------------------


def _allowed_steps(lead: Lead, *, via_order: bool = False) -> list[dict[str, Any]]:
    """The showroom steps the lead's state lets someone record now; with a deposit order under
    way, the contract and the delivery are recorded on the order (and reach the lead from there)."""
    if not lead.is_open or lead.status == Status.DEFEAT_PENDING or lead.arrived_at is None:
        return []
    out = []
    for step, target in SHOWROOM_STEPS.items():
        if getattr(lead, f"{step}_at") is not None:
            continue
        if step in ("ordered", "delivered") and (lead.consultant_id is None or via_order):
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
        row: dict[str, Any] = {"at": entry.at, "kind": entry.kind, "by": actor_display(entry.by), "detail": entry.detail}
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
    online = online_activity(actor, lead)
    appointments = list(lead.appointments.select_related("created_by", "confirmed_by", "booking"))
    attach_badges([lead])
    defeats = list(lead.defeats.select_related("requested_by", "decided_by"))
    pending = next((d for d in defeats if d.status == DefeatStatus.PENDING), None)
    care_tasks = list(lead.care_tasks.select_related("assignee", "done_by", "campaign", "script"))
    handover_cap = "leads.reassign" if lead.stage == Stage.SHOWROOM else "leads.handover"
    may = {
        "follow_up": can_work and open_,
        "invite": can_work and status in INVITABLE,
        "arrive": can_work and status in ARRIVABLE,
        "confirm": can_work and open_ and status != Status.DEFEAT_PENDING,
        "handover": actor.can(handover_cap, dealer=dealer) and open_ and status != Status.DEFEAT_PENDING,
        "steps": _allowed_steps(lead, via_order=bool(online["order_under_way"]))
        if actor.can("leads.showroom", dealer=dealer) else [],
        "defeat": can_work and open_ and status != Status.DEFEAT_PENDING,
        "decide": bool(pending) and actor.can("leads.approve_defeat", dealer=dealer),
        "reassign": actor.can("leads.reassign", dealer=dealer) and open_,
        "reallocate": actor.can("leads.reallocate", dealer=dealer) and open_,
        "care": can_work,
        "call": may_call(actor, lead),
        "testdrive": may_book(actor, lead) and has_fleet(dealer),
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
        "online": online,
        # a campaign's call, open: its script beside the follow-up form (CMP-4)
        "campaign_calls": [t for t in care_tasks if t.campaign_id and t.done_at is None],
    }
    if may["follow_up"]:
        context["follow_up_form"] = pick("follow_up", lambda: FollowUpForm(auto_id="fu-%s"))
        if not context["campaign_calls"]:  # a campaign's call brings its own script
            context["situation"], context["scripts"] = outreach.scripts_for(lead)
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
def lead_call(request: HttpRequest, pk: int) -> HttpResponse:
    """Show the holder the full number and place the call; the follow-up form opens ready to log it."""
    lead = _lead_for(request, pk)
    try:
        dial = lead_dial(actor=request.actor, lead=lead)
    except Forbidden:
        raise PermissionDenied from None
    form = FollowUpForm(auto_id="fu-%s", initial={"kind": ContactKind.CALL_OUT, "recording_ref": dial.reference})
    context = _lead_context(request, lead, failed={"follow_up": form},
                            notice=_("Calling %(phone)s (call %(reference)s): record the result below.")
                            % {"phone": dial.phone, "reference": dial.reference})
    context["dial"] = dial
    if _htmx(request):
        return render(request, "console/leads/detail.html#body", context)
    return render(request, "console/leads/detail.html", context)
