"""Staff entry, imports, and a dealer's lead rules and revisit targets."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from autodcc.console.downloads import xlsx_download
from autodcc.console.forms.leads import CONSENT_VERSION, LeadCreateForm, LeadImportForm, LeadSettingsForm
from autodcc.console.views.base import staff_view
from autodcc.console.views.leads.common import (
    _call,
    _htmx,
    _int,
    _shows_dealer,
)
from autodcc.core import tabular
from autodcc.core.actors import Actor
from autodcc.core.errors import DomainError, Forbidden
from autodcc.core.models import ImportJob, ImportStatus
from autodcc.core.roles import Role
from autodcc.leads import importing, services
from autodcc.leads.models import (
    Lead,
    RevisitTarget,
)
from autodcc.leads.rules import DEFAULT_GRADE_INTERVALS
from autodcc.leads.services.assignment import agents_of
from autodcc.leads.services.common import settings_for
from autodcc.leads.services.showroom import consultants_of
from autodcc.network.models import Dealer, Staff

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
            campaign=d["campaign"].code if d.get("campaign") else "",
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
    return xlsx_download(request, data, _("Lead import template") + ".xlsx", what="leads.import_template")


@staff_view("leads.import")
def lead_import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = _jobs_for(request.actor).filter(pk=pk).first()
    if job is None:
        raise Http404
    if request.GET.get("format") == "xlsx":
        return xlsx_download(request, importing.error_report_xlsx(job), _("Lead import errors") + f"-{job.pk}.xlsx",
                             what="leads.import_errors", dealer_id=job.dealer_id, details={"job": job.pk})
    context = {"job": job, "running": job.status == ImportStatus.RUNNING}
    if _htmx(request):
        return render(request, "console/leads/import_detail.html#job", context)
    return render(request, "console/leads/import_detail.html", context)





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
    initial = {"sla_minutes": current.sla_minutes, "defeat_needs_contact": current.defeat_needs_contact,
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
                    post_delivery_days=d["post_delivery_days"],
                    defeat_needs_contact=d["defeat_needs_contact"])) is not None:
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
