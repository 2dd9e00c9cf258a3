"""Planning and running campaigns (CMP-1, CMP-2, CMP-8). A dealer's managers plan their dealer's
campaigns, a regional manager the region's, HQ marketing the brand's; a plan is fixed a month
before it starts, after which a manager approves each change with a reason. Every change is
audited; the leads that carried a campaign's code give its actuals."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import IntegrityError, models, transaction
from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from autodcc.campaigns import codes
from autodcc.campaigns.models import BudgetLine, Campaign, ChannelCost, DayNote, Task
from autodcc.core import audit
from autodcc.core.actors import Actor
from autodcc.core.errors import DomainError, Forbidden, Invalid

PLAN_FIELDS = ("starts_on", "ends_on", "target_leads", "target_arrivals", "target_test_drives", "target_deals")


def may_manage(actor: Actor, campaign: Campaign) -> bool:
    if campaign.dealer_id:
        return actor.can("campaigns.manage", dealer=campaign.dealer)
    if campaign.region_id:
        return actor.can("campaigns.manage") and (actor.is_hq or campaign.region_id in actor.region_ids)
    return actor.is_hq and actor.can("campaigns.manage")


def _may_approve(actor: Actor, campaign: Campaign) -> bool:
    if campaign.dealer_id:
        return actor.can("campaigns.approve", dealer=campaign.dealer)
    return may_manage(actor, campaign) and actor.can("campaigns.approve")


def _require(actor: Actor, campaign: Campaign) -> None:
    if not may_manage(actor, campaign):
        raise Forbidden("forbidden")


def _fixed_change(actor: Actor, campaign: Campaign, before: dict[str, Any] | None, after: dict[str, Any],
                  reason: str) -> bool:
    """A change of a fixed plan's dates or targets: only a manager, only with a reason."""
    if before is None or not Campaign(starts_on=dt.date.fromisoformat(before["starts_on"])).is_fixed():
        return False
    if not any(before.get(f) != after.get(f) for f in PLAN_FIELDS):
        return False
    if not _may_approve(actor, campaign):
        raise DomainError("campaign.fixed", day=campaign.fixed_on.isoformat())
    if not reason.strip():
        raise DomainError("campaign.reason_required", field="reason")
    return True


@transaction.atomic
def campaign_save(*, actor: Actor, campaign: Campaign, reason: str = "") -> Campaign:
    """Create or change a campaign (a model form's unsaved instance)."""
    _require(actor, campaign)
    errors: list[DomainError] = []
    campaign.code = codes.normal(campaign.code)
    if not codes.CODE.match(campaign.code):
        errors.append(DomainError("campaign.code_invalid", field="code", value=campaign.code[:30]))
    if campaign.starts_on and campaign.ends_on and campaign.ends_on < campaign.starts_on:
        errors.append(DomainError("campaign.dates_reversed", field="ends_on"))
    if errors:
        raise Invalid(errors)
    before = None
    if campaign.pk:
        stored = Campaign.objects.select_for_update().get(pk=campaign.pk)
        if stored.dealer_id != campaign.dealer_id or stored.region_id != campaign.region_id:
            raise Forbidden("forbidden")  # a campaign never moves to another dealer or region
        before = audit.snapshot(stored)
    else:
        campaign.created_by = actor.label
    after = audit.snapshot(campaign)
    approved = _fixed_change(actor, campaign, before, after, reason)
    try:
        with transaction.atomic():
            campaign.save()
    except IntegrityError:
        raise DomainError("campaign.code_taken", field="code", value=campaign.code) from None
    if before is None or audit.changed(before, after):
        audit.record(actor=actor, action="campaign.update" if before else "campaign.create", obj=campaign,
                     before=before, after=audit.snapshot(campaign), dealer_id=campaign.dealer_id,
                     note=reason.strip() if approved else "")
    transaction.on_commit(codes.forget)
    return campaign


@transaction.atomic
def part_save(*, actor: Actor, obj: BudgetLine | Task, reason: str = "") -> models.Model:
    """A budget line or a task of a campaign; budget changes of a fixed plan need a manager."""
    campaign = Campaign.objects.select_related("dealer").get(pk=obj.campaign_id)
    _require(actor, campaign)
    if isinstance(obj, Task) and obj.owner_id and campaign.dealer_id:
        from autodcc.network.models import Staff

        if not Staff.objects.filter(pk=obj.owner_id, grants__dealer_id=campaign.dealer_id).exists():
            raise DomainError("campaign.owner_elsewhere", field="owner")
    before = audit.snapshot(type(obj).objects.get(pk=obj.pk)) if obj.pk else None
    approved = False
    spending_only = before is not None and all(before.get(k) == v for k, v in audit.snapshot(obj).items()
                                               if k != "spent")
    if isinstance(obj, BudgetLine) and campaign.is_fixed() and not spending_only:  # what was spent is a fact
        if not _may_approve(actor, campaign):
            raise DomainError("campaign.fixed", day=campaign.fixed_on.isoformat())
        if not reason.strip():
            raise DomainError("campaign.reason_required", field="reason")
        approved = True
    obj.save()
    name = type(obj)._meta.model_name
    audit.record(actor=actor, action=f"campaign.{name}", obj=campaign, before=before, after=audit.snapshot(obj),
                 dealer_id=campaign.dealer_id, note=reason.strip() if approved else "")
    return obj


@transaction.atomic
def task_done(*, actor: Actor, task: Task, done: bool = True) -> Task:
    campaign = task.campaign
    if not (may_manage(actor, campaign) or (task.owner_id and task.owner_id == actor.staff_id)):
        raise Forbidden("forbidden")
    task.done_at = timezone.now() if done else None
    task.save(update_fields=["done_at"])
    audit.record(actor=actor, action="campaign.task_done", obj=campaign, after={"task": task.title, "done": done},
                 dealer_id=campaign.dealer_id)
    return task


@transaction.atomic
def day_note(*, actor: Actor, campaign: Campaign, day: dt.date, note: str) -> DayNote:
    _require(actor, campaign)
    row, _ = DayNote.objects.update_or_create(campaign=campaign, day=day,
                                              defaults={"note": note.strip(), "by_label": actor.label})
    audit.record(actor=actor, action="campaign.note", obj=campaign, after={"day": day.isoformat(), "note": row.note},
                 dealer_id=campaign.dealer_id)
    return row


@transaction.atomic
def channel_cost_set(*, actor: Actor, dealer: Any, channel: str, month: dt.date, amount: Decimal,
                     note: str = "") -> ChannelCost:
    """A channel's cost in a month: a dealer's (its managers) or the brand's (HQ marketing)."""
    if dealer is None:
        allowed = actor.is_hq and actor.can("campaigns.manage")
    else:
        allowed = actor.can("campaigns.manage", dealer=dealer)
    if not allowed:
        raise Forbidden("forbidden")
    month = month.replace(day=1)
    row = ChannelCost.objects.select_for_update().filter(dealer=dealer, channel=channel, month=month).first()
    before = audit.snapshot(row) if row else None
    if row is None:
        row = ChannelCost(dealer=dealer, channel=channel, month=month)
    row.amount, row.note = amount, note.strip()
    row.save()
    audit.record(actor=actor, action="campaign.channel_cost", obj=row, before=before, after=audit.snapshot(row),
                 dealer_id=getattr(dealer, "pk", None))
    return row


COST_COLUMNS = {"月份": "month", "month": "month", "渠道": "channel", "channel": "channel", "金额": "amount",
                "amount": "amount", "经销商代码": "dealer", "dealer": "dealer", "备注": "note", "note": "note"}


@transaction.atomic
def channel_costs_import(*, actor: Actor, upload: Any, filename: str) -> int:
    """Channel costs from Excel/CSV (月份, 渠道, 金额, 经销商代码, 备注): every row checked first, the
    file refused with the rows at fault; a dealer's managers import their own dealer's only."""
    import re

    from autodcc.core import tabular
    from autodcc.leads.models import Channel
    from autodcc.network.models import Dealer

    rows = tabular.read_rows(upload, filename, COST_COLUMNS, required=("month", "channel", "amount"))
    channels = {str(label): value for value, label in Channel.choices} | {v: v for v in Channel.values}
    dealers = {d.code: d for d in Dealer.objects.visible_to(actor)}
    errors: list[DomainError] = []
    parsed = []
    for row in rows:
        v = row.values
        month_text = v.get("month")
        month = month_text.date() if isinstance(month_text, dt.datetime) else month_text
        if isinstance(month, str) and re.fullmatch(r"\d{4}-\d{1,2}", month.strip()):
            year, mon = (int(x) for x in month.strip().split("-"))
            month = dt.date(year, mon, 1) if 1 <= mon <= 12 else None
        if not isinstance(month, dt.date):
            errors.append(DomainError("campaign.cost_row_month", field="file", row=row.number))
            continue
        channel = channels.get(str(v.get("channel") or "").strip())
        if channel is None:
            errors.append(DomainError("campaign.cost_row_channel", field="file", row=row.number, value=v.get("channel")))
            continue
        amount = tabular.to_decimal(v.get("amount"))
        if amount is None or amount < 0:
            errors.append(DomainError("campaign.cost_row_amount", field="file", row=row.number, value=v.get("amount")))
            continue
        code = str(v.get("dealer") or "").strip()
        dealer = dealers.get(code) if code else None
        if code and dealer is None:
            errors.append(DomainError("campaign.cost_row_dealer", field="file", row=row.number, value=code))
            continue
        if dealer is None and not actor.is_hq:
            errors.append(DomainError("campaign.cost_row_dealer", field="file", row=row.number, value="—"))
            continue
        parsed.append((dealer, channel, month.replace(day=1), amount, str(v.get("note") or "")[:120]))
    if errors:
        raise Invalid(errors)
    for dealer, channel, month, amount, note in parsed:
        channel_cost_set(actor=actor, dealer=dealer, channel=channel, month=month, amount=amount, note=note)
    return len(parsed)


# --- the campaign's figures (CMP-8) ---------------------------------------------------------------------

METRICS = ("leads", "valid", "arrivals", "test_drives", "orders", "deliveries")
TARGETS = {"leads": "target_leads", "arrivals": "target_arrivals", "test_drives": "target_test_drives",
           "orders": "target_deals"}


def _counts(leads: models.QuerySet) -> dict[str, Any]:
    from autodcc.leads.models import Status

    return {"leads": Count("pk"), "valid": Count("pk", filter=~Q(status=Status.INVALID)),
            "arrivals": Count("pk", filter=Q(arrived_at__isnull=False)),
            "test_drives": Count("pk", filter=Q(test_driven_at__isnull=False)),
            "orders": Count("pk", filter=Q(ordered_at__isnull=False)),
            "deliveries": Count("pk", filter=Q(delivered_at__isnull=False))}


def per(amount: Decimal, n: int) -> Decimal | None:
    return (amount / n).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) if n else None


@dataclass
class Summary:
    campaign: Campaign
    counts: dict[str, int]
    targets: dict[str, int]
    budget: Decimal
    spent: Decimal
    support: Decimal
    per_lead: Decimal | None
    per_arrival: Decimal | None
    per_deal: Decimal | None
    days: list[dict[str, Any]] = field(default_factory=list)

    @property
    def support_ratio(self) -> Decimal | None:
        return (self.support * 100 / self.budget).quantize(Decimal("0.1")) if self.budget else None

    def reached(self, metric: str) -> Decimal | None:
        target = self.targets.get(metric) or 0
        return (Decimal(self.counts[metric] * 100) / target).quantize(Decimal("0.1")) if target else None


def summary(campaign: Campaign, *, leads: models.QuerySet | None = None) -> Summary:
    """Actuals against targets, spend against budget, cost per lead, arrival and deal; and day by
    day over the campaign's dates. ``leads``: the caller's visible leads (a dealer sees its own)."""
    from autodcc.leads.models import Lead

    qs = (leads if leads is not None else Lead.objects.all()).filter(campaign=campaign)
    counts = {k: int(v or 0) for k, v in qs.aggregate(**_counts(qs)).items()}
    money = campaign.budget_lines.aggregate(b=Sum("planned"), s=Sum("spent"), m=Sum("support"))
    budget, spent, support = (money[k] or Decimal("0.00") for k in ("b", "s", "m"))
    targets = {m: getattr(campaign, f) for m, f in TARGETS.items()}
    out = Summary(campaign, counts, targets, budget, spent, support, per(spent, counts["leads"]),
                  per(spent, counts["arrivals"]), per(spent, counts["orders"]))
    out.days = daily(campaign, qs)
    return out


def daily(campaign: Campaign, leads: models.QuerySet) -> list[dict[str, Any]]:
    """Each day of the campaign: leads captured, arrivals, test drives and deals that day, and the note."""
    start, end = campaign.starts_on, campaign.ends_on
    per: dict[dt.date, dict[str, int]] = {}
    for metric, column in (("leads", "created_at"), ("arrivals", "arrived_at"), ("test_drives", "test_driven_at"),
                           ("orders", "ordered_at")):
        rows = (leads.filter(**{f"{column}__date__gte": start, f"{column}__date__lte": end})
                .annotate(d=TruncDate(column)).values("d").annotate(n=Count("pk")))
        for r in rows:
            per.setdefault(r["d"], {})[metric] = r["n"]
    notes = dict(campaign.day_notes.values_list("day", "note"))
    days, day = [], start
    while day <= end and len(days) < 400:
        row = per.get(day, {})
        days.append({"day": day, **{m: row.get(m, 0) for m in ("leads", "arrivals", "test_drives", "orders")},
                     "note": notes.get(day, "")})
        day += dt.timedelta(days=1)
    return days


def costs_by(group: str, *, actor: Actor, date_from: dt.date, date_to: dt.date,
             dealer_ids: list[int] | None = None) -> dict[str, Decimal]:
    """What each channel (platform fees and ad spend of the months the period touches) or each
    campaign (its spend) cost, for the funnel grouped by channel or campaign; keys as the funnel's."""
    if group == "channel":
        from autodcc.campaigns.selectors import costs_visible

        costs = costs_visible(actor, dealer_ids).filter(month__gte=date_from.replace(day=1), month__lte=date_to)
        return {r["channel"]: r["total"] for r in costs.values("channel").annotate(total=Sum("amount"))}
    if group == "campaign":
        spent = (BudgetLine.objects.filter(campaign__in=Campaign.objects.visible_to(actor))
                 .values("campaign__code").annotate(total=Sum("spent")))
        return {r["campaign__code"]: r["total"] for r in spent if r["total"]}
    return {}
