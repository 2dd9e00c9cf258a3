"""The DCC funnel's metrics and rates (KPI-1, DOMAIN.md §5): plain functions over plain counts.

Every rate names its numerator and denominator, so the screen can say what it divides by; the
defaults follow one dealer CRM and each can be redefined (``RateDefinition`` rows override them).
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# Metrics counted for a cohort of leads (by creation date) or as events (by the stage's date).
METRICS: dict[str, Promise] = {
    "leads": _("Leads"),
    "repeats": _("Repeat enquiries"),
    "invalid": _("Invalid leads"),
    "valid": _("Valid leads"),
    "contacted": _("Contacted"),
    "in_sla": _("First response within SLA"),
    "invited": _("Invited"),
    "arrived": _("Arrived"),
    "invited_arrived": _("Arrived when invited"),
    "test_driven": _("Test-driven"),
    "ordered": _("Ordered"),
    "delivered": _("Delivered"),
    "defeated": _("Defeated (approved)"),
}
# The funnel's stages in order; the "weakest stage" is looked for between consecutive ones.
STAGES = ("valid", "contacted", "invited", "arrived", "test_driven", "ordered", "delivered")


@dataclass(frozen=True)
class RateDef:
    code: str
    label: Promise | str
    numerator: str
    denominator: str


DEFAULT_RATES: tuple[RateDef, ...] = (
    RateDef("valid_rate", _("Valid-lead rate (线索有效率)"), "valid", "leads_and_repeats"),
    RateDef("sla_rate", _("Responded in time (响应及时率)"), "in_sla", "valid"),
    RateDef("contact_rate", _("Follow-up rate (跟进率)"), "contacted", "valid"),
    RateDef("invite_rate", _("Invitation rate (邀约率)"), "invited", "valid"),
    RateDef("arrival_rate", _("Invited-arrival rate (邀约到店率)"), "invited_arrived", "invited"),
    RateDef("test_drive_rate", _("Test-drive rate (试驾率)"), "test_driven", "arrived"),
    RateDef("close_rate", _("Arrival-to-order rate (到店成交率)"), "ordered", "arrived"),
    RateDef("lead_close_rate", _("Lead-to-order rate (线索成交率)"), "ordered", "valid"),
    RateDef("delivery_rate", _("Delivery rate (交车率)"), "delivered", "ordered"),
    RateDef("defeat_rate", _("Defeat rate (战败率)"), "defeated", "valid"),
)
# denominators that are sums of metrics
COMPOSITE = {"leads_and_repeats": ("leads", "repeats")}
DENOMINATOR_LABELS: dict[str, Promise] = {"leads_and_repeats": _("Leads + repeat enquiries")}


def value(counts: Mapping[str, int], metric: str) -> int:
    if metric in COMPOSITE:
        return sum(int(counts.get(m, 0)) for m in COMPOSITE[metric])
    return int(counts.get(metric, 0))


def rate(numerator: int, denominator: int) -> Decimal | None:
    """A percentage with one decimal; None when there is nothing to divide by."""
    if denominator <= 0:
        return None
    return (Decimal(numerator) * 100 / Decimal(denominator)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def rates(counts: Mapping[str, int], definitions: tuple[RateDef, ...] = DEFAULT_RATES) -> dict[str, Decimal | None]:
    return {d.code: rate(value(counts, d.numerator), value(counts, d.denominator)) for d in definitions}


def label_of(metric: str) -> str:
    return str(METRICS.get(metric) or DENOMINATOR_LABELS.get(metric) or metric)


def operand_label(metric: str) -> str:
    """The metric's name as one side of a division: a sum in brackets ('÷ (leads + repeats)')."""
    label = label_of(metric)
    return f"({label})" if metric in COMPOSITE else label


def formula(numerator: str, denominator: str) -> str:
    """'invited ÷ valid leads', with a sum bracketed."""
    return f"{operand_label(numerator)} ÷ {operand_label(denominator)}"


# a step whose numerator is narrower than the next stage: of the invited, those who came when invited
STEP_NUMERATORS = {("invited", "arrived"): "invited_arrived"}


def stage_conversions(counts: Mapping[str, int]) -> dict[str, Decimal | None]:
    """Conversion from each stage to the next ('invited→arrived': invited arrivals ÷ invited)."""
    return {f"{a}>{b}": rate(value(counts, STEP_NUMERATORS.get((a, b), b)), value(counts, a))
            for a, b in itertools.pairwise(STAGES)}


def weakest_stage(counts: Mapping[str, int], benchmark: Mapping[str, int], *, min_base: int = 5) -> str | None:
    """The step where the dealer falls furthest below the benchmark's conversion (in percentage
    points), among steps with enough leads to judge; None when it is nowhere below."""
    mine, ref = stage_conversions(counts), stage_conversions(benchmark)
    worst, gap = None, Decimal(0)
    for step, my_rate in mine.items():
        base = value(counts, step.split(">")[0])
        if my_rate is None or ref.get(step) is None or base < min_base:
            continue
        shortfall = ref[step] - my_rate
        if shortfall > gap:
            worst, gap = step, shortfall
    return worst


def average(rows: list[Mapping[str, int]]) -> dict[str, Decimal]:
    """The mean of each metric over several units (dealers): a 'national/city/region average'."""
    if not rows:
        return {}
    return {m: (Decimal(sum(int(r.get(m, 0)) for r in rows)) / len(rows)).quantize(Decimal("0.1"))
            for m in METRICS}
