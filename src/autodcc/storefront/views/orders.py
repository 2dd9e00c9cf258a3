"""Deposit orders in the store (ORD-1, 2, 3, 5, 7, 9; CMP-7).

The order form works like the test-drive booking, without JavaScript: the car (a trim, or one of
its special editions through ``?edition=``) → the city (a GET form; the querystring carries it) →
the dealer suggestions and the form proper, which posts to ``order_create`` and sends the buyer
straight to the payment company when only one is configured, else to the order page to choose.

The order page (``store:order``, reached by the order's secret token, no login) is built from
``policy.order_view`` for a consumer — never from the dealer's deal — plus the order's payments,
refunds, delivery updates and rewards. Its actions (pay, refund, confirm receipt) each post to
their own URL and come back to the page with a message; what a service refuses changes nothing.

The deposit is a refundable 意向金/订金 (DOMAIN.md §6), not a 定金: the pages say so.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from django_ratelimit.decorators import ratelimit

from autodcc.catalog.models import Colour, Edition, Photo, Trim
from autodcc.catalog.selectors import editions_on_sale, trims_on_sale
from autodcc.core import geo
from autodcc.core import phone as phones
from autodcc.core.actors import consumer
from autodcc.core.errors import DomainError, NotFound
from autodcc.leads.services import LeadInput
from autodcc.network.models import City, Dealer
from autodcc.network.services import city_for
from autodcc.orders import policy, providers
from autodcc.orders.models import ACTIVE_REFUND, Order, OrderStatus, PaymentStatus
from autodcc.orders.services import (
    marketplace_of,
    order_confirm_receipt,
    order_create,
    payment_start,
    refund_request,
)
from autodcc.orders.services.ordering import pay_by_text, payment_window_over
from autodcc.orders.services.refunds import REFUNDABLE
from autodcc.storefront.forms import add_errors
from autodcc.storefront.forms_feedback import OrderFeedbackForm
from autodcc.storefront.forms_orders import OrderForm, PayForm, RefundForm
from autodcc.storefront.views.common import (
    RATE_LIMITED,
    campaign_of,
    claim_submission,
    finish_submission,
    limited,
    page,
    post_rate,
    store_consumer,
    track,
)
from autodcc.testdrives.services import suggest_dealers

# a second press from a fresh form within this time finds the same person's unpaid order
SAME_ORDER_MINUTES = 30


# --- the order form ------------------------------------------------------------------------------


@dataclass
class Suggestion:
    dealer: Dealer
    distance_km: int | None


@dataclass
class Place:
    """Where the buyer is and the dealers suggested for them (the allocation rules' order)."""

    city_text: str = ""
    city: City | None = None
    city_error: str = ""
    suggestions: list[Suggestion] = field(default_factory=list)
    cities: list[str] = field(default_factory=list)


def _trim_or_404(slug: str) -> Trim:
    trim = (trims_on_sale().prefetch_related(
        Prefetch("colours", queryset=Colour.objects.order_by("extra_price", "name")),
        Prefetch("photos", queryset=Photo.objects.order_by("sort", "id")),
        Prefetch("editions", queryset=editions_on_sale().select_related("package")))
        .filter(slug=slug).first())
    if trim is None:
        raise Http404
    return trim


def _edition_or_404(trim: Trim, slug: str) -> Edition | None:
    """The trim's special edition on sale named in the request, None for none; 404 for another."""
    slug = slug.strip()
    if not slug:
        return None
    for edition in trim.editions.all():  # prefetched: only editions on sale today
        if edition.slug == slug:
            return edition
    raise Http404


def _place(city_text: str) -> Place:
    place = Place(city_text=city_text.strip()[:30])
    if place.city_text:
        try:
            place.city = city_for(place.city_text)
        except DomainError as exc:
            place.city_error = exc.message
        else:
            for dealer in suggest_dealers(city=place.city):
                km = None  # a dealer in another city: say how far it is
                if dealer.city_id != place.city.pk:
                    km = round(geo.haversine_km(float(place.city.lat), float(place.city.lng), float(dealer.lat),
                                                float(dealer.lng)))
                place.suggestions.append(Suggestion(dealer, km))
    if place.city is None:
        place.cities = list(Dealer.objects.filter(is_active=True).order_by("city__name")
                            .values_list("city__name", flat=True).distinct())
    return place


def _form_dealers(place: Place, posted: str = "") -> list[Dealer]:
    """The dealers the form offers: the suggestions, and on a post the one chosen (still active)."""
    dealers = [s.dealer for s in place.suggestions]
    posted = posted.strip()
    if posted and all(d.code != posted for d in dealers):
        chosen = Dealer.objects.select_related("city").filter(code=posted, is_active=True).first()
        if chosen is not None:
            dealers.append(chosen)
    return dealers


def _existing(trim: Trim, edition: Edition | None, raw_phone: str, dealer_code: str) -> Order | None:
    """The same person's unpaid order of the same car a moment ago: a second press returns it."""
    try:
        e164 = phones.normalize_mobile(raw_phone)
    except DomainError:
        return None
    now = timezone.now()
    found = Order.objects.filter(trim=trim, edition=edition, status=OrderStatus.AWAITING_PAYMENT,
                                 customer__phone=e164, created_at__gte=now - dt.timedelta(minutes=SAME_ORDER_MINUTES),
                                 pay_by__gt=now)  # still payable
    if dealer_code:
        found = found.filter(dealer__code=dealer_code)
    return found.order_by("-created_at", "-id").first()


def _order_url(order: Order) -> str:
    return reverse("store:order", args=[order.token])


def _provider_choices() -> list[tuple[str, Any]]:
    return [(name, providers.label(name)) for name in providers.names()]


def _checkout(request: HttpRequest, order: Order, provider: str) -> HttpResponse:
    """Open the payment and send the buyer to the payment company (back to the order page on a refusal)."""
    try:
        _payment, checkout = payment_start(order=order, provider=provider, return_url=_order_url(order),
                                           client_ip=request.META.get("REMOTE_ADDR", ""))
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(_order_url(order))
    except providers.ProviderError:
        messages.error(request, _("The payment service cannot be reached just now. Please try again in a moment."))
        return redirect(_order_url(order))
    return redirect(checkout.url)


def _to_payment(request: HttpRequest, order: Order) -> HttpResponse:
    """After the order: straight to the payment company when there is one only, else the order
    page, where the buyer chooses how to pay."""
    names = providers.names()
    if order.status == OrderStatus.AWAITING_PAYMENT and len(names) == 1:
        return _checkout(request, order, names[0])
    if order.status == OrderStatus.AWAITING_PAYMENT:
        messages.info(request, _("Your order is saved. Choose how to pay the deposit."))
    return redirect(_order_url(order))


def _submit(request: HttpRequest, form: OrderForm, trim: Trim, edition: Edition | None) -> HttpResponse | None:
    """Create the order; a redirect to the payment, or None with the problems on the form."""
    data = form.cleaned_data
    key = f"storefront:order:{data['submission']}" if data.get("submission") else ""
    mine, token = claim_submission(key)  # the same form submitted twice at once: the second waits
    if not mine:
        found = Order.objects.filter(token=token).first() if token else None
        if found is not None:
            return _to_payment(request, found)
        form.add_error(None, _("We are still saving your order. Please wait a moment and reload."))
        return None
    existing = _existing(trim, edition, data["phone"], data.get("dealer") or "")
    if existing is not None:
        finish_submission(key, existing.token)
        return _to_payment(request, existing)
    buyer = LeadInput(**form.lead_values(), city=(data.get("city") or "").strip(), dealer=data.get("dealer") or "",
                      campaign=campaign_of(request))
    try:
        order = order_create(actor=store_consumer(data["phone"]), trim=trim, buyer=buyer, edition=edition,
                             wants_loan=bool(data.get("wants_loan")), colour=data.get("colour") or "")
    except DomainError as exc:
        finish_submission(key, None)
        add_errors(form, exc, form.ALIASES)
        return None
    finish_submission(key, order.token)
    track(request, "order", str(order.pk))
    return _to_payment(request, order)


def _start_context(trim: Trim, edition: Edition | None, place: Place, form: OrderForm | None) -> dict[str, Any]:
    item = edition or trim
    colours = list(trim.colours.all())
    photos = list(trim.photos.all())
    kms = {s.dealer.code: s.distance_km for s in place.suggestions}
    return {
        "nav": "models", "trim": trim, "edition": edition, "series": trim.model.series,
        "guide_price": item.guide_price, "offer_price": item.offer_price, "deposit": item.deposit,
        "orderable": item.deposit > 0, "photo": photos[0] if photos else None,
        "parts": list(edition.package.parts.all()) if edition else [],
        "colours": {c.name: c for c in colours}, "place": place, "form": form,
        "dealer_options": [{"dealer": d, "km": kms.get(d.code)} for d in form.dealers.values()] if form else [],
        "base_params": {"edition": edition.slug} if edition else {},
    }


@never_cache
@ratelimit(key="ip", rate=post_rate, method="POST", block=False)
@require_http_methods(["GET", "POST"])
def order_start(request: HttpRequest, trim_slug: str) -> HttpResponse:
    trim = _trim_or_404(trim_slug)
    params = request.POST if request.method == "POST" else request.GET
    edition = _edition_or_404(trim, params.get("edition", ""))
    place = _place(params.get("city", ""))
    colours = list(trim.colours.all())
    status = 200
    if request.method == "POST":
        form = OrderForm(request.POST, colours=colours, dealers=_form_dealers(place, request.POST.get("dealer", "")))
        if limited(request):
            form.is_valid()
            form.add_error(None, RATE_LIMITED)
            status = 429
        elif (edition or trim).deposit <= 0:
            form.is_valid()
            form.add_error(None, _("This car cannot be reserved online. Please ask for a price instead."))
        elif form.is_valid():
            response = _submit(request, form, trim, edition)
            if response is not None:
                return response
    elif place.city is not None:
        form = OrderForm(colours=colours, dealers=_form_dealers(place), initial={
            "city": place.city_text, "edition": edition.slug if edition else "", "dealer": "",
            "colour": colours[0].name if colours else "", "submission": get_random_string(32)})
    else:
        form = None
    return page(request, "orders/start.html", _start_context(trim, edition, place, form), status=status)


# --- the order page ------------------------------------------------------------------------------


def _order_or_404(token: str) -> Order:
    found = (Order.objects.select_related("trim__model__series", "edition", "dealer__city", "customer")
             .filter(token=token).first())
    if found is None:
        raise Http404
    return found


def _timeline(view: dict[str, Any], status: str) -> list[dict[str, Any]]:
    """The milestones from the consumer's view of the order; a refunded order shows what happened."""
    rows = []
    for n, (label, at) in enumerate(view["timeline"]):
        last = n == len(view["timeline"]) - 1  # "Refunded": only when it happened
        if last and at is None:
            continue
        if status in (OrderStatus.REFUNDED, OrderStatus.CLOSED) and at is None:
            continue  # the order ended: only what happened
        rows.append({"label": label, "at": at, "done": at is not None, "refunded": last})
    for row in rows:  # the next step to come
        if not row["done"]:
            row["next"] = True
            break
    return rows


def _order_page(request: HttpRequest, order: Order, *, refund_form: RefundForm | None = None,
                feedback_form: OrderFeedbackForm | None = None, status: int = 200) -> HttpResponse:
    view = policy.order_view(consumer(f"storefront {order.number}"), order)
    payments = list(order.payments.all())
    refunds = list(order.refunds.all())
    refund_active = any(r.status in ACTIVE_REFUND for r in refunds)
    # past its deadline the order is closed for the buyer, even before the sweep marks it so
    closed = payment_window_over(order)
    if closed:
        view["status"], view["status_label"] = OrderStatus.CLOSED, str(OrderStatus.CLOSED.label)
    can_pay = order.status == OrderStatus.AWAITING_PAYMENT and not closed
    marketplace = marketplace_of(order) if order.status in REFUNDABLE else ""
    can_refund = order.status in REFUNDABLE and not refund_active and not marketplace
    choices = _provider_choices()
    return page(request, "orders/order.html", {
        "order": order, "o": view, "dealer": order.dealer, "timeline": _timeline(view, view["status"]),
        "payments": payments, "refunds": refunds, "refund": refunds[-1] if refunds else None,
        "refund_active": refund_active,
        "ended": closed or order.status == OrderStatus.REFUNDED,  # no deposit, no delivery to come
        "closed": closed, "pay_by": pay_by_text(order),
        "order_again": order.trim.is_active and order.trim.model.series.is_active,
        "delivery_updates": list(order.delivery_updates.all()),
        "rewards": list(order.rewards.all()) if order.status == OrderStatus.RECEIVED else [],
        "can_pay": can_pay,
        "pay_form": PayForm(providers=choices) if can_pay and choices else None,
        "payment_pending": can_pay and any(p.status == PaymentStatus.PENDING for p in payments),
        "can_refund": can_refund, "marketplace": marketplace,
        "refund_form": (refund_form or RefundForm()) if can_refund else None,
        "can_confirm": order.status == OrderStatus.DELIVERED,
        "phone_masked": phones.mask(order.customer.phone),
        "edition_rewards": order.edition.rewards if order.edition_id else "",
        "feedback_form": feedback_form or OrderFeedbackForm(prefix="fb", initial={"submission": secrets.token_urlsafe(16)}),
        "complaints": list(order.complaints.order_by("-created_at")),
    }, status=status)


@never_cache
@require_http_methods(["GET"])
def order_page(request: HttpRequest, token: str) -> HttpResponse:
    return _order_page(request, _order_or_404(token))


@ratelimit(key="ip", rate=post_rate, method="POST", block=False)
@require_POST
def order_pay(request: HttpRequest, token: str) -> HttpResponse:
    found = _order_or_404(token)
    if limited(request):
        messages.error(request, RATE_LIMITED)
        return redirect(_order_url(found))
    form = PayForm(request.POST, providers=_provider_choices())
    if not form.is_valid():
        messages.error(request, _("Please choose how to pay."))
        return redirect(_order_url(found))
    return _checkout(request, found, form.cleaned_data["provider"])


@ratelimit(key="ip", rate=post_rate, method="POST", block=False)
@require_POST
def order_receipt(request: HttpRequest, token: str) -> HttpResponse:
    found = _order_or_404(token)
    if limited(request):
        messages.error(request, RATE_LIMITED)
    elif found.status == OrderStatus.RECEIVED:
        messages.info(request, _("You have already confirmed receipt. Thank you!"))
    else:
        try:
            order_confirm_receipt(token=token)
        except NotFound:
            raise Http404 from None
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Thank you for confirming receipt. Enjoy your new car!"))
    return redirect(_order_url(found))


@ratelimit(key="ip", rate=post_rate, method="POST", block=False)
@require_POST
def order_refund(request: HttpRequest, token: str) -> HttpResponse:
    found = _order_or_404(token)
    if limited(request):
        messages.error(request, RATE_LIMITED)
        return redirect(_order_url(found))
    form = RefundForm(request.POST)
    if not form.is_valid() and found.status in REFUNDABLE and \
            not found.refunds.filter(status__in=ACTIVE_REFUND).exists():
        return _order_page(request, found, refund_form=form)  # the reason is missing
    try:  # (a refund no longer possible: the service says why)
        refund_request(token=token, reason=form.cleaned_data.get("reason", "") if form.is_valid() else "")
    except NotFound:
        raise Http404 from None
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Your refund request is sent. The dealer confirms it, then customer service "
                                    "refunds the full deposit to your payment account."))
    return redirect(_order_url(found))
