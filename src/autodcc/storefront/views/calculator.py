"""The price and loan calculator (CAT-3, CAT-4): every line of the landed price with its
explanation, and both loan schedules side by side. A GET form: nothing is saved, links can be shared."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, prefetch_related_objects
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from autodcc.catalog import finance, offers
from autodcc.catalog.models import Colour, Edition
from autodcc.catalog.selectors import landed_price_for
from autodcc.core.errors import DomainError
from autodcc.storefront.forms import LoanForm, PriceForm, add_errors
from autodcc.storefront.views.common import editions_on_sale, page, trim_choices

DEFAULT_TERM = 36
DEFAULT_RATE = "4.00"
DEFAULT_DOWN_PCT = "20"


def _bound(form_class: type, request: HttpRequest, defaults: dict[str, Any]) -> dict[str, Any]:
    """The form's data: what the querystring gives, the defaults for what it leaves out."""
    data = dict(defaults)
    for name in form_class.base_fields:
        if name in request.GET:
            data[name] = request.GET[name]
    return data


@require_GET
def calculator(request: HttpRequest) -> HttpResponse:
    trims = list(trim_choices())
    by_slug = {t.slug: t for t in trims}
    slug = request.GET.get("trim") or (trims[0].slug if trims else "")
    trim = by_slug.get(slug)
    if trim is not None:
        prefetch_related_objects(
            [trim], Prefetch("colours", queryset=Colour.objects.order_by("extra_price", "name")),
            Prefetch("editions", queryset=Edition.objects.filter(editions_on_sale())))
        trim.on_sale_editions = list(trim.editions.all())
    today = timezone.localdate()
    price_data = _bound(PriceForm, request, {"trim": slug, "day": today.isoformat()})
    if trim is not None:  # a colour or edition of the previously chosen car is simply dropped
        if price_data.get("colour") not in {str(c.pk) for c in trim.colours.all()}:
            price_data["colour"] = ""
        if price_data.get("edition") not in {e.slug for e in trim.on_sale_editions}:
            price_data["edition"] = ""
    price_form = PriceForm(price_data, trims=trims, trim=trim)
    landed = edition = colour = None
    if price_form.is_valid() and trim is not None:
        data = price_form.cleaned_data
        colour = next((c for c in trim.colours.all() if str(c.pk) == data["colour"]), None)
        edition = next((e for e in trim.on_sale_editions if e.slug == data["edition"]), None)
        try:
            landed = landed_price_for(trim, day=data["day"], edition=edition, colour=colour,
                                      commercial_insurance=data["commercial_insurance"],
                                      accessories=data["accessories"])
        except DomainError as exc:
            add_errors(price_form, exc, {"invoice_price": "trim"})
        except LookupError:  # no dated rate for that day (pricing raises LookupError, not a DomainError)
            price_form.add_error("day", _("There are no tax rates for this date; choose another date."))
    invoice = landed.amount("invoice") if landed else None
    base_price = invoice if invoice is not None else (trim.offer_price if trim else Decimal(0))
    car_offers = offers.offers_for(trim, today) if trim is not None else []
    loan_form = LoanForm(_bound(LoanForm, request, {
        "down_by": LoanForm.BY_SHARE, "down_pct": DEFAULT_DOWN_PCT, "months": str(DEFAULT_TERM),
        "offer": LoanForm.OWN, "annual_rate": DEFAULT_RATE, "fee": ""}),
        offers=car_offers, price=base_price if base_price > 0 else None)
    instalments = principal = offer = None
    down_payment = None
    if loan_form.is_valid() and invoice is not None:
        offer = loan_form.chosen_offer
        down_payment = loan_form.down_amount(invoice)
        try:
            if offer is not None:
                args = {"price": invoice, "down_payment": down_payment, "months": loan_form.cleaned_data["months"]}
                instalments = offers.loan(offer, method="equal_instalment", **args)
                principal = offers.loan(offer, method="equal_principal", **args)
            else:
                args = {"price": invoice, "down_payment": down_payment, "months": loan_form.cleaned_data["months"],
                        "annual_rate": loan_form.rate, "fee": loan_form.fee_amount}
                instalments = finance.schedule(method="equal_instalment", **args)
                principal = finance.schedule(method="equal_principal", **args)
        except DomainError as exc:
            add_errors(loan_form, exc, {"down_payment": loan_form.down_field, **({"fee": "offer"} if offer else {})})
            instalments = principal = None
    loan_amount = instalments.principal if instalments else None
    context = {
        "nav": "calculator",
        "trim": trim, "price_form": price_form, "loan_form": loan_form, "landed": landed, "edition": edition,
        "colour": colour, "invoice": invoice, "instalments": instalments, "principal": principal,
        "loan_amount": loan_amount, "offer": offer, "offers": car_offers, "down_payment": down_payment,
        "down_share": finance.down_share(invoice, down_payment) if instalments and invoice else None,
        "upfront": (landed.total - loan_amount + instalments.fee) if landed and instalments else None,
        "schedules": [s for s in (instalments, principal) if s is not None],
        "today": today,
    }
    return page(request, "calculator.html", context)
