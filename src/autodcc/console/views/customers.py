"""Console pages for customers: search, the customer page (profile, leads, vehicles, consents)
and saved customer groups (criteria extraction)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from autodcc.aftercare import selectors as care_selectors
from autodcc.assistant import selectors as assistant_selectors
from autodcc.console.exports import export_list, wants_export
from autodcc.console.forms.customers import (
    CriteriaForm,
    CustomerProfileForm,
    CustomerSearchForm,
    VehicleEditForm,
    VehicleForm,
    VehicleUpdateForm,
)
from autodcc.console.views.base import is_htmx, paginate, querystring_without_page, render_list, run_service, staff_view
from autodcc.core.tenancy import get_for_actor
from autodcc.customers import criteria, selectors, services
from autodcc.customers.models import Customer, CustomerGroup, Vehicle
from autodcc.feedback.models import Complaint
from autodcc.leads.models import Lead

PREVIEW_ROWS = 20


_htmx = is_htmx


_call = run_service


# --- search ----------------------------------------------------------------------------------


@staff_view("customers.view")
def customer_list(request: HttpRequest) -> HttpResponse:
    form = CustomerSearchForm(request.GET or None)
    q = form.cleaned_data.get("q", "") if form.is_valid() else ""
    if q and wants_export(request):
        return export_list(request, "customers", selectors.customer_search(actor=request.actor, q=q)
                           .select_related("city"))
    page = paginate(request, selectors.customer_search(actor=request.actor, q=q).select_related("city")) if q else None
    return render_list(request, "console/customers/list.html",
                       {"form": form, "q": q, "page": page, "qs": querystring_without_page(request)})


# --- the customer page -----------------------------------------------------------------------


def _customer_for(request: HttpRequest, pk: int) -> Customer:
    return get_for_actor(Customer.objects.select_related("city"), request.actor, pk=pk)


def _profile_initial(customer: Customer) -> dict[str, Any]:
    return {name: getattr(customer, name) for name in services.PROFILE_FIELDS}


def _customer_context(request: HttpRequest, customer: Customer, *, profile_form: Any = None,
                      vehicle_form: Any = None, notice: str = "",
                      vehicle_errors: dict[int, Any] | None = None) -> dict[str, Any]:
    actor = request.actor
    can_edit = actor.can("customers.edit")
    related = ("dealer", "trim__model", "care")
    vehicles = list(Vehicle.objects.visible_to(actor).filter(customer=customer).select_related(*related)
                    if not actor.is_hq else customer.vehicles.select_related(*related))
    for v in vehicles:  # the plate once registered, the mileage reported: a small form per car
        care = getattr(v, "care", None)  # none: not tracked
        v.unmatched = care is None or care.car_model_id is None  # on no maintenance schedule: choose the model
        v.form = (vehicle_errors or {}).get(v.pk) or (VehicleUpdateForm(
            initial={"plate": v.plate, "mileage_km": v.mileage_km}, auto_id=f"vu{v.pk}-%s") if can_edit else None)
    return {
        "customer": customer, "can_edit": can_edit, "notice": notice,
        "profile_form": profile_form or (CustomerProfileForm(initial=_profile_initial(customer), auto_id="cp-%s")
                                         if can_edit else None),
        "vehicle_form": vehicle_form or (VehicleForm(auto_id="veh-%s") if can_edit else None),
        "leads": Lead.objects.visible_to(actor).filter(customer=customer)
        .select_related("dealer", "agent", "consultant").order_by("-created_at"),
        "vehicles": vehicles,
        "consents": customer.consents.visible_to(request.actor),
        # the page itself is scoped (a dealer's staff reach only their customers)
        "conversations": assistant_selectors.conversations_of(customer)[:20],
        "can_chat": actor.can("assistant.handle"),
        "complaints": (Complaint.objects.visible_to(actor).filter(customer=customer).select_related("dealer")
                       .order_by("-created_at")[:20] if actor.can("feedback.view") else None),
    }


@staff_view("customers.view")
def customer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    customer = _customer_for(request, pk)
    return render(request, "console/customers/detail.html", _customer_context(request, customer))


def _customer_response(request: HttpRequest, customer: Customer, partial: str, done: bool, notice: str,
                       **forms: Any) -> HttpResponse:
    if done and not _htmx(request):
        messages.success(request, notice)
        return redirect("console:customer_detail", pk=customer.pk)
    customer = _customer_for(request, customer.pk)
    context = _customer_context(request, customer, notice=notice if done else "", **({} if done else forms))
    if _htmx(request):
        return render(request, f"console/customers/detail.html#{partial}", context)
    return render(request, "console/customers/detail.html", context)


@require_POST
@staff_view("customers.edit")
def customer_edit(request: HttpRequest, pk: int) -> HttpResponse:
    customer = _customer_for(request, pk)
    form = CustomerProfileForm(request.POST, auto_id="cp-%s")
    done = False
    if form.is_valid():
        done = _call(form, lambda: services.customer_update(actor=request.actor, customer=customer,
                                                            **form.cleaned_data)) is not None
    return _customer_response(request, customer, "profile", done, _("Profile saved."), profile_form=form)


@require_POST
@staff_view("customers.edit")
def vehicle_add(request: HttpRequest, pk: int) -> HttpResponse:
    customer = _customer_for(request, pk)
    form = VehicleForm(request.POST, auto_id="veh-%s")
    done = False
    if form.is_valid():
        done = _call(form, lambda: services.vehicle_add(actor=request.actor, customer=customer,
                                                        **form.cleaned_data)) is not None
    return _customer_response(request, customer, "vehicles", done, _("Vehicle added."), vehicle_form=form)


def _back_to(request: HttpRequest, default: str) -> str:
    """Where to go after the car's edit page: the page it was opened from, when that is a console page."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target.startswith("/console/") and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


@staff_view("customers.edit")
def vehicle_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """A car's edits. On the customer's page (htmx), the plate once registered and the mileage
    reported, per vehicle; on the car's edit page, also its model: a catalogue trim, or another
    brand's model typed in. Fields a form does not send (the model, from the customer's page) are
    left as they are."""
    vehicle = get_for_actor(Vehicle.objects.select_related("customer", "trim__model"), request.actor, pk=pk)
    customer = _customer_for(request, vehicle.customer_id)
    back = _back_to(request, reverse("console:customer_detail", args=[customer.pk]))
    if request.method != "POST":
        form = VehicleEditForm(vehicle=vehicle, auto_id="ve-%s")
        return render(request, "console/customers/vehicle_edit.html",
                      {"vehicle": vehicle, "customer": customer, "form": form, "next": back,
                       **care_selectors.vehicle_file(vehicle)})
    inline = _htmx(request) and not any(name in request.POST for name in VehicleEditForm.MODEL_FIELDS)
    form: Any = (VehicleUpdateForm(request.POST, auto_id=f"vu{vehicle.pk}-%s") if inline
                 else VehicleEditForm(request.POST, vehicle=vehicle, auto_id="ve-%s"))
    done = False
    if form.is_valid():
        values = dict(form.cleaned_data)
        for name in VehicleEditForm.MODEL_FIELDS:  # a field not sent stays as it is
            if name not in request.POST:
                values.pop(name, None)
        if values.get("purchase_date", "") is None:  # left empty: a known date is not erased
            values.pop("purchase_date")
        done = _call(form, lambda: services.vehicle_update(actor=request.actor, vehicle=vehicle, **values)) is not None
    if inline:
        return _customer_response(request, customer, "vehicles", done, _("Vehicle updated."),
                                  **({} if done else {"vehicle_errors": {vehicle.pk: form}}))
    if done:
        messages.success(request, _("Vehicle updated."))
        return redirect(back)
    return render(request, "console/customers/vehicle_edit.html",
                  {"vehicle": vehicle, "customer": customer, "form": form, "next": back,
                   **care_selectors.vehicle_file(vehicle)})


# --- customer groups -------------------------------------------------------------------------


@staff_view("customers.groups")
def group_list(request: HttpRequest) -> HttpResponse:
    groups = CustomerGroup.objects.visible_to(request.actor).select_related("dealer")
    if wants_export(request):
        return export_list(request, "groups", groups)
    return render(request, "console/customers/group_list.html", {"page": paginate(request, groups), "qs": ""})


def _preview(request: HttpRequest, form: CriteriaForm) -> dict[str, Any]:
    found = criteria.extract(actor=request.actor, criteria=form.criteria())
    return {"count": found.count(), "rows": list(found.select_related("city")[:PREVIEW_ROWS])}


LIST_CRITERIA = {"lead_status", "lead_grade", "lead_channel", "gender", "kind", "age_band", "family"}  # criteria that take several values


@staff_view("customers.groups")
def group_create(request: HttpRequest) -> HttpResponse:
    """Criteria chosen here, or brought from the lead list's filters (``?lead_status=…``)."""
    initial = {k: request.GET.getlist(k) if k in LIST_CRITERIA else request.GET.get(k) for k in request.GET}
    form = CriteriaForm(request.POST or None, actor=request.actor, auto_id="crit-%s", initial=initial)
    preview = None
    if request.method == "POST" and form.is_valid():
        if not form.criteria():
            form.add_error(None, _("Choose at least one criterion."))
        elif not form.cleaned_data["name"].strip():
            form.add_error("name", _("Give the customer group a name."))
            preview = _preview(request, form)
        else:
            group = _call(form, lambda: services.group_save(actor=request.actor, name=form.cleaned_data["name"],
                                                            criteria=form.criteria()))
            if group is not None:
                messages.success(request, _("Customer group %(name)s saved with %(n)s members.")
                                 % {"name": group.name, "n": group.member_count})
                return redirect("console:group_detail", pk=group.pk)
    return render(request, "console/customers/group_form.html", {"form": form, "preview": preview})


@require_POST
@staff_view("customers.groups")
def group_preview(request: HttpRequest) -> HttpResponse:
    """How many customers the criteria find now, and the first of them (htmx)."""
    form = CriteriaForm(request.POST, actor=request.actor, auto_id="crit-%s")
    context: dict[str, Any] = {"form": form, "preview": None}
    if form.is_valid():
        if form.criteria():
            context["preview"] = _preview(request, form)
        else:
            context["empty"] = True
    if _htmx(request):
        return render(request, "console/customers/group_form.html#preview", context)
    return render(request, "console/customers/group_form.html", context)


@staff_view("customers.groups")
def group_detail(request: HttpRequest, pk: int) -> HttpResponse:
    group = get_for_actor(CustomerGroup.objects.select_related("dealer"), request.actor, pk=pk)
    members = group.members.select_related("city").order_by("name", "pk")
    if wants_export(request):
        return export_list(request, "group_members", members, filters={"group": group.pk})
    return render(request, "console/customers/group_detail.html", {
        "group": group, "page": paginate(request, members), "qs": querystring_without_page(request),
        "criteria": _describe(request, group.criteria),
    })


def _describe(request: HttpRequest, saved: dict[str, Any]) -> list[tuple[str, str]]:
    """The saved criteria as (label, value) for display, choices by their labels."""
    fields = CriteriaForm(actor=request.actor).fields
    out = []
    for key, value in saved.items():
        field = fields.get(key)
        choices = {str(k): str(v) for k, v in getattr(field, "choices", []) if k not in ("", None)} \
            if field is not None and key != "lead_dealer" else {}
        values = value if isinstance(value, list) else [value]
        if isinstance(value, bool):
            values = [_("Yes") if value else _("No")]
        text = ", ".join(choices.get(str(v), str(v)) for v in values)
        out.append((str(field.label) if field is not None else key, text))
    return out
