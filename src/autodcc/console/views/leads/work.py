"""The lists a person works from: the work list, the lead list, approvals, expected arrivals."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from autodcc.console.exports import export_list, wants_export
from autodcc.console.forms.leads import (
    ApproveForm,
    ArrivalDayForm,
    BulkReassignForm,
    LeadFilterForm,
    NoteForm,
    RejectForm,
)
from autodcc.console.views.base import paginate, querystring_without_page, render_list, staff_view
from autodcc.console.views.leads.common import (
    ACTIVE_APPOINTMENT,
    ARRIVABLE,
    _call,
    _child_for,
    _htmx,
    _int,
    _lead_for,
    _now,
    _shows_dealer,
)
from autodcc.console.views.leads.hub import attach_badges
from autodcc.core.roles import DEALER_MANAGERS, Role
from autodcc.leads import selectors, services
from autodcc.leads.models import (
    Appointment,
    Contact,
    Lead,
)

# --- work list -------------------------------------------------------------------------------


@staff_view("leads.view")
def worklist(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    work = selectors.work_list(actor=actor)
    attach_badges(work.leads(), today=work.today)
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
    if wants_export(request):
        return export_list(request, "leads", selectors.lead_list(actor=actor, filters=form.filters()))
    return _lead_list_page(request, form)


def _lead_list_page(request: HttpRequest, form: LeadFilterForm, bulk: BulkReassignForm | None = None,
                    chosen: frozenset[int] = frozenset()) -> HttpResponse:
    actor = request.actor
    page = paginate(request, selectors.lead_list(actor=actor, filters=form.filters()))
    attach_badges(page)
    if bulk is None and actor.can("leads.reassign"):
        bulk = BulkReassignForm(actor=actor, auto_id="bulk-%s")
    return render_list(request, "console/leads/list.html", {
        "form": form, "page": page, "qs": querystring_without_page(request), "today": timezone.localdate(),
        "group_link": _group_link(form.filters()) if actor.can("customers.groups") else "",
        "show_dealer": _shows_dealer(actor),
        "can_settings": actor.can("leads.set_targets") or actor.can("leads.configure"),
        "bulk": bulk if bulk is not None and len(bulk.fields["staff"].choices) > 1 else None,
        "chosen": chosen,
    })


@require_POST
@staff_view("leads.reassign")
def lead_bulk_reassign(request: HttpRequest) -> HttpResponse:
    """The ticked leads of the list to one person with a reason: one service call, all or nothing.
    A lead of another dealer among the ids is a 404; a refusal shows on the list, ticks kept."""
    actor = request.actor
    bulk = BulkReassignForm(request.POST, actor=actor, auto_id="bulk-%s")
    ids: list[int] = []
    try:
        ids = bulk.lead_ids()
    except forms.ValidationError as exc:
        bulk.add_error(None, exc)
    if bulk.is_valid():
        person = bulk.cleaned_data["staff"]
        moved = _call(bulk, lambda: services.lead_reassign(actor=actor, leads=ids, to_staff=person,
                                                             note=bulk.cleaned_data["note"]))
        if moved is not None:
            messages.success(request, ngettext("%(count)s lead reassigned to %(name)s.",
                                               "%(count)s leads reassigned to %(name)s.", len(moved))
                             % {"count": len(moved), "name": person.name})
            url = reverse("console:lead_list")
            return redirect(f"{url}?{request.GET.urlencode()}" if request.GET else url)
    return _lead_list_page(request, LeadFilterForm(request.GET or None, actor=actor), bulk, frozenset(ids))




def _group_link(filters: dict[str, Any]) -> str:
    """The customer-group page with the lead list's filters as its criteria (an audience from them)."""
    from urllib.parse import urlencode

    from django.urls import reverse

    mapping = {"status": "lead_status", "grade": "lead_grade", "channel": "lead_channel",
               "created_from": "lead_created_from", "created_to": "lead_created_to"}
    params = [(mapping[k], str(v)) for k, v in filters.items() if k in mapping and v]
    if filters.get("dealer"):
        params.append(("lead_dealer", str(getattr(filters["dealer"], "pk", filters["dealer"]))))
    if filters.get("open") is True and not filters.get("status"):
        from autodcc.leads.models import OPEN_STATUSES

        params += [("lead_status", str(s)) for s in OPEN_STATUSES]
    return reverse("console:group_create") + ("?" + urlencode(params) if params else "")


# --- approvals and arrivals ------------------------------------------------------------------


@staff_view("leads.approve_defeat")
def approvals(request: HttpRequest) -> HttpResponse:
    pending = selectors.approvals(actor=request.actor).filter(
        lead__in=Lead.objects.visible_to(request.actor).values("pk")).prefetch_related(
        Prefetch("lead__contacts", queryset=Contact.objects.select_related("by").order_by("-at", "-id")))
    if wants_export(request):
        return export_list(request, "approvals", pending.select_related("lead__customer", "lead__dealer",
                                                                        "requested_by"))
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
    if wants_export(request):
        return export_list(request, "arrivals", _arrivals_queryset(request, day)
                           .select_related("lead__customer", "lead__agent", "lead__consultant"))
    rows = [_arrival_row(request, a) for a in _arrivals_queryset(request, day)]
    context = {"form": form, "day": day, "rows": rows, "show_dealer": _shows_dealer(request.actor),
               "qs": querystring_without_page(request)}
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
