"""A first-N gift's page (CMP-6, CMP-9), reached like an order's by the secret link in the
winner's SMS (no login): the gift, the winner's place, the delivery address to give or confirm
until HQ ships it, then the carrier and the tracking number."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_ratelimit.decorators import ratelimit

from autodcc.campaigns import first_n
from autodcc.core import phone as phones
from autodcc.core.errors import DomainError, NotFound
from autodcc.storefront.forms import GiftAddressForm, add_errors
from autodcc.storefront.views.common import RATE_LIMITED, limited, page, post_rate


@never_cache
@ratelimit(key="ip", rate=post_rate, method="POST", block=False)
@require_http_methods(["GET", "POST"])
def gift_page(request: HttpRequest, token: str) -> HttpResponse:
    try:
        claim = first_n.claim_by_token(token)
    except NotFound:
        raise Http404 from None
    customer = claim.booking.lead.customer
    form = GiftAddressForm(request.POST or None, initial={"address": claim.address or customer.postal_address})
    status = 200
    if request.method == "POST":
        if limited(request):
            form.is_valid()
            form.add_error(None, RATE_LIMITED)
            status = 429
        elif form.is_valid():
            try:
                first_n.address_give(token=token, address=form.cleaned_data["address"])
            except DomainError as exc:
                add_errors(form, exc)
                status = 400
            else:
                messages.success(request, _("Thank you: we will send your gift to this address and tell you by SMS "
                                            "when it is on its way."))
                return redirect("store:gift", token=token)
        else:
            status = 400
    return page(request, "gift.html", {"claim": claim, "reward": claim.reward, "campaign": claim.reward.campaign,
                                       "form": form, "phone_masked": phones.mask(customer.phone),
                                       "suggested": not claim.address and bool(customer.postal_address)},
                status=status)
