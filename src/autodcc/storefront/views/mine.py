"""“My orders and test drives”: a buyer who lost the link proves their mobile number with an SMS
code and finds every order and test-drive booking made with it, each with its own page (where a
refund can be asked for or a booking cancelled)."""

from __future__ import annotations

import time

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_ratelimit.decorators import ratelimit

from autodcc.campaigns import first_n
from autodcc.core import phone as phones
from autodcc.core.errors import DomainError
from autodcc.customers import codes
from autodcc.messaging import preferences
from autodcc.orders.selectors import buyer_orders
from autodcc.storefront.forms import CONSENT_VERSION, PhoneLookupForm, add_errors
from autodcc.storefront.views.common import RATE_LIMITED, limited, page, post_rate
from autodcc.testdrives.selectors import buyer_bookings

SESSION_KEY = "store_mine"
SESSION_SECONDS = 30 * 60


def _proven_phone(request: HttpRequest) -> str | None:
    held = request.session.get(SESSION_KEY) or {}
    if held.get("until", 0) < time.time():
        return None
    return held.get("phone")


@ratelimit(key="ip", rate=post_rate, method="POST", block=False)
@require_http_methods(["GET", "POST"])
def mine(request: HttpRequest) -> HttpResponse:
    proven = _proven_phone(request)
    if proven and request.method == "POST" and request.POST.get("action") in ("marketing_stop", "marketing_resume"):
        return _marketing(request, proven)
    if request.method == "GET" and proven:
        return page(request, "mine.html", {"phone": phones.mask(proven), "orders": buyer_orders(proven),
                                           "bookings": buyer_bookings(proven), "gifts": first_n.buyer_gifts(proven),
                                           "nav": "mine",
                                           "preference": preferences.marketing_status(proven)})
    form = PhoneLookupForm(request.POST or None)
    sent = False
    status = 200
    if request.method == "POST":
        if limited(request):
            form.is_valid()
            form.add_error(None, RATE_LIMITED)
            status = 429
        elif request.POST.get("action") == "leave":
            request.session.pop(SESSION_KEY, None)
            return redirect("store:mine")
        elif form.is_valid():
            data = form.cleaned_data
            try:
                if data["code"]:
                    phone = codes.code_check(data["phone"], data["code"])
                    request.session.cycle_key()
                    request.session[SESSION_KEY] = {"phone": phone, "until": time.time() + SESSION_SECONDS}
                    return redirect("store:mine")
                codes.code_send(data["phone"])
                sent = True
            except DomainError as exc:
                add_errors(form, exc)
                sent = exc.code in ("code.wrong", "code.expired", "code.too_soon")  # keep the code field
    return page(request, "mine_lookup.html", {"form": form, "sent": sent, "nav": "mine"}, status=status)


def _marketing(request: HttpRequest, proven: str) -> HttpResponse:
    """The proven mobile's own say over marketing messages: stop (at once, no questions), or
    receive them again (only with the box ticked: a new consent to marketing)."""
    if request.POST["action"] == "marketing_stop":
        preferences.marketing_stop(raw_phone=proven, source="store")
        messages.success(request, _("Done: no more marketing messages to this number. Messages about your orders "
                                    "and test drives still reach you."))
    elif request.POST.get("consent_marketing") == "on":
        preferences.marketing_resume(raw_phone=proven, version=CONSENT_VERSION, source="store")
        messages.success(request, _("Done: you will receive news and offers again. You can stop them here at any "
                                    "time, or by replying TD to one of them."))
    else:
        messages.error(request, _("Tick the box to agree to marketing messages first."))
    return redirect(reverse("store:mine") + "#messages")
