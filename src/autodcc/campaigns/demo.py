"""Demo campaigns: the brand's Double 11 weekend and a launch, and the Shanghai store's anniversary
with its budget, targets and tasks. Re-runnable: keyed by code."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

from django.utils import timezone

from autodcc.campaigns import codes
from autodcc.campaigns.models import BudgetLine, Campaign, Task

BRAND = [("DOUBLE11", "双十一到店礼", "holiday", -30, 10), ("LAUNCH26", "新车上市", "launch", -60, 60)]


def build() -> int:
    today = timezone.localdate()
    created = 0
    for code, name, theme, start, days in BRAND:
        _, made = Campaign.objects.get_or_create(code=code, defaults={
            "name": name, "theme": theme, "starts_on": today + dt.timedelta(days=start),
            "ends_on": today + dt.timedelta(days=start + days), "target_leads": 120, "target_arrivals": 40,
            "target_test_drives": 30, "target_deals": 12, "created_by": "demo"})
        created += made
    from autodcc.network.models import Dealer

    dealer = Dealer.objects.filter(code="SH-001").first()
    if dealer is not None:
        campaign, made = Campaign.objects.get_or_create(code="SH001-AN5", defaults={
            "name": "浦东店五周年店庆", "theme": "anniversary", "dealer": dealer,
            "starts_on": today + dt.timedelta(days=40), "ends_on": today + dt.timedelta(days=41),
            "environment": "周边两家竞品门店同期促销；商圈周末客流高。",
            "customers": "以 30–40 岁家庭用户为主，关注续航和空间。",
            "target_leads": 80, "target_arrivals": 30, "target_test_drives": 20, "target_deals": 8,
            "created_by": "demo"})
        if made:
            created += 1
            BudgetLine.objects.bulk_create([
                BudgetLine(campaign=campaign, category="media", item="本地生活平台推广", planned=D("12000"),
                           support=D("6000")),
                BudgetLine(campaign=campaign, category="venue", item="展厅布置", planned=D("8000")),
                BudgetLine(campaign=campaign, category="gifts", item="到店礼", planned=D("5000"), support=D("2500")),
            ])
            Task.objects.bulk_create([
                Task(campaign=campaign, title="确认展车与试驾车", due_on=today + dt.timedelta(days=30), checklist=True),
                Task(campaign=campaign, title="邀约短信发送", due_on=today + dt.timedelta(days=35)),
            ])
    created += _launch_day(today)
    codes.forget()
    return created


def _launch_day(today: dt.date) -> int:
    """The flagship store's launch day (seed 000): a draw every hour from 10:00 to 21:00 for a
    car's 7-day use, and a T-shirt for the first 500 online test drives reported."""
    import secrets

    from autodcc.campaigns import drawrule
    from autodcc.campaigns.models import DrawRound, FirstNReward

    campaign, made = Campaign.objects.get_or_create(code="FLAGSHIP", defaults={
        "name": "澜川旗舰店开业日", "theme": "launch", "starts_on": today, "ends_on": today + dt.timedelta(days=30),
        "target_leads": 2000, "target_arrivals": 600, "target_test_drives": 500, "target_deals": 60,
        "created_by": "demo"})
    if not made:
        return 0
    for number, hour in enumerate(range(10, 21), start=1):
        seed = secrets.token_hex(32)
        opens = timezone.make_aware(dt.datetime.combine(today, dt.time(hour)))
        DrawRound.objects.create(campaign=campaign, number=number, prize="澜川 S7 七日用车权", opens_at=opens,
                                 closes_at=opens + dt.timedelta(hours=1), seed=seed,
                                 commitment=drawrule.commitment(seed))
    reward = FirstNReward.objects.create(campaign=campaign, name="开业限定 T 恤", n=500, unit_cost=D("89.00"))
    _gift_winners(reward)
    return 1


def _gift_winners(reward) -> None:  # type: ignore[no-untyped-def]
    """Three winners of the T-shirt at the Shanghai store: one waiting for the address, one who gave
    it, one whose parcel is on its way."""
    from autodcc.campaigns import first_n
    from autodcc.core.actors import SYSTEM
    from autodcc.leads.services import LeadInput, lead_capture
    from autodcc.network.models import Staff
    from autodcc.testdrives.models import Booking, BookingStatus, Report, Vehicle

    car = Vehicle.objects.filter(dealer__code="SH-001").select_related("dealer").first()
    if car is None:
        return
    confirmed_by = Staff.objects.filter(grants__dealer=car.dealer).order_by("pk").first()
    now = timezone.now()
    claims = []
    for i, name in enumerate(("陈静", "周航", "吴敏")):
        lead = lead_capture(actor=SYSTEM, data=LeadInput(
            name=name, phone=f"1380013{i:04d}", channel="storefront", dealer=car.dealer.code,
            consent_version="2026-01", consent_share_with_dealer=True, model_interest=str(car.trim))).lead
        start = now - dt.timedelta(hours=6 - i)
        booking = Booking.objects.create(
            number=f"TDGIFT{i + 1:04d}", dealer=car.dealer, vehicle=car, lead=lead, starts_at=start,
            ends_at=start + dt.timedelta(minutes=30), status=BookingStatus.COMPLETED, online=True,
            completed_at=start + dt.timedelta(minutes=40), completed_by=confirmed_by)
        Report.objects.create(booking=booking, overall=5, driving=5, comfort=4, service=5, likely_to_buy=i != 1,
                              submitted_at=start + dt.timedelta(hours=1))
        claims.append(first_n.claim(reward, booking))
    first_n.address_give(token=claims[1].token, address="上海市浦东新区张杨路 500 号 12 楼")
    first_n.address_give(token=claims[0].token, address="上海市徐汇区漕溪北路 88 号 3 号楼 601 室")
    first_n.ship(actor=SYSTEM, claim_=claims[0], carrier="顺丰速运", tracking_no="SF1402026000001")
