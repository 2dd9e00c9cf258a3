"""Dealer allocation (LEAD-3): the chosen dealer; else the dealers of the consumer's city, evenly;
else the nearest dealer by distance between city centres."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import F

from autodcc.core.errors import DomainError
from autodcc.leads import rules
from autodcc.leads.models import AllocationReason, CityLedger
from autodcc.network.models import City, Dealer


@dataclass(frozen=True)
class Allocated:
    dealer: Dealer
    reason: str
    distance_km: Decimal | None = None


def dealer_for_choice(value: Dealer | str | int) -> Dealer:
    if isinstance(value, Dealer):
        dealer = value
    else:
        text = str(value).strip()
        dealer = Dealer.objects.filter(code__iexact=text).first()
        if dealer is None and text.isdigit():
            dealer = Dealer.objects.filter(pk=int(text)).first()
        if dealer is None:
            raise DomainError("lead.dealer_unknown", field="dealer", value=text)
    if not dealer.is_active:
        raise DomainError("lead.dealer_inactive", field="dealer", value=dealer.code)
    return dealer


def allocate(*, city: City | None, chosen: Dealer | None = None) -> Allocated:
    """Pick the dealer for a new lead. Call inside a transaction: the city ledger is row-locked."""
    if chosen is not None:
        return Allocated(chosen, AllocationReason.CHOSEN)
    if city is None:
        raise DomainError("lead.city_required", field="city")
    local = list(Dealer.objects.filter(city=city, is_active=True).order_by("pk"))
    if local:
        return Allocated(take_from_ledger(city, local), AllocationReason.CITY)
    active = Dealer.objects.filter(is_active=True).select_related("city")
    candidates = [(d.pk, float(d.city.lat), float(d.city.lng)) for d in active]
    if not candidates:
        raise DomainError("lead.no_dealer")
    ids, km = rules.nearest_ids(float(city.lat), float(city.lng), candidates)
    nearest = [d for d in active if d.pk in ids]
    return Allocated(take_from_ledger(city, nearest), AllocationReason.NEAREST, Decimal(f"{km:.1f}"))


def take_from_ledger(city: City, dealers: list[Dealer]) -> Dealer:
    """Give the lead to the dealer with the fewest leads of this city so far and count it. A dealer
    new to the ledger starts level with the least-served one, not at zero."""
    ids = sorted(d.pk for d in dealers)
    locked = _lock_rows(city, ids)
    if len(locked) < len(ids):
        floor = min(locked.values(), default=0)
        CityLedger.objects.bulk_create([CityLedger(city=city, dealer_id=pk, count=floor) for pk in ids
                                        if pk not in locked], ignore_conflicts=True)
        locked = _lock_rows(city, ids)
    pick = rules.choose_even(locked)
    CityLedger.objects.filter(city=city, dealer_id=pick).update(count=F("count") + 1)
    return next(d for d in dealers if d.pk == pick)


def _lock_rows(city: City, ids: list[int]) -> dict[int, int]:
    rows = CityLedger.objects.select_for_update().filter(city=city, dealer_id__in=ids).order_by("dealer_id")
    return dict(rows.values_list("dealer_id", "count"))
