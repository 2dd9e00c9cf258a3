"""Chinese cities (administrative codes, GCJ-02 city centres) and distances between them.

The data ships in ``data/cn_cities.csv``; its coordinates come from Vonng/adcode (CC BY 4.0,
derived from Amap), see ``data/NOTICE.md``.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import TypeVar

from autodcc.core.errors import DomainError

DATA_FILE = Path(__file__).with_name("data") / "cn_cities.csv"
EARTH_RADIUS_KM = 6371.0088
DATUM = "GCJ-02"


@dataclass(frozen=True, slots=True)
class CityInfo:
    adcode: str
    name: str
    province: str
    level: str
    lng: Decimal
    lat: Decimal

    @property
    def province_code(self) -> str:
        return self.adcode[:2] + "0000"


@cache
def all_cities() -> dict[str, CityInfo]:
    with DATA_FILE.open(encoding="utf-8") as fh:
        return {
            row["adcode"]: CityInfo(
                adcode=row["adcode"],
                name=row["name"],
                province=row["province"],
                level=row["level"],
                lng=Decimal(row["lng_gcj02"]),
                lat=Decimal(row["lat_gcj02"]),
            )
            for row in csv.DictReader(fh)
        }


@cache
def _by_name() -> dict[str, CityInfo]:
    index: dict[str, CityInfo] = {}
    for info in all_cities().values():
        index.setdefault(info.name, info)
        for suffix in ("市", "地区", "自治州", "盟"):
            if info.name.endswith(suffix) and len(info.name) > len(suffix) + 1:
                index.setdefault(info.name[: -len(suffix)], info)
    return index


def lookup_city(value: str, *, field: str = "city") -> CityInfo:
    """A city by its 6-digit code or its name (``广州``, ``广州市``); unknown → a clear error.
    A district or county code (``310115`` 浦东新区, ``440305`` 南山区) and a municipality's
    city-level code (``310100``) name the city they belong to, as platforms send them."""
    text = (value or "").strip()
    info = all_cities().get(text) or _by_name().get(text)
    if info is None and len(text) == 6 and text.isdigit():
        info = all_cities().get(text[:4] + "00") or all_cities().get(text[:2] + "0000")
    if info is None:
        raise DomainError("city.unknown", field=field, value=text)
    return info


def haversine_km(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlmb = math.radians(lng2 - lng1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


T = TypeVar("T")


def nearest(lat: float, lng: float, candidates: Iterable[tuple[T, float, float]]) -> T | None:
    """The candidate ``(item, lat, lng)`` closest to the point; ties go to the first given."""
    best: T | None = None
    best_km = math.inf
    for item, c_lat, c_lng in candidates:
        km = haversine_km(lat, lng, c_lat, c_lng)
        if km < best_km:
            best, best_km = item, km
    return best
