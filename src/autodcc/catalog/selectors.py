"""Reads for the store: the range, a trim's page, comparison, recommendation, price figures."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Min, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from autodcc.catalog import pricing, recommend
from autodcc.catalog.models import CarModel, Colour, Edition, Photo, Series, SpecValue, Trim


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


# --- a model named in free text (an owner's car added by hand) --------------------------------------------

_SEPARATORS = re.compile(r"[\s·•・\-_/,，、()（）\[\]【】]+")
_WORDS = re.compile(r"[a-z0-9.]+|[^a-z0-9.]+")  # runs of Latin letters and digits, and of anything else (汉字)


def name_key(text: str) -> str:
    """A name as compared: full-width folded to half-width (ＳＴ → st), case ignored, spaces and
    separators dropped: "澜川 S7", "澜川S7" and "澜川·ｓ７" are one key."""
    return _SEPARATORS.sub("", unicodedata.normalize("NFKC", text or "").casefold())


def name_words(text: str) -> set[str]:
    """The words of a name, split at spaces and where letters and digits meet Chinese characters:
    "澜川S7 2026款" → {澜川, s7, 2026, 款}."""
    folded = unicodedata.normalize("NFKC", text or "").casefold()
    words = {word.strip(".") for part in _SEPARATORS.split(folded) for word in _WORDS.findall(part)}
    return words - {""}


def model_named(text: str) -> CarModel | None:
    """The catalogue model a free-text name means, forgiving of width, spaces and case: its full
    name, or its series' name followed by its own ("澜川 S7" + "纯电 2026款"); else the one model
    whose series and model names hold every word typed ("s7 增程", "S7 2026款" when the series has
    one model of that year). A name that fits several models (just "S7" when the series has a
    battery and a range-extender model) matches none: staff choose the trim instead."""
    key = name_key(text)
    if not key:
        return None
    models = list(CarModel.objects.select_related("series").order_by("-year", "pk"))
    for model in models:  # the newest model year first, as the exact name match always did
        if key in (name_key(model.name), name_key(f"{model.series.name} {model.name}")):
            return model
    words = name_words(text)
    found = [m for m in models
             if words <= name_words(m.name) | name_words(m.series.name) | {m.series.code.casefold()}]
    return found[0] if len(found) == 1 else None


def trims_to_choose(*, keep: Trim | None = None) -> list[tuple[str, list[tuple[str, str]]]]:
    """The catalogue as a grouped choice: each model's trims on sale, by series and model order
    (plus ``keep``, a car's trim no longer on sale, so that editing the car keeps it)."""
    trims = Trim.objects.filter(is_active=True).select_related("model__series")
    if keep is not None:
        trims = trims | Trim.objects.filter(pk=keep.pk).select_related("model__series")
    groups: dict[int, tuple[str, list[tuple[str, str]]]] = {}
    for trim in trims.order_by("model__series__sort", "model__series__code", "model__sort", "model__code", "sort",
                               "code"):
        group = groups.setdefault(trim.model_id, (str(trim.model), []))
        label = trim.name if trim.is_active else gettext("%(trim)s (no longer on sale)") % {"trim": trim.name}
        group[1].append((str(trim.pk), label))
    return list(groups.values())
