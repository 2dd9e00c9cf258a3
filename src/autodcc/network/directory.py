"""The dealer and city directory the lead pipeline reads on every capture: every dealer's code,
city, city centre and opening hours, and the city rows by administrative code, kept per process
for a few seconds (dealers change rarely, cities never).

Whether a dealer is *active* is never decided from here for a lead: the capture re-reads that in
its own statements. A code the directory does not know makes it reload once (a dealer created a
moment ago), and the network services forget it when they change a dealer.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from autodcc.core import memo, workhours
from autodcc.core.geo import CityInfo

KEY = "dealer-directory"
TTL = 30.0


@dataclass(frozen=True, slots=True)
class DealerInfo:
    id: int
    code: str
    name: str
    short_name: str
    region_id: int
    city_id: int
    lat: float  # the dealer's city centre: distances between dealers and consumers are between cities
    lng: float
    opens_at: dt.time
    closes_at: dt.time
    open_weekdays: str
    is_active: bool

    @property
    def label(self) -> str:
        return self.short_name or self.name

    @property
    def hours(self) -> workhours.OpeningHours:
        return workhours.OpeningHours(self.opens_at, self.closes_at, self.open_weekdays)


@dataclass
class Directory:
    by_id: dict[int, DealerInfo] = field(default_factory=dict)
    by_code: dict[str, DealerInfo] = field(default_factory=dict)

    def find(self, text: str) -> DealerInfo | None:
        """A dealer by its code (any case) or its id."""
        found = self.by_code.get(text.upper())
        if found is None and text.isdigit():
            found = self.by_id.get(int(text))
        return found

    def active(self) -> list[DealerInfo]:
        return [d for d in self.by_id.values() if d.is_active]

    def active_in(self, city_id: int) -> list[DealerInfo]:
        return [d for d in self.by_id.values() if d.is_active and d.city_id == city_id]


def _load() -> Directory:
    from autodcc.network.models import Dealer

    directory = Directory()
    rows = Dealer.objects.order_by("pk").values_list(
        "pk", "code", "name", "short_name", "region_id", "city_id", "city__lat", "city__lng", "opens_at", "closes_at",
        "open_weekdays", "is_active")
    for pk, code, name, short, region, city, lat, lng, opens, closes, days, active in rows:
        info = DealerInfo(pk, code, name, short, region, city, float(lat), float(lng), opens, closes, days, active)
        directory.by_id[pk] = info
        directory.by_code[code.upper()] = info
    return directory


def dealers() -> Directory:
    return memo.remember(KEY, TTL, _load)


def find_dealer(text: str) -> DealerInfo | None:
    """A dealer by code or id; an unknown one makes the directory reload once."""
    text = text.strip()
    found = dealers().find(text)
    if found is None:
        forget()
        found = dealers().find(text)
    return found


def forget() -> None:
    memo.forget(KEY)


@dataclass(frozen=True, slots=True)
class CityRef:
    id: int
    adcode: str
    name: str
    lat: float
    lng: float


def city(info: CityInfo) -> CityRef:
    """The City row of a looked-up city. One created just now from the shipped data (in a
    transaction not yet committed) is not kept: other threads could not see it yet."""
    key = ("city", info.adcode)
    found = memo.peek(key)
    if found is not None:
        return found  # type: ignore[no-any-return]
    from autodcc.network.models import City
    from autodcc.network.services import city_for

    row = City.objects.filter(adcode=info.adcode).first()
    if row is None:
        row = city_for(info.adcode)
        return CityRef(row.pk, row.adcode, row.name, float(row.lat), float(row.lng))
    ref = CityRef(row.pk, row.adcode, row.name, float(row.lat), float(row.lng))
    memo.remember(key, 300.0, lambda: ref)
    return ref
