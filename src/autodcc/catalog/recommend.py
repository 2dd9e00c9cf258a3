"""Recommendation (CAT-6): stated needs → trims ranked, each with the reasons for its place."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

NEV = {"phev", "erev", "bev", "fcev"}


@dataclass(frozen=True)
class TrimFacts:
    id: int
    name: str
    price: Decimal
    seats: int
    energy: str
    uses: frozenset[str]
    features: frozenset[str]
    range_km: int | None = None


@dataclass(frozen=True)
class Needs:
    budget: Decimal | None = None  # the most they want to pay (offer price)
    seats: int | None = None  # at least
    energy: str = "any"  # any, nev, bev, phev, ice …
    use: str = ""  # commute, family, long_trip, business
    must_have: frozenset[str] = frozenset()


@dataclass
class Ranked:
    trim: TrimFacts
    score: int
    fits: bool  # meets every hard need (seats, must-haves, budget)
    reasons: list[str] = field(default_factory=list)
    misses: int = 0  # soft needs it falls short of (energy, use, slightly over budget)

    @property
    def recommended(self) -> bool:
        """A match worth the "recommended" badge: every need met, hard and soft, and at least one
        stated (with no need stated there is nothing to recommend against)."""
        return self.fits and not self.misses and bool(self.reasons)


def _energy_matches(wanted: str, energy: str) -> bool:
    return wanted in ("", "any") or (wanted == "nev" and energy in NEV) or wanted == energy


def rank(trims: list[TrimFacts], needs: Needs) -> list[Ranked]:
    """Trims that meet every hard need first, then by score; ties by price (cheaper first)."""
    out: list[Ranked] = []
    for t in trims:
        r = Ranked(t, 0, True)
        if needs.seats and t.seats < needs.seats:
            r.fits = False
            r.reasons.append(_("Only %(n)s seats") % {"n": t.seats})
        elif needs.seats:
            r.score += 20
            r.reasons.append(_("%(n)s seats") % {"n": t.seats})
        missing = needs.must_have - t.features
        if missing:
            r.fits = False
            r.reasons.append(_("Lacks %(n)s of your must-haves") % {"n": len(missing)})
        elif needs.must_have:
            r.score += 30
            r.reasons.append(_("Has all your must-haves"))
        if needs.budget is not None:
            if t.price <= needs.budget:
                r.score += 30 + int(10 * (needs.budget - t.price) / max(needs.budget, Decimal(1)))
                r.reasons.append(_("Within your budget"))
            elif t.price <= needs.budget * Decimal("1.1"):
                r.score += 5
                r.misses += 1
                r.reasons.append(_("Slightly above your budget"))
            else:
                r.fits = False
                r.reasons.append(_("Above your budget"))
        if _energy_matches(needs.energy, t.energy):
            if needs.energy not in ("", "any"):
                r.score += 15
                r.reasons.append(_("The energy type you want"))
        else:
            r.score -= 15
            r.misses += 1
            r.reasons.append(_("Not the energy type you want"))
        if needs.use and needs.use in t.uses:
            r.score += 10
            r.reasons.append(_("Suits your use"))
        elif needs.use:
            r.misses += 1
            r.reasons.append(_("Less suited to your use"))
        if needs.use == "long_trip" and t.range_km and t.range_km >= 600:
            r.score += 5
            r.reasons.append(_("Long range: %(km)s km") % {"km": t.range_km})
        out.append(r)
    out.sort(key=lambda r: (not r.fits, -r.score, r.trim.price, r.trim.id))
    return out
