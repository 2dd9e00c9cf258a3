"""Reads for the campaign pages: a campaign's launch-day figures and call load, the prizes customer
service follows, what each channel cost a month against what it brought, and the rows a person
may act on."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from autodcc.campaigns.models import BudgetLine, Campaign, ChannelCost, DrawPrize, DrawRound, FirstNReward, Task
from autodcc.core.actors import Actor


def overlapping(actor: Actor, first: dt.date, last: dt.date) -> QuerySet[Campaign]:
    """The campaigns the actor sees that run on any day from ``first`` to ``last`` (the calendar
    and its export)."""
    return (Campaign.objects.visible_to(actor).filter(starts_on__lte=last, ends_on__gte=first)
            .select_related("dealer", "region").order_by("starts_on", "code"))


def draw_figures(campaign: Campaign) -> tuple[list[DrawRound], list[FirstNReward]]:
    """The rounds with their entries and whether the winner was contacted; the first-N gifts with
    how many were won and shipped and what they cost HQ."""
    rounds = list(campaign.draw_rounds.annotate(
        entries_now=Count("entries", distinct=True),
        contacted=Count("prizes", filter=Q(prizes__contacted_at__isnull=False, prizes__unreachable=False),
                        distinct=True)).order_by("number"))
    costs = dict(DrawPrize.objects.filter(round__campaign=campaign).values("round_id")
                 .annotate(total=Sum("cost")).values_list("round_id", "total"))
    for r in rounds:
        r.prize_cost = costs.get(r.pk)
    rewards = list(campaign.first_n_rewards.annotate(
        claimed=Count("claims"), shipped=Count("claims", filter=Q(claims__shipped_at__isnull=False))))
    for reward in rewards:
        reward.cost = reward.unit_cost * reward.claimed
    return rounds, rewards


def call_load(campaign: Campaign) -> list[dict[str, Any]]:
    """Per agent: the campaign's call tasks open and done."""
    from autodcc.leads.models import CareTask

    return list(CareTask.objects.filter(campaign=campaign).values("assignee__name").annotate(
        open=Count("pk", filter=Q(done_at__isnull=True)), done=Count("pk", filter=Q(done_at__isnull=False)))
        .order_by("assignee__name"))


def prizes_to_follow(limit: int = 200) -> list[DrawPrize]:
    """The latest winners with their leads; a lead a worker captured after the entry is found by
    the entry's capture key (one query for all of them)."""
    from autodcc.leads.models import Capture, Lead

    rows = list(DrawPrize.objects.select_related("round__campaign", "entry__lead")
                .order_by("-round__closes_at", "-id")[:limit])
    waiting = {f"draw-entry:{p.entry_id}": p for p in rows if p.entry.lead_id is None}
    if waiting:
        found = dict(Capture.objects.filter(key__in=list(waiting), lead__isnull=False).values_list("key", "lead_id"))
        leads = Lead.objects.in_bulk(list(found.values()))
        for key, lead_id in found.items():
            waiting[key].entry.lead = leads.get(lead_id)
    return rows


def costs_visible(actor: Actor, dealer_ids: list[int] | None = None) -> QuerySet[ChannelCost]:
    """The channel costs of the dealers the actor sees (and the brand's own, for HQ)."""
    from autodcc.network.models import Dealer

    dealers = Dealer.objects.visible_to(actor)
    if dealer_ids:
        dealers = dealers.filter(pk__in=dealer_ids)
    scope = Q(dealer__in=dealers)
    if actor.is_hq and not dealer_ids:
        scope |= Q(dealer__isnull=True)
    return ChannelCost.objects.filter(scope)


def channel_cost_rows(actor: Actor) -> list[dict[str, Any]]:
    """Per channel and month: the cost, the leads and deals of that channel in that month (the
    actor's leads), cost per lead and per deal."""
    from autodcc.campaigns.services import per
    from autodcc.insights.queries import scoped
    from autodcc.leads.models import Channel

    spent = {(r["channel"], r["month"]): r["total"]
             for r in costs_visible(actor).values("channel", "month").annotate(total=Sum("amount"))}
    if not spent:
        return []
    start = dt.datetime.combine(min(m for _c, m in spent), dt.time.min, timezone.get_current_timezone())
    leads = (scoped(actor).filter(created_at__gte=start).annotate(m=TruncMonth("created_at"))
             .values("channel", "m").annotate(n=Count("pk"), deals=Count("pk", filter=Q(ordered_at__isnull=False))))
    got = {(r["channel"], timezone.localtime(r["m"]).date() if isinstance(r["m"], dt.datetime) else r["m"]): r
           for r in leads}
    labels = dict(Channel.choices)
    rows = []
    for (channel, month), total in sorted(spent.items(), key=lambda kv: (kv[0][1], kv[0][0]), reverse=True):
        r = got.get((channel, month), {})
        n, deals = r.get("n", 0), r.get("deals", 0)
        rows.append({"channel": labels.get(channel, channel), "month": month, "amount": total, "leads": n,
                     "deals": deals, "per_lead": per(total, n), "per_deal": per(total, deals)})
    return rows


def line_for(actor: Actor, pk: int) -> BudgetLine | None:
    return (BudgetLine.objects.filter(pk=pk, campaign__in=Campaign.objects.visible_to(actor))
            .select_related("campaign__dealer").first())


def task_for(actor: Actor, pk: int) -> Task | None:
    return (Task.objects.filter(pk=pk, campaign__in=Campaign.objects.visible_to(actor))
            .select_related("campaign__dealer").first())
