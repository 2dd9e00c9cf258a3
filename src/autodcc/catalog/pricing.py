"""The landed price (落地价, CAT-3): pure functions over plain values and dated rates.

``落地价 = 发票价 + 购置税 + 交强险 + 车船税(当年按月) + 上牌 [+ 商业险 + 精品]``. Every line carries
its explanation. Rates live in ``data/rates.json`` with the dates they apply from (DOMAIN.md §1);
amounts are computed exactly and rounded to the fen once, at the end of each line.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from autodcc.core.errors import DomainError

FEN = Decimal("0.01")
RATES_FILE = Path(__file__).with_name("data") / "rates.json"
NEV_ENERGIES = frozenset({"bev", "phev", "erev", "fcev"})


def fen(value: Decimal) -> Decimal:
    return value.quantize(FEN, rounding=ROUND_HALF_UP)


@cache
def shipped_rates() -> dict[str, Any]:
    """The rates shipped with the product (``data/rates.json``)."""
    return json.loads(RATES_FILE.read_text(encoding="utf-8"))


def _rates() -> dict[str, Any]:
    """The shipped rates with the ones HQ set since (``catalog.rates``)."""
    from autodcc.catalog import rates

    return rates.current()


def rate_on(table: str, day: dt.date, rates: dict[str, Any] | None = None) -> dict[str, Any]:
    """The entry of ``table`` in force on ``day`` (the last one whose 'from' is not after it)."""
    entries = (rates or _rates())[table]  # ordered by "from"
    valid = [e for e in entries if dt.date.fromisoformat(e["from"]) <= day]
    if not valid:
        raise DomainError("price.no_rate", field="invoice_date", value=day.isoformat())
    return valid[-1]


@dataclass(frozen=True)
class Line:
    code: str
    label: str
    amount: Decimal
    explanation: str
    optional: bool = False


@dataclass(frozen=True)
class LandedPrice:
    lines: tuple[Line, ...]
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal("0.00"))

    def amount(self, code: str) -> Decimal:
        return next(line.amount for line in self.lines if line.code == code)


def purchase_tax(invoice: Decimal, *, day: dt.date, energy: str, relief_eligible: bool,
                 rates: dict[str, Any] | None = None) -> tuple[Decimal, Decimal, str]:
    """(full tax, tax to pay, explanation). Full tax = invoice ÷ (1 + VAT) × 10 %; a listed NEV
    gets the relief in force on the invoice date, within its cap."""
    vat = Decimal(rate_on("vat_rate", day, rates)["rate"])
    rate = Decimal(rate_on("purchase_tax_rate", day, rates)["rate"])
    exact_full = invoice / (1 + vat) * rate
    full = fen(exact_full)
    explanation = _("Invoice price ÷ %(vat)s (without VAT) × %(rate)s%%") % {
        "vat": 1 + vat, "rate": f"{rate * 100:.0f}" if rate * 100 == int(rate * 100) else f"{rate * 100:.2f}"}
    if energy not in NEV_ENERGIES or not relief_eligible:
        return full, full, explanation
    relief_rule = rate_on("nev_purchase_tax_relief", day, rates)
    mode = relief_rule["mode"]
    if mode == "exempt":
        relief = min(exact_full, Decimal(relief_rule["cap"]))
        explanation += _("; new-energy vehicle exempt until the end of 2025, relief capped at %(cap)s") % {
            "cap": relief_rule["cap"]}
    elif mode == "halve":
        relief = min(exact_full / 2, Decimal(relief_rule["cap"]))
        explanation += _("; new-energy vehicle pays half in 2026–2027, relief capped at %(cap)s") % {
            "cap": relief_rule["cap"]}
    else:
        relief = Decimal(0)
        explanation += _("; no new-energy relief has been published for this date, full tax shown")
    return full, fen(exact_full - relief), explanation


def compulsory_insurance(seats: int, *, day: dt.date, rates: dict[str, Any] | None = None) -> Decimal:
    rule = rate_on("compulsory_insurance", day, rates)
    return Decimal(rule["under_6_seats"] if seats < 6 else rule["six_seats_or_more"]).quantize(FEN)


def vehicle_vessel_tax(displacement_l: Decimal | None, energy: str, *, day: dt.date, listed_exempt: bool = False,
                       rates: dict[str, Any] | None = None) -> tuple[Decimal, str]:
    """The purchase year's share: annual ÷ 12 × the months from the purchase month to December.
    Battery-electric and fuel-cell cars are outside the tax; a plug-in or range-extended hybrid is
    exempt only when its model is on the published exemption list (``listed_exempt``, per trim)."""
    rule = rate_on("vehicle_vessel_tax", day, rates)
    if energy in rule["exempt_energy"]:
        return Decimal("0.00"), _("New-energy vehicle: exempt")
    if energy in rule.get("listed_exempt_energy", ()) and listed_exempt:
        return Decimal("0.00"), _("On the published list of exempt new-energy models")
    litres = displacement_l or Decimal(0)
    annual = next(Decimal(b["annual"]) for b in rule["bands"] if litres <= Decimal(b["up_to_l"]))
    if energy in rule["half_energy"]:
        annual /= 2
    months = 13 - day.month
    return fen(annual / 12 * months), _("%(annual)s per year for %(litres)s L, %(months)s months this year") % {
        "annual": fen(annual), "litres": litres, "months": months}


def landed_price(
    *,
    invoice_price: Decimal,
    invoice_date: dt.date,
    energy: str,
    seats: int,
    displacement_l: Decimal | None = None,
    relief_eligible: bool = False,
    vessel_tax_exempt: bool = False,
    commercial_insurance: Decimal | None = None,
    accessories: Decimal | None = None,
    plate_service_fee: Decimal | None = None,
    rates: dict[str, Any] | None = None,
) -> LandedPrice:
    """Every line of the on-the-road price for one car bought on ``invoice_date``."""
    if invoice_price <= 0:
        raise DomainError("price.invalid", field="invoice_price")
    if not 2 <= seats <= 9:
        raise DomainError("price.seats_invalid", field="seats")
    invoice_price = fen(Decimal(invoice_price))
    full, tax, tax_note = purchase_tax(invoice_price, day=invoice_date, energy=energy,
                                       relief_eligible=relief_eligible, rates=rates)
    lines = [
        Line("invoice", _("Invoice price (incl. 13% VAT)"), invoice_price, _("The price you pay the dealer")),
        Line("purchase_tax", _("Vehicle purchase tax"), tax,
             tax_note + (_(" (full tax would be %(full)s)") % {"full": full} if tax != full else "")),
        Line("compulsory_insurance", _("Compulsory traffic insurance"),
             compulsory_insurance(seats, day=invoice_date, rates=rates),
             _("Base premium for a new family car with %(seats)s seats") % {"seats": seats}),
    ]
    vv_tax, vv_note = vehicle_vessel_tax(displacement_l, energy, day=invoice_date, listed_exempt=vessel_tax_exempt,
                                         rates=rates)
    lines.append(Line("vehicle_vessel_tax", _("Vehicle and vessel tax"), vv_tax, vv_note))
    plate = Decimal(rate_on("plate_fee", invoice_date, rates)["amount"]).quantize(FEN)
    lines.append(Line("plate", _("Licence plates"), plate, _("Government fee for a pair of reflective plates")))
    notes: list[str] = []
    surtax = rate_on("luxury_surtax", invoice_date, rates) if invoice_date >= dt.date(2025, 7, 20) else None
    ex_vat = invoice_price / Decimal("1.13")
    if surtax and ex_vat >= Decimal(surtax["threshold_ex_vat"]):
        lines.append(Line("luxury_surtax", _("Luxury car consumption tax"), fen(ex_vat * Decimal(surtax["rate"])),
                          _("10 percent of the price without VAT, for cars from 900,000 without VAT")))
    if plate_service_fee:
        lines.append(Line("plate_service", _("Dealer registration service"), fen(plate_service_fee),
                          _("Optional; must be on the dealer's price list"), optional=True))
    if commercial_insurance:
        lines.append(Line("commercial_insurance", _("Commercial insurance (estimate)"), fen(commercial_insurance),
                          _("Optional; you choose the insurer"), optional=True))
    if accessories:
        lines.append(Line("accessories", _("Accessories"), fen(accessories), _("Optional accessories you chose"),
                          optional=True))
    return LandedPrice(tuple(lines), tuple(notes))


# The worked examples of DOMAIN.md §1: re-checked whenever HQ sets a rate (``catalog.rates``) and
# by the tests. (name, landed_price arguments, the line checked, its amount under the shipped rates)
WORKED_EXAMPLES: tuple[tuple[str, dict[str, Any], str, str], ...] = tuple(
    (f"{energy} ¥{invoice} {day}", {"invoice_price": Decimal(invoice), "invoice_date": dt.date.fromisoformat(day),
                                    "energy": energy, "seats": seats, "displacement_l": litres and Decimal(litres),
                                    "relief_eligible": listed, "vessel_tax_exempt": listed}, line, amount)
    for invoice, day, energy, seats, litres, listed, line, amount in (
        ("200000", "2025-06-01", "bev", 5, None, True, "purchase_tax", "0.00"),
        ("200000", "2026-06-01", "bev", 5, None, True, "purchase_tax", "8849.56"),
        ("250000", "2026-06-01", "bev", 5, None, True, "purchase_tax", "11061.95"),
        ("400000", "2025-06-01", "bev", 5, None, True, "purchase_tax", "5398.23"),
        ("400000", "2026-06-01", "bev", 5, None, True, "purchase_tax", "20398.23"),
        ("200000", "2026-06-01", "ice", 5, "1.5", False, "purchase_tax", "17699.12"),
        ("200000", "2026-04-10", "ice", 5, "1.5", False, "compulsory_insurance", "950.00"),
        ("200000", "2026-04-10", "ice", 5, "1.5", False, "vehicle_vessel_tax", "270.00"),
        ("200000", "2026-04-10", "ice", 5, "1.5", False, "plate", "100.00"),
        ("300000", "2026-06-01", "phev", 7, "1.5", True, "compulsory_insurance", "1100.00"),
        ("300000", "2026-06-01", "phev", 7, "1.5", True, "vehicle_vessel_tax", "0.00"),
        ("1130000", "2026-06-01", "ice", 5, "3.0", False, "luxury_surtax", "100000.00"),
    ))
