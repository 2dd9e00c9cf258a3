"""Console pages for test drives (dealers, HQ service)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from autodcc.console.exports import export_list, wants_export
from autodcc.console.forms.catalog import BookingFilterForm, FleetCarForm
from autodcc.console.views.base import paginate, querystring_without_page, render_list, staff_view
from autodcc.core.errors import DomainError, NotFound, add_to_form
from autodcc.core.tenancy import get_for_actor
from autodcc.network.models import Dealer
from autodcc.testdrives import services as td
from autodcc.testdrives.models import Booking, Vehicle

# --- test drives -----------------------------------------------------------------------------


@staff_view("testdrives.view")
def booking_list(request: HttpRequest) -> HttpResponse:
    """HQ customer service follows every test drive's status; a dealer sees its own."""
    form = BookingFilterForm(request.GET or None)
    qs = (Booking.objects.visible_to(request.actor)
          .select_related("dealer", "vehicle__trim__model", "lead__customer", "report").order_by("-starts_at"))
    f = form.filters()
    if f.get("status"):
        qs = qs.filter(status=f["status"])
    if f.get("day"):
        qs = qs.filter(starts_at__date=f["day"])
    if f.get("reported") is True:
        qs = qs.filter(report__isnull=False)
    elif f.get("reported") is False:
        qs = qs.filter(report__isnull=True)
    if wants_export(request):
        return export_list(request, "testdrives", qs)
    return render_list(request, "console/testdrives/list.html", {
        "form": form, "page": paginate(request, qs), "qs": querystring_without_page(request),
        "show_dealer": request.actor.is_hq or bool(request.actor.region_ids)})


@staff_view("testdrives.view")
def booking_detail(request: HttpRequest, pk: int) -> HttpResponse:
    booking = get_for_actor(Booking.objects.select_related("dealer", "vehicle__trim", "lead__customer"),
                            request.actor, pk=pk)
    report = getattr(booking, "report", None)
    return render(request, "console/testdrives/detail.html", {
        "booking": booking, "report": report,
        "can_manage": request.actor.can("testdrives.manage", dealer=booking.dealer) and not request.actor.is_hq})


@require_POST
@staff_view("testdrives.view")
def booking_action(request: HttpRequest, pk: int) -> HttpResponse:
    booking = get_for_actor(Booking, request.actor, pk=pk)
    action = request.POST.get("action")
    try:
        if action == "complete":
            td.booking_complete(actor=request.actor, booking=booking)
            messages.success(request, _("Test drive recorded as done."))
        elif action == "cancel":
            td.booking_cancel(actor=request.actor, booking=booking)
            messages.success(request, _("Booking cancelled."))
    except NotFound:
        from django.http import Http404

        raise Http404 from None
    except DomainError as exc:
        if exc.status == 403:
            raise PermissionDenied from None
        messages.error(request, exc.message)
    return redirect("console:booking_detail", pk=booking.pk)


@staff_view("testdrives.manage")
def fleet(request: HttpRequest) -> HttpResponse:
    """The dealer's test-drive cars."""
    dealers = Dealer.objects.visible_to(request.actor).order_by("code")
    dealer = dealers.filter(pk=request.GET.get("dealer") or 0).first() or dealers.first()
    if dealer is None or not request.actor.can("testdrives.manage", dealer=dealer):
        raise PermissionDenied
    form = FleetCarForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            td.vehicle_add(actor=request.actor, dealer=dealer, **form.cleaned_data)
        except DomainError as exc:
            add_to_form(form, exc)
        else:
            messages.success(request, _("Car added to the test-drive fleet."))
            return redirect(f"{request.path}?dealer={dealer.pk}")
    vehicles = Vehicle.objects.filter(dealer=dealer).select_related("dealer", "trim__model")
    if request.method == "GET" and wants_export(request):
        return export_list(request, "fleet", vehicles, filters={"dealer": dealer.pk})
    return render(request, "console/testdrives/fleet.html", {"dealer": dealer, "dealers": dealers, "form": form,
                                                             "vehicles": vehicles, "qs": f"dealer={dealer.pk}"})


@require_POST
@staff_view("testdrives.manage")
def fleet_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    vehicle = get_for_actor(Vehicle, request.actor, pk=pk)
    try:
        td.vehicle_set_active(actor=request.actor, vehicle=vehicle, active=request.POST.get("active") == "1")
    except DomainError as exc:
        if exc.status == 403:
            raise PermissionDenied from None
        raise
    return redirect(f"{request.build_absolute_uri('/console/testdrives/fleet/')}?dealer={vehicle.dealer_id}")


__all__ = ["querystring_without_page"]
