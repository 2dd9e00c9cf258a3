"""Funnel queries (KPI-1..4): conditional aggregation over the lead stamps, one scan per query.

Two bases: a *cohort* counts what became of the leads created in the period (rates compare like
with like); *activity* counts what happened in the period whatever the lead's age (the daily
report's "yesterday"). Both are scoped by the actor: a consultant or agent sees their own figures,
a dealer its own, a region its dealers, HQ all.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from django.db.models import Avg, Count, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import TruncDay, TruncMonth, TruncQuarter, TruncWeek, TruncYear
from django.utils import timezone

from autodcc.campaigns import codes
from autodcc.core.actors import Actor
from autodcc.core.roles import DEALER_MANAGERS, HANDED_ONLY_ROLES, Role
from autodcc.insights import kpi
from autodcc.insights.models import RateDefinition
from autodcc.leads.models import Capture, DefeatRequest, DefeatStatus, Lead, Status

STAMPS = {"contacted": "contacted_at", "invited": "invited_at", "arrived": "arrived_at",
          "test_driven": "test_driven_at", "ordered": "ordered_at", "delivered": "delivered_at",
          "defeated": "defeated_at"}

# 邀约到店 (DOMAIN.md §5): an arrival that followed an invitation; walk-ins are not counted
INVITED_ARRIVAL = Q(invited_at__isnull=False, invited_at__lte=F("arrived_at"))

GROUPS: dict[str, str] = {
    "channel": "channel", "campaign": "campaign__code", "dealer": "dealer_id", "agent": "agent_id",
    "consultant": "consultant_id", "city": "dealer__city_id", "region": "dealer__region_id",
}
PERIODS = {"day": TruncDay, "week": TruncWeek, "month": TruncMonth, "quarter": TruncQuarter, "year": TruncYear}


@dataclass
class Filters:
    date_from: dt.date
    date_to: dt.date  # inclusive
    basis: str = "cohort"
    channel: str = ""
    campaign: str = ""
    dealer_ids: list[int] = field(default_factory=list)
    region_id: int | None = None
    city_id: int | None = None
    agent_id: int | None = None
    consultant_id: int | None = None

    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        tz = timezone.get_current_timezone()
        start = dt.datetime.combine(self.date_from, dt.time.min, tz)
        end = dt.datetime.combine(self.date_to + dt.timedelta(days=1), dt.time.min, tz)
        return start, end


@dataclass
class Row:
    key: Any
    label: str
    counts: dict[str, int]
    first_response_minutes: Decimal | None = None
    rates: dict[str, Decimal | None] = field(default_factory=dict)


def scoped(actor: Actor) -> QuerySet[Lead]:
    """The leads whose figures the actor may read."""
    qs = Lead.objects.visible_to(actor)
    if actor.is_hq or actor.region_ids:
        return qs
    managers = DEALER_MANAGERS | {Role.DCC_SUPERVISOR}
    if actor.roles and not (actor.roles & managers):
        if actor.roles <= HANDED_ONLY_ROLES:
            return qs.filter(consultant_id=actor.staff_id)
        if Role.DCC_AGENT in actor.roles and not (actor.roles - {Role.DCC_AGENT} - HANDED_ONLY_ROLES):
            return qs.filter(Q(agent_id=actor.staff_id) | Q(consultant_id=actor.staff_id))
    return qs


def _filtered(actor: Actor, f: Filters) -> QuerySet[Lead]:
    qs = scoped(actor)
    if f.channel:
        qs = qs.filter(channel=f.channel)
    if f.campaign:
        qs = qs.filter(campaign__code=codes.clean(f.campaign))
    if f.dealer_ids:
        qs = qs.filter(dealer_id__in=f.dealer_ids)
    if f.region_id:
        qs = qs.filter(dealer__region_id=f.region_id)
    if f.city_id:
        qs = qs.filter(dealer__city_id=f.city_id)
    if f.agent_id:
        qs = qs.filter(agent_id=f.agent_id)
    if f.consultant_id:
        qs = qs.filter(consultant_id=f.consultant_id)
    return qs


def _aggregates(f: Filters) -> tuple[Q, dict[str, Any]]:
    start, end = f.bounds()
    in_sla = Q(first_response_at__isnull=False, first_response_at__lte=F("first_response_due_at"))
    if f.basis == "activity":
        def during(column: str) -> Q:
            return Q(**{f"{column}__gte": start, f"{column}__lt": end})

        created = during("created_at")
        where = created
        for column in STAMPS.values():
            where |= during(column)
        aggs: dict[str, Any] = {
            "leads": Count("pk", filter=created),
            "invalid": Count("pk", filter=created & Q(status=Status.INVALID)),
            "in_sla": Count("pk", filter=during("first_response_at") & in_sla),
            "frt": Avg("first_response_minutes", filter=during("first_response_at")),
        }
        for metric, column in STAMPS.items():
            cond = during(column)
            if metric == "defeated":
                cond &= Q(status=Status.DEFEATED)
            aggs[metric] = Count("pk", filter=cond)
        aggs["invited_arrived"] = Count("pk", filter=during("arrived_at") & INVITED_ARRIVAL)
        return where, aggs
    where = Q(created_at__gte=start, created_at__lt=end)
    aggs = {"leads": Count("pk"), "invalid": Count("pk", filter=Q(status=Status.INVALID)),
            "in_sla": Count("pk", filter=in_sla), "frt": Avg("first_response_minutes")}
    for metric, column in STAMPS.items():
        cond = Q(**{f"{column}__isnull": False})
        if metric == "defeated":
            cond = Q(status=Status.DEFEATED)
        aggs[metric] = Count("pk", filter=cond)
    aggs["invited_arrived"] = Count("pk", filter=Q(arrived_at__isnull=False) & INVITED_ARRIVAL)
    return where, aggs


# a repeat is counted under the channel and campaign it came from, not its lead's
_CAPTURE_OWN = {"channel": "channel", "campaign": "campaign"}


def _repeats(actor: Actor, f: Filters, group: str | None) -> dict[Any, int]:
    start, end = f.bounds()
    leads = _filtered(actor, replace(f, channel="", campaign="")).values("pk")
    qs = Capture.objects.filter(duplicate=True, at__gte=start, at__lt=end, lead__in=leads)
    if f.channel:
        qs = qs.filter(channel=f.channel)
    if f.campaign:
        qs = qs.filter(campaign=codes.clean(f.campaign))  # the code as the capture carried it
    if group is None:
        return {None: qs.count()}
    if group in PERIODS:
        key = PERIODS[group]("at")
        return {r["k"]: r["n"] for r in qs.annotate(k=key).values("k").annotate(n=Count("pk"))}
    column = _CAPTURE_OWN.get(group) or f"lead__{GROUPS[group]}"
    return {r["k"]: r["n"] for r in qs.values(k=F(column)).annotate(n=Count("pk"))}


def rate_definitions() -> tuple[kpi.RateDef, ...]:
    """The rates with their numerators and denominators (overrides kept 30 s per process)."""
    from autodcc.core import memo

    overrides = memo.remember("rate-definitions", 30, lambda: {r.code: r for r in RateDefinition.objects.all()})
    return tuple(kpi.RateDef(d.code, d.label, overrides[d.code].numerator, overrides[d.code].denominator)
                 if d.code in overrides else d for d in kpi.DEFAULT_RATES)


def funnel(*, actor: Actor, filters: Filters, group: str | None = None, with_repeats: bool = True) -> list[Row]:
    """Funnel counts (and rates) for the filtered leads, optionally grouped by a dimension or a
    period (day, week, month, quarter, year)."""
    if filters.basis == "activity" and group in PERIODS:
        return _activity_by_period(actor, filters, group, with_repeats)
    where, aggs = _aggregates(filters)
    qs = _filtered(actor, filters).filter(where)
    if group is None:
        results = [{"k": None, **qs.aggregate(**aggs)}]
    elif group in PERIODS:
        column = "created_at"
        results = list(qs.annotate(k=PERIODS[group](column)).values("k").annotate(**aggs).order_by("k"))
    else:
        results = list(qs.values(k=F(GROUPS[group])).annotate(**aggs).order_by("k"))
    repeats = _repeats(actor, filters, group) if with_repeats else {}
    present = {r["k"] for r in results}
    # a channel (or campaign, or period) whose only captures in the period were repeats still shows
    results += [{"k": k} for k in sorted((k for k in repeats if k not in present), key=str)]
    labels = _labels(group, [r["k"] for r in results])
    definitions = rate_definitions()
    rows: list[Row] = []
    for r in results:
        counts = {m: int(r.get(m) or 0) for m in ("leads", "invalid", "in_sla", "invited_arrived", *STAMPS)}
        counts["valid"] = counts["leads"] - counts["invalid"]
        counts["repeats"] = int(repeats.get(r["k"], 0))
        frt = r.get("frt")
        rows.append(Row(r["k"], labels.get(r["k"], str(r["k"]) if r["k"] is not None else "—"), counts,
                        Decimal(str(frt)).quantize(Decimal("0.1")) if frt is not None else None,
                        kpi.rates(counts, definitions)))
    return rows


@dataclass
class PersonRow:
    dealer_id: int
    staff_id: int
    role: str  # "agent" or "consultant"
    counts: dict[str, int]


def person_rows(*, actor: Actor, filters: Filters) -> list[PersonRow]:
    """Each person's figures at each dealer, as DCC agent and as consultant (two rows when both)."""
    where, aggs = _aggregates(filters)
    aggs.pop("frt")
    qs = _filtered(actor, filters).filter(where)
    rows: list[PersonRow] = []
    for role, column in (("agent", "agent_id"), ("consultant", "consultant_id")):
        for r in qs.exclude(**{column: None}).values("dealer_id", column).annotate(**aggs).order_by():
            counts = {m: int(r.get(m) or 0) for m in ("leads", "invalid", "in_sla", "invited_arrived", *STAMPS)}
            counts["valid"] = counts["leads"] - counts["invalid"]
            rows.append(PersonRow(r["dealer_id"], r[column], role, counts))
    return rows


def period_buckets(date_from: dt.date, date_to: dt.date, unit: str) -> list[tuple[dt.date, dt.date]]:
    """The calendar buckets (day, week from Monday, month, quarter, year) covering the range."""
    buckets: list[tuple[dt.date, dt.date]] = []
    day = date_from
    while day <= date_to:
        if unit == "day":
            start, end = day, day
        elif unit == "week":
            start = day - dt.timedelta(days=day.weekday())
            end = start + dt.timedelta(days=6)
        elif unit == "month":
            start = day.replace(day=1)
            end = (start + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
        elif unit == "quarter":
            start = day.replace(month=3 * ((day.month - 1) // 3) + 1, day=1)
            end = (start + dt.timedelta(days=95)).replace(day=1) - dt.timedelta(days=1)
        else:
            start, end = day.replace(month=1, day=1), day.replace(month=12, day=31)
        buckets.append((max(start, date_from), min(end, date_to)))
        day = end + dt.timedelta(days=1)
    return buckets


def _activity_by_period(actor: Actor, filters: Filters, unit: str, with_repeats: bool) -> list[Row]:
    from dataclasses import replace

    rows = []
    for start, end in period_buckets(filters.date_from, filters.date_to, unit):
        row = funnel(actor=actor, filters=replace(filters, date_from=start, date_to=end), with_repeats=with_repeats)[0]
        row.key, row.label = start, start.isoformat() if unit != "month" else start.strftime("%Y-%m")
        rows.append(row)
    return rows


def totals(rows: Iterable[Row]) -> dict[str, int]:
    out: dict[str, int] = {}
    for row in rows:
        for metric, n in row.counts.items():
            out[metric] = out.get(metric, 0) + n
    return out


def _labels(group: str | None, keys: list[Any]) -> dict[Any, str]:
    from autodcc.leads.models import Channel
    from autodcc.network.models import City, Dealer, Region, Staff

    if group == "channel":
        return {k: str(Channel(k).label) if k in Channel.values else k for k in keys}
    if group == "campaign":
        from autodcc.campaigns.models import Campaign

        names = dict(Campaign.objects.filter(code__in=[k for k in keys if k]).values_list("code", "name"))
        return {k: f"{names[k]}（{k}）" if k in names else (k or "—") for k in keys}
    if group == "dealer":
        return {d.pk: f"{d.code} {d}" for d in Dealer.objects.filter(pk__in=[k for k in keys if k])}
    if group in ("agent", "consultant"):
        return {s.pk: s.name for s in Staff.objects.filter(pk__in=[k for k in keys if k])}
    if group == "city":
        return {c.pk: c.name for c in City.objects.filter(pk__in=[k for k in keys if k])}
    if group == "region":
        return {r.pk: r.name for r in Region.objects.filter(pk__in=[k for k in keys if k])}
    if group in PERIODS:
        def label(k: Any) -> str:
            if not isinstance(k, dt.datetime):
                return str(k)
            local = timezone.localtime(k)
            if group == "quarter":
                return f"{local.year}-Q{(local.month - 1) // 3 + 1}"
            return local.strftime({"day": "%Y-%m-%d", "week": "%Y-%m-%d", "month": "%Y-%m", "year": "%Y"}[group])

        return {k: label(k) for k in keys}
    return {k: (k or "—") for k in keys}


def defeat_pareto(*, actor: Actor, filters: Filters, kind: str = "defeat") -> list[dict[str, Any]]:
    """Leads whose defeat (or, with ``kind="invalid"``, invalidity) was approved in the period, by
    reason, most frequent first, with the cumulative share (KPI-4): what the manager decided this
    month, whenever the lead arrived."""
    start, end = filters.bounds()
    approved = DefeatRequest.objects.filter(status=DefeatStatus.APPROVED, kind=kind, decided_at__gte=start,
                                            decided_at__lt=end, lead__in=_filtered(actor, filters).values("pk"))
    rows = list(approved.values("reason", "kind").annotate(n=Count("lead_id", distinct=True)).order_by("-n", "reason"))
    total = sum(r["n"] for r in rows) or 1
    running = 0
    from autodcc.leads.models import DefeatReason

    for r in rows:
        running += r["n"]
        r["label"] = str(DefeatReason(r["reason"]).label)
        r["share"] = kpi.rate(r["n"], total)
        r["cumulative"] = kpi.rate(running, total)
    return rows


def defeated_leads(*, actor: Actor, filters: Filters, reason: str, kind: str = "") -> QuerySet[Lead]:
    """The drill-down behind a Pareto bar: the leads (in the actor's scope and the analysis'
    filters) whose defeat or invalidation for ``reason`` was approved in the period, newest first."""
    start, end = filters.bounds()
    decided = DefeatRequest.objects.filter(status=DefeatStatus.APPROVED, reason=reason, decided_at__gte=start,
                                           decided_at__lt=end)
    if kind:
        decided = decided.filter(kind=kind)
    latest = decided.filter(lead=OuterRef("pk")).order_by("-decided_at")
    return (_filtered(actor, filters).filter(pk__in=decided.values("lead_id"))
            .select_related("dealer", "customer", "agent", "consultant")
            .annotate(decided_at=Subquery(latest.values("decided_at")[:1]),
                      competitor=Subquery(latest.values("competitor_brand")[:1]))
            .order_by("-decided_at", "-pk"))
