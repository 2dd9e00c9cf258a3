"""Finance offers HQ marketing publishes (CAT-4, DOMAIN.md §2): the rules an offer must keep,
the annualised rate it discloses, which offers a car has today, and a loan under an offer.

An offer's own rules are checked when it is saved (through :func:`autodcc.catalog.services.save`,
the catalogue's one audited save); a loan under an offer is checked against the offer: the term
must be one it offers and the down payment at least its minimum share of the price."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import QuerySet
from django.utils import timezone

from autodcc.catalog import finance
from autodcc.catalog.models import FeeKind, FinanceOffer, Trim
from autodcc.core import tabular
from autodcc.core.errors import DomainError

REPRESENTATIVE_LOAN = Decimal("100000.00")  # the loan the disclosed APR is worked out on
MAX_FEE_PERCENT = Decimal("30")
MAX_FEE_AMOUNT = Decimal("1000000")


def parse_terms(text: str) -> list[int]:
    """``"12, 24，36"`` → [12, 24, 36]; refuses what is not a term of the menu (12–60 months)."""
    cleaned = text.replace("，", ",").replace("、", ",").replace(" ", ",")
    terms: set[int] = set()
    for part in (p.strip() for p in cleaned.split(",")):
        if not part:
            continue
        if not part.isdigit() or int(part) not in finance.TERMS:
            raise DomainError("offer.term_unknown", field="terms", value=part[:10])
        terms.add(int(part))
    if not terms:
        raise DomainError("offer.no_terms", field="terms")
    return sorted(terms)


def rules(offer: FinanceOffer) -> list[DomainError]:
    """What a finance offer must keep before it is saved."""
    errors: list[DomainError] = []
    try:
        offer.terms = ",".join(str(t) for t in parse_terms(offer.terms or ""))
    except DomainError as exc:
        errors.append(exc)
    if offer.annual_rate is None or not Decimal(0) <= offer.annual_rate <= finance.MAX_RATE * 100:
        errors.append(DomainError("offer.rate_invalid", field="annual_rate", cap=f"{finance.MAX_RATE * 100:.0f}"))
    cap = MAX_FEE_PERCENT if offer.fee_kind == FeeKind.PERCENT else MAX_FEE_AMOUNT
    if offer.fee_value is None or not Decimal(0) <= offer.fee_value <= cap:
        errors.append(DomainError("offer.fee_invalid" if offer.fee_kind == FeeKind.AMOUNT else "offer.fee_percent_invalid",
                                  field="fee_value", cap=f"{cap:,}"))
    if offer.min_down_pct is None or not Decimal(0) <= offer.min_down_pct < 100:
        errors.append(DomainError("offer.min_down_invalid", field="min_down_pct", cap=100))
    if offer.valid_until and offer.valid_from and offer.valid_until < offer.valid_from:
        errors.append(DomainError("catalog.window_reversed", field="valid_until"))
    return errors


def disclosed_apr(offer: FinanceOffer) -> Decimal:
    """The highest APR over all costs (equal instalments) on a 100,000 CNY loan over the
    offer's terms: what the offer must show more prominently than any monthly rate."""
    rate = offer.annual_rate / 100
    fee = offer.fee_for(REPRESENTATIVE_LOAN)
    if fee >= REPRESENTATIVE_LOAN:
        return Decimal("0.00")
    return max((finance.equal_instalments(REPRESENTATIVE_LOAN, rate, months, fee).apr for months in offer.term_list),
               default=Decimal("0.00"))


def all_offers() -> QuerySet[FinanceOffer]:
    """Every offer with the models and trims it applies to (HQ's list and its export)."""
    return FinanceOffer.objects.prefetch_related("car_models", "trims__model")


def offers_for(trim: Trim | None, day: dt.date | None = None) -> list[FinanceOffer]:
    """The offers a consumer may choose for ``trim`` today: active, valid on the day, and for
    every car or naming the trim or its model."""
    if trim is None:
        return []
    day = day or timezone.localdate()
    return list(FinanceOffer.objects.valid_on(day).for_trim(trim).order_by("apr_disclosed", "title", "id"))


def check_loan(offer: FinanceOffer, *, price: Decimal, down_payment: Decimal, months: int) -> None:
    """A loan under ``offer``: a term it offers and at least its minimum down payment."""
    if months not in offer.term_list:
        raise DomainError("offer.term_not_offered", field="months", value=months,
                          terms="、".join(str(t) for t in offer.term_list), title=offer.title)
    minimum = finance.down_payment_for(price, offer.min_down_pct)
    if down_payment < minimum:
        raise DomainError("offer.down_below_minimum", field="down_payment", title=offer.title,
                          pct=f"{offer.min_down_pct.normalize():f}", amount=f"{minimum:,.2f}")


def loan(offer: FinanceOffer, *, price: Decimal, down_payment: Decimal, months: int,
         method: str) -> finance.Schedule:
    """The schedule of a loan under ``offer`` (checked against the offer and the loan rules)."""
    check_loan(offer, price=price, down_payment=down_payment, months=months)
    principal = finance.check(price, down_payment, months, offer.annual_rate / 100, Decimal(0))
    return finance.schedule(price=price, down_payment=down_payment, months=months, annual_rate=offer.annual_rate / 100,
                            method=method, fee=offer.fee_for(principal))


def offers_export(offers: QuerySet[FinanceOffer]) -> bytes:
    """The offers as HQ marketing lists them, one a row."""
    from django.utils.translation import gettext as _

    header = [_("Lender"), _("Title"), _("Terms (months)"), _("Nominal annual rate (%)"), _("Fee"),
              _("Minimum down payment (%)"), _("Disclosed APR (%)"), _("Valid from"), _("Valid until"),
              _("Applies to"), _("Active")]
    rows = []
    for o in offers.prefetch_related("trims__model", "car_models"):
        fee = f"{o.fee_value}%" if o.fee_kind == FeeKind.PERCENT else f"{o.fee_value:,.2f}"
        cars = "、".join([str(m) for m in o.car_models.all()] + [str(t) for t in o.trims.all()]) or _("Every car")
        rows.append([o.lender, o.title, o.terms, o.annual_rate, fee, o.min_down_pct, o.apr_disclosed,
                     o.valid_from.isoformat(), o.valid_until.isoformat() if o.valid_until else "", cars,
                     _("Yes") if o.is_active else _("No")])
    return tabular.xlsx_bytes(_("Finance offers"), header, rows)
