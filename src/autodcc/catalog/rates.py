"""Tax, insurance and fee rates HQ sets from a date on (CAT-3), over the shipped
``data/rates.json``. An entry has the shape of the table's entries in the file; a new one may not
change a price on a day already past, which the worked examples of DOMAIN.md check on
every save (they are priced again with the new entry and shown beside the old figures)."""

from __future__ import annotations

import copy
import datetime as dt
import itertools
import json
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from autodcc.catalog import pricing
from autodcc.catalog.models import RateEntry
from autodcc.core import audit, memo
from autodcc.core.actors import Actor
from autodcc.core.errors import DomainError, Forbidden, Invalid

MEMO_KEY, MEMO_SECONDS = "catalog.rates", 60  # other processes see a new rate within a minute
EDITABLE = ("vat_rate", "purchase_tax_rate", "nev_purchase_tax_relief", "luxury_surtax", "compulsory_insurance",
            "vehicle_vessel_tax", "plate_fee")
META_KEYS = {"from", "to", "source", "note"}
TABLE_LABELS = {
    "vat_rate": _("VAT rate"), "purchase_tax_rate": _("Vehicle purchase tax rate"),
    "nev_purchase_tax_relief": _("New-energy purchase tax relief"), "luxury_surtax": _("Luxury car consumption tax"),
    "compulsory_insurance": _("Compulsory traffic insurance"), "vehicle_vessel_tax": _("Vehicle and vessel tax"),
    "plate_fee": _("Licence plates"),
}
MODE_LABELS = {"exempt": _("exempt"), "halve": _("half"), "none": _("no relief")}
KEY_LABELS = {
    "rate": _("Rate (0.10 = 10%)"), "mode": _("Relief"), "cap": _("Relief cap (CNY)"),
    "threshold_ex_vat": _("Threshold without VAT (CNY)"), "under_6_seats": _("Under 6 seats (CNY)"),
    "six_seats_or_more": _("6 seats or more (CNY)"), "amount": _("Amount (CNY)"), "province": _("Province (* = all)"),
    "bands": _("Bands by displacement (JSON)"), "exempt_energy": _("Exempt energies (JSON)"),
    "listed_exempt_energy": _("Exempt when listed (JSON)"), "half_energy": _("Half tax (JSON)"),
}


def merged(entries: list[tuple[str, dt.date, dict[str, Any], str]]) -> dict[str, Any]:
    """The shipped rates with these entries (table, from, values, note) put in date order; an entry
    of the same table and day replaces the shipped one."""
    rates = copy.deepcopy(pricing.shipped_rates())
    for table, day, data, note in entries:
        rows = [e for e in rates.get(table, []) if e["from"] != day.isoformat()]
        rows.append({**data, "from": day.isoformat(), **({"source": note} if note else {})})
        rows.sort(key=lambda e: e["from"])
        for earlier, later in itertools.pairwise(rows):  # an entry ends where the next begins
            if "to" in earlier:
                earlier["to"] = (dt.date.fromisoformat(later["from"]) - dt.timedelta(days=1)).isoformat()
        rates[table] = rows
    return rates


def _stored() -> list[tuple[str, dt.date, dict[str, Any], str]]:
    return [(r.table, r.effective_on, r.data, r.note) for r in RateEntry.objects.order_by("effective_on", "id")]


def current() -> dict[str, Any]:
    return memo.remember(MEMO_KEY, MEMO_SECONDS, lambda: merged(_stored()))


def in_force(table: str, day: dt.date | None = None) -> dict[str, Any]:
    return pricing.rate_on(table, day or timezone.localdate(), current())


def template(table: str) -> dict[str, Any]:
    """The values of the entry in force today (without its dates and source): what a form starts from."""
    return {k: v for k, v in in_force(table).items() if k not in META_KEYS}


def parse(table: str, values: dict[str, str]) -> dict[str, Any]:
    """Form values in the table's shape: every key of today's entry, numbers as the file writes
    them (strings), lists as JSON."""
    shape = template(table)
    data: dict[str, Any] = {}
    errors: list[DomainError] = []
    for key, example in shape.items():
        raw = (values.get(key) or "").strip()
        if isinstance(example, list | dict):
            try:
                value = json.loads(raw)
            except ValueError:
                errors.append(DomainError("rates.not_json", field=key))
                continue
            if type(value) is not type(example):
                errors.append(DomainError("rates.not_json", field=key))
                continue
            data[key] = value
        elif _is_number(str(example)):
            if not _is_number(raw) or Decimal(raw) < 0:
                errors.append(DomainError("rates.not_number", field=key, value=raw[:40]))
                continue
            data[key] = raw
        else:
            if not raw:
                errors.append(DomainError("rates.required", field=key))
                continue
            data[key] = raw
    if errors:
        raise Invalid(errors)
    return data


def _is_number(text: str) -> bool:
    try:
        Decimal(text)
    except (InvalidOperation, ValueError):
        return False
    return text.strip() != ""


@dataclass(frozen=True)
class Example:
    name: str
    line: str  # as the price shows it
    day: dt.date
    before: Decimal | None
    after: Decimal | None
    problem: str = ""
    shown: bool = True  # on the page; the others are checked only

    @property
    def changed(self) -> bool:
        return self.before != self.after


# the price line each rate moves (what the examples show when that rate changes)
TABLE_LINES = {"vat_rate": "purchase_tax", "purchase_tax_rate": "purchase_tax",
               "nev_purchase_tax_relief": "purchase_tax", "luxury_surtax": "luxury_surtax",
               "compulsory_insurance": "compulsory_insurance", "vehicle_vessel_tax": "vehicle_vessel_tax",
               "plate_fee": "plate"}


def check(table: str, effective_on: dt.date, data: dict[str, Any], note: str = "") -> list[Example]:
    """The worked examples of this rate's line, re-dated to the day the new rate takes effect and
    priced with the rates in force then and with the new entry; and every example on its own date
    (those must not change when their date is past: ``rate_set`` refuses)."""
    from autodcc.catalog.models import Energy

    now = current()
    new = merged([*_stored(), (table, effective_on, data, note)])
    out = []
    line_of_table = TABLE_LINES.get(table)
    for _name, kwargs, line, _shipped in pricing.WORKED_EXAMPLES:
        for day, shown in ((effective_on, line == line_of_table), (kwargs["invoice_date"], False)):
            priced = {**kwargs, "invoice_date": day}
            before: Decimal | None = None
            after: Decimal | None = None
            label, problem = line, ""
            try:
                before, label = _amount(priced, line, now)
            except DomainError:
                pass  # no rate on file that day yet
            try:
                after, label = _amount(priced, line, new)
            except DomainError:
                problem = "" if before is None else "DomainError"  # a day no rate covers, before or after
            except (KeyError, TypeError, ValueError, InvalidOperation, StopIteration) as exc:
                problem = type(exc).__name__
            energy = Energy(kwargs["energy"]).label
            name = f"{energy}，¥{kwargs['invoice_price']:,}，{day.isoformat()}"
            out.append(Example(name, label, day, before, after, problem, shown=shown))
    return out


def _amount(kwargs: dict[str, Any], line: str, rates: dict[str, Any]) -> tuple[Decimal, str]:
    price = pricing.landed_price(**kwargs, rates=rates)  # a day before any rate on file raises
    found = next((ln for ln in price.lines if ln.code == line), None)
    return (found.amount, found.label) if found else (Decimal("0.00"), line)


@transaction.atomic
def rate_set(*, actor: Actor, table: str, effective_on: dt.date, data: dict[str, Any], note: str = "") -> RateEntry:
    """A rate from ``effective_on`` on. Refused when the worked examples do not price, or when one
    dated before today would change (a rate never rewrites the past)."""
    if not actor.can("catalog.edit"):
        raise Forbidden("forbidden")
    if table not in EDITABLE:
        raise DomainError("rates.unknown_table", field="table", value=table)
    examples = check(table, effective_on, data, note)
    broken = [e for e in examples if e.problem]
    if broken:
        raise DomainError("rates.examples_fail", field=None, value=broken[0].name)
    rewritten = [e for e in examples if e.changed and e.day < timezone.localdate()]
    if rewritten:
        raise DomainError("rates.rewrites_past", field="effective_on", value=rewritten[0].name)
    entry, _created = RateEntry.objects.update_or_create(
        table=table, effective_on=effective_on,
        defaults={"data": data, "note": note.strip(), "by_label": actor.label, "created_at": timezone.now()})
    audit.record(actor=actor, action="rate.set", obj=entry, after={
        "table": table, "effective_on": effective_on.isoformat(), "data": data,
        "examples_changed": [e.name for e in examples if e.changed]})
    transaction.on_commit(lambda: memo.forget(MEMO_KEY))
    memo.forget(MEMO_KEY)
    return entry
