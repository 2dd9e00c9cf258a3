"""Reads for the store: the range, a trim's page, comparison, recommendation, price figures."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Min, Prefetch, Q, QuerySet
from django.utils import timezone

from autodcc.catalog import pricing, recommend
from autodcc.catalog.models import Colour, Edition, Photo, Series, SpecValue, Trim


def series_on_sale() -> QuerySet[Series]:
    """Series with at least one trim on sale, with the lowest offer and guide price of those trims."""
    on_sale = Q(models__trims__is_active=True)
    return (Series.objects.filter(is_active=True).filter(on_sale).distinct()
            .annotate(from_price=Min("models__trims__offer_price", filter=on_sale),
                      guide_from=Min("models__trims__guide_price", filter=on_sale))
            .order_by("sort", "code"))


def trims_on_sale(*, preview: bool = False) -> QuerySet[Trim]:
    """Trims on sale; with ``preview`` (HQ marketing before publishing) also the drafts and the
    trims of a series not published yet, but never a withdrawn trim."""
    qs = (Trim.objects.filter(Q(is_active=True) | Q(published_at__isnull=True)) if preview
          else Trim.objects.filter(is_active=True, model__series__is_active=True))
    return qs.select_related("model__series").prefetch_related("features")


def editions_on_sale(day: dt.date | None = None) -> QuerySet[Edition]:
    day = day or timezone.localdate()
    return Edition.objects.filter(is_active=True, starts_on__lte=day).filter(Q(ends_on__isnull=True) | Q(ends_on__gte=day))


def trim_page(slug: str, *, preview: bool = False) -> Trim | None:
    return (trims_on_sale(preview=preview).prefetch_related(
        Prefetch("photos", queryset=Photo.objects.order_by("sort")),
        Prefetch("colours", queryset=Colour.objects.order_by("extra_price")),
        Prefetch("specs", queryset=SpecValue.objects.order_by("sort")),
        Prefetch("editions", queryset=editions_on_sale()),
    ).filter(slug=slug).first())


@dataclass
class CompareRow:
    group: str
    label: str
    values: list[str]

    @property
    def differs(self) -> bool:
        return len(set(self.values)) > 1


def compare(trims: list[Trim]) -> list[CompareRow]:
    """The union of the trims' specification items, in table order, with one value per trim."""
    keys: dict[tuple[str, str], int] = {}
    values: dict[tuple[str, str], dict[int, str]] = {}
    for trim in trims:
        for spec in trim.specs.all():
            key = (spec.group, spec.label)
            keys.setdefault(key, spec.sort)
            values.setdefault(key, {})[trim.pk] = spec.value
    ordered = sorted(keys, key=lambda k: (keys[k], k))
    return [CompareRow(g, label, [values[(g, label)].get(t.pk, "—") for t in trims]) for g, label in ordered]


def recommendations(needs: recommend.Needs, *, limit: int = 6) -> list[recommend.Ranked]:
    facts = [
        recommend.TrimFacts(
            id=t.pk, name=str(t), price=t.offer_price, seats=t.seats, energy=t.model.energy,
            uses=frozenset(u.strip() for u in t.uses.split(",") if u.strip()),
            features=frozenset(f.code for f in t.features.all()), range_km=t.range_km,
        )
        for t in trims_on_sale()
    ]
    return recommend.rank(facts, needs)[:limit]


def landed_price_for(trim: Trim, *, day: dt.date, edition: Edition | None = None,
                     commercial_insurance: Decimal | None = None, accessories: Decimal | None = None,
                     colour: Colour | None = None) -> pricing.LandedPrice:
    invoice = (edition.offer_price if edition else trim.offer_price) + (colour.extra_price if colour else 0)
    return pricing.landed_price(
        invoice_price=invoice, invoice_date=day, energy=trim.model.energy, seats=trim.seats,
        displacement_l=trim.displacement_l, relief_eligible=trim.relief_eligible,
        vessel_tax_exempt=trim.vessel_tax_exempt,
        commercial_insurance=commercial_insurance, accessories=accessories,
    )
