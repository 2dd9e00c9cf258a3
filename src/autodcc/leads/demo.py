"""Demo leads: a few hundred enquiries over the demo network, worked to every stage.

Re-runnable: each enquiry carries the idempotency key ``demo:<n>``, so a second run adds nothing.
"""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from autodcc.core import workhours
from autodcc.core.actors import SYSTEM
from autodcc.core.errors import DomainError
from autodcc.leads import services as s
from autodcc.leads.models import ContactKind, ContactResult, DefeatKind, DefeatReason, Lead
from autodcc.network.actors import actor_for_staff
from autodcc.network.demo import person_name
from autodcc.network.models import Staff

CITIES = ["上海", "上海", "杭州", "南京", "苏州", "广州", "广州", "深圳", "北京", "北京", "武汉", "成都", "昆明", "郑州",
          "长沙", "西安", "青岛", "厦门", "天津"]
CHANNELS = ["autohome", "autohome", "yiche", "dongchedi", "tmall", "own_site", "hotline", "social", "referral"]
MODELS = ["澜川 S5", "澜川 S7", "澜川 S7 长续航", "澜川 X9 六座", "澜川 S7 天猫特别版"]


def _actor(lead: Lead, role: str):  # type: ignore[no-untyped-def]
    staff = (Staff.objects.filter(grants__dealer=lead.dealer, grants__role=role).order_by("pk").first())
    return actor_for_staff(staff) if staff else SYSTEM


def _visit(days: int) -> dt.datetime:
    day = timezone.localdate() + dt.timedelta(days=days)
    while not workhours.is_open_day(day, "1234567"):
        day += dt.timedelta(days=1)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(10, 30)))


def build(count: int = 240, seed: int = 2026) -> int:
    rng = random.Random(seed)
    created = 0
    for n in range(count):
        data = s.LeadInput(
            name=person_name(n + 500), phone=f"186{n:08d}", channel=rng.choice(CHANNELS), city=rng.choice(CITIES),
            model_interest=rng.choice(MODELS), consent_version="2026-01", consent_share_with_dealer=True,
            campaign=rng.choice(["", "", "DOUBLE11", "LAUNCH26"]),
        )
        result = s.lead_capture(actor=SYSTEM, data=data, idempotency_key=f"demo:{n}")
        if result.replay:
            continue
        created += 1
        _work(result.lead, rng.random())
    if created:
        _reassign_some()
    return created


BULK_REASON = "客户集中到同一位网销顾问跟进"


def _reassign_some() -> None:
    """A sales manager gives a few of one agent's new leads to a colleague in one go (LEAD-4), so
    the lead pages show a manual reassignment with its reason."""
    from autodcc.leads.services.assignment import agents_of

    for manager in Staff.objects.filter(grants__role="sales_manager", user__is_active=True).order_by("pk"):
        dealer = manager.primary_dealer
        agents = agents_of(dealer) if dealer else []
        if len(agents) < 2:
            continue
        leads = list(Lead.objects.filter(dealer=dealer, agent=agents[0], status="new").order_by("pk")[:3])
        if leads:
            s.lead_reassign(actor=actor_for_staff(manager), leads=leads, to_staff=agents[1], note=BULK_REASON)
            return


def _work(lead: Lead, luck: float) -> None:
    """Move a share of the demo leads along the funnel so every page has something to show."""
    try:
        agent = _actor(lead, "dcc_agent")
        if luck < 0.25:
            return  # still new
        s.lead_follow_up(actor=agent, lead=lead, kind=ContactKind.CALL_OUT, result=ContactResult.REACHED,
                         grade="HABC"[int(luck * 10) % 4], note="电话沟通，了解需求")
        if luck < 0.45:
            return
        if luck < 0.52:
            s.lead_request_defeat(actor=agent, lead=lead, kind=DefeatKind.DEFEAT, reason=DefeatReason.PRICE,
                                  note="觉得价格偏高")
            return
        s.lead_invite(actor=agent, lead=lead, scheduled_at=_visit(1 + int(luck * 10) % 4), purpose="试驾")
        if luck < 0.6:
            return
        s.lead_register_arrival(actor=agent, lead=lead)
        consultant = Staff.objects.filter(grants__dealer=lead.dealer, grants__role="sales_consultant").first()
        if consultant is None:
            return
        s.lead_handover(actor=agent, lead=lead, to_staff=consultant, note="客户已到店")
        showroom = actor_for_staff(consultant)
        steps = ["presented", "test_driven", "negotiated", "ordered", "delivered"]
        for step in steps[: 1 + int((luck - 0.6) * 12)]:
            s.lead_record_step(actor=showroom, lead=lead, step=step)
    except DomainError:
        return
