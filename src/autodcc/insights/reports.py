"""Daily and monthly reports (KPI-2) and comparisons with averages (KPI-3)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext

from autodcc.core.actors import SYSTEM, Actor
from autodcc.core.roles import DEALER_MANAGERS, Role
from autodcc.insights import kpi
from autodcc.insights.models import DEFAULT_THRESHOLDS, MonthlyTarget, PlatformScore
from autodcc.insights.queries import Filters, PersonRow, funnel, person_rows
from autodcc.messaging.models import Event
from autodcc.messaging.rendering import message_language
from autodcc.network.models import Dealer, Staff


def month_range(day: dt.date) -> tuple[dt.date, dt.date]:
    start = day.replace(day=1)
    end = (start + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    return start, end


@dataclass
class DailyReport:
    dealer: Dealer
    day: dt.date
    yesterday: dict[str, int]
    month_to_date: dict[str, int]
    target: dict[str, int]
    attainment: dict[str, Decimal | None]
    people: list[PersonRow] = field(default_factory=list)
    weakest: str | None = None
    rates: dict[str, Decimal | None] = field(default_factory=dict)

    def summary(self) -> str:
        y = self.yesterday
        return gettext("New leads %(leads)s, invited %(invited)s, arrived %(arrived)s, ordered %(ordered)s, "
                       "delivered %(delivered)s; orders this month %(month)s/%(target)s") % {
            **{k: y[k] for k in ("leads", "invited", "arrived", "ordered", "delivered")},
            "month": self.month_to_date["ordered"], "target": self.target.get("orders", "-")}


def _by_dealer(actor: Actor, f: Filters) -> dict[int, dict[str, int]]:
    return {r.key: r.counts for r in funnel(actor=actor, filters=f, group="dealer", with_repeats=False)}


def daily_reports(*, day: dt.date, dealers: list[Dealer] | None = None, actor: Actor = SYSTEM,
                  with_people: bool = True) -> list[DailyReport]:
    """Yesterday's numbers (activity on ``day``), month to date and target attainment for each
    dealer, computed with a handful of grouped queries however many dealers there are."""
    everyone = dealers is None
    dealers = dealers if dealers is not None else list(Dealer.objects.filter(is_active=True).order_by("code"))
    # every dealer: no id list (the planner reads the stage-date indexes instead of scanning)
    ids = [] if everyone else [d.pk for d in dealers]
    start, _end = month_range(day)
    yesterday = _by_dealer(actor, Filters(day, day, basis="activity", dealer_ids=ids))
    mtd = _by_dealer(actor, Filters(start, day, basis="activity", dealer_ids=ids))
    cohort = _by_dealer(actor, Filters(start, day, basis="cohort", dealer_ids=ids))
    # the benchmark is the whole brand's month so far, whoever the report is for
    national = funnel(actor=SYSTEM, filters=Filters(start, day), with_repeats=False)[0].counts
    targets = {t.dealer_id: t for t in MonthlyTarget.objects.filter(dealer_id__in=[d.pk for d in dealers], month=start,
                                                                     staff__isnull=True)}
    people: dict[int, list[PersonRow]] = {}
    if with_people:
        for row in person_rows(actor=actor, filters=Filters(day, day, basis="activity", dealer_ids=ids)):
            people.setdefault(row.dealer_id, []).append(row)
    empty = {m: 0 for m in kpi.METRICS}
    reports = []
    for dealer in dealers:
        target = targets.get(dealer.pk)
        target_counts = {"leads": target.leads, "arrivals": target.arrivals, "orders": target.orders} if target else {}
        month = mtd.get(dealer.pk, empty)
        attainment = {"leads": kpi.rate(month.get("leads", 0), target_counts.get("leads", 0)),
                      "arrivals": kpi.rate(month.get("arrived", 0), target_counts.get("arrivals", 0)),
                      "orders": kpi.rate(month.get("ordered", 0), target_counts.get("orders", 0))}
        mine = cohort.get(dealer.pk, empty)
        reports.append(DailyReport(
            dealer=dealer, day=day, yesterday=yesterday.get(dealer.pk, dict(empty)), month_to_date=dict(month),
            target=target_counts, attainment=attainment,
            people=people.get(dealer.pk, []),
            weakest=kpi.weakest_stage(mine, national), rates=kpi.rates(mine)))
    return reports


def _pooled(rows: Any) -> dict[str, int]:
    out: dict[str, int] = {}
    for counts in rows:
        for metric, n in counts.items():
            out[metric] = out.get(metric, 0) + n
    return out


@dataclass
class Comparison:
    dealer: Dealer
    counts: dict[str, int]
    rates: dict[str, Decimal | None]
    national: dict[str, Decimal]
    city: dict[str, Decimal]
    region: dict[str, Decimal]
    national_rates: dict[str, Decimal | None]
    weakest: str | None
    below_national: list[str]


def compare_dealers(*, actor: Actor, month: dt.date, dealers: list[Dealer]) -> list[Comparison]:
    """Each dealer (of those the actor may see) against the brand's national average, its city's
    and its region's (counts per dealer), with the weakest funnel step against the national
    conversion flagged. Averages are brand figures: no other dealer's own numbers are shown."""
    visible = set(Dealer.objects.visible_to(actor).filter(pk__in=[d.pk for d in dealers]).values_list("pk", flat=True))
    dealers = [d for d in dealers if d.pk in visible]
    start, end = month_range(month)
    everyone = _by_dealer(SYSTEM, Filters(start, end))
    all_dealers = {d.pk: d for d in Dealer.objects.filter(is_active=True)}
    empty = {m: 0 for m in kpi.METRICS}
    rows = {pk: everyone.get(pk, dict(empty)) for pk in all_dealers}
    national_avg = kpi.average(list(rows.values()))
    pooled = _pooled(rows.values())
    by_city: dict[int, list[dict[str, int]]] = {}
    by_region: dict[int, list[dict[str, int]]] = {}
    for pk, counts_of in rows.items():
        by_city.setdefault(all_dealers[pk].city_id, []).append(counts_of)
        by_region.setdefault(all_dealers[pk].region_id, []).append(counts_of)
    city_avg = {k: kpi.average(v) for k, v in by_city.items()}
    region_avg = {k: kpi.average(v) for k, v in by_region.items()}
    out = []
    for dealer in dealers:
        counts = rows.get(dealer.pk, dict(empty))
        city = city_avg.get(dealer.city_id, {})
        region = region_avg.get(dealer.region_id, {})
        out.append(Comparison(dealer, counts, kpi.rates(counts), national_avg, city, region, kpi.rates(pooled),
                              kpi.weakest_stage(counts, pooled),
                              [m for m in ("leads", "invited", "arrived", "ordered")
                               if Decimal(counts.get(m, 0)) < national_avg.get(m, Decimal(0))]))
    return out


def platform_scores(*, actor: Actor, month: dt.date) -> list[PlatformScore]:
    return list(PlatformScore.objects.visible_to(actor).filter(month=month.replace(day=1))
                .select_related("dealer").order_by("dealer__code", "platform"))


def platform_score_save(*, actor: Actor, dealer: Dealer, platform: str, month: dt.date, score: Decimal,
                        threshold: Decimal | None = None) -> PlatformScore:
    from autodcc.core import audit
    from autodcc.core.errors import DomainError, Forbidden

    if not actor.can("insights.scores", dealer=dealer):
        raise Forbidden("forbidden")
    if not Decimal(0) <= score <= Decimal(100):
        raise DomainError("insights.score_invalid", field="score")
    with transaction.atomic():
        row, _created = PlatformScore.objects.update_or_create(
            dealer=dealer, platform=platform, month=month.replace(day=1),
            defaults={"score": score, "threshold": threshold or DEFAULT_THRESHOLDS.get(platform, Decimal("85")),
                      "entered_by_label": actor.label})
        audit.record(actor=actor, action="platform_score.save", obj=row, after=audit.snapshot(row))
    return row


def send_daily_reports(*, day: dt.date | None = None) -> int:
    """Each morning: yesterday's report to every active dealer's GM, sales manager and DCC supervisor."""
    from autodcc.messaging.services import message_send

    day = day or (timezone.localdate() - dt.timedelta(days=1))
    sent = 0
    for report in daily_reports(day=day, with_people=False):
        recipients = Staff.objects.filter(grants__dealer=report.dealer, user__is_active=True,
                                          grants__role__in=[*DEALER_MANAGERS, Role.DCC_SUPERVISOR]).exclude(phone="")
        with message_language():
            summary = report.summary()
        for person in recipients.distinct():
            message_send(event=Event.DAILY_REPORT, to_phone=person.phone, to_staff_id=person.pk, dealer=report.dealer,
                         context={"staff": person.name, "dealer": str(report.dealer), "date": day.strftime("%m-%d"),
                                  "summary": summary})
            sent += 1
    return sent


__all__ = ["Q"]
