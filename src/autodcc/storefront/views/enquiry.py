"""Price enquiry (LEAD-1): a storefront lead through ``lead_capture``, then a thank-you page."""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_GET, require_http_methods
from django_ratelimit.decorators import ratelimit

from autodcc.core.errors import DomainError
from autodcc.leads.services import LeadInput, lead_capture
from autodcc.network.models import Dealer
from autodcc.storefront.forms import EnquiryForm, add_errors
from autodcc.storefront.views.common import (
    RATE_LIMITED,
    campaign_of,
    limited,
    page,
    post_rate,
    store_consumer,
    track,
    trim_choices,
)

SESSION_KEY = "store_enquiry_dealer"


def dealer_cities() -> list[str]:
    """The names of the cities that have a dealer (public), for the city field's suggestions."""
    return list(Dealer.objects.filter(is_active=True).order_by("city__name")
                .values_list("city__name", flat=True).distinct())


@ratelimit(key="ip", rate=post_rate, method="POST", block=False)
@require_http_methods(["GET", "POST"])
def enquiry(request: HttpRequest) -> HttpResponse:
    trims = list(trim_choices())
    if request.method == "POST":
        form = EnquiryForm(request.POST, trims=trims)
        if limited(request):
            form.is_valid()
            form.add_error(None, RATE_LIMITED)
        elif form.is_valid():
            data = form.cleaned_data
            trim = form.trims[data["trim"]]
            lead = LeadInput(**form.lead_values(), city=data["city"], model_interest=str(trim), campaign=campaign_of(request),
                             message=data["message"])
            try:
                with transaction.atomic():
                    result = lead_capture(actor=store_consumer(lead.phone), data=lead)
            except DomainError as exc:
                add_errors(form, exc, form.ALIASES)
            else:
                request.session[SESSION_KEY] = result.lead.dealer_id
                track(request, "enquiry", trim.slug)
                return redirect("store:enquiry_thanks")
        status = 429 if limited(request) else 200
    else:
        form = EnquiryForm(initial={"trim": request.GET.get("trim", "")}, trims=trims)
        status = 200
    return page(request, "enquiry.html", {"form": form, "cities": dealer_cities()}, status=status)


@require_GET
def thanks(request: HttpRequest) -> HttpResponse:
    dealer_id = request.session.get(SESSION_KEY)
    dealer = Dealer.objects.filter(pk=dealer_id, is_active=True).first() if dealer_id else None
    return page(request, "enquiry_thanks.html", {"dealer": dealer})
