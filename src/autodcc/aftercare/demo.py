"""Demo after-sales: a maintenance schedule per model, owners' cars at the Shanghai, Guangzhou and
Beijing stores bought from a day to a year ago (services due this week, overdue, booked, done),
this week's reminders, revisit calls and answered surveys so the report has figures.
Re-runnable: keyed by VIN."""

from __future__ import annotations

import datetime as dt
import itertools

from django.db import transaction
from django.utils import timezone

from autodcc.aftercare import revisits, services
from autodcc.aftercare.models import MaintenanceSchedule, RevisitTask
from autodcc.core.actors import SYSTEM

# energy → first months, first km, every months, every km, offer
SCHEDULES = {
    "bev": (12, 10000, 12, 20000, "首保免工时费，赠送空调滤芯"),
    "erev": (6, 5000, 12, 10000, "保养工时费8折"),
    "phev": (6, 5000, 12, 10000, "保养工时费8折"),
    "ice": (6, 5000, 6, 7500, "机油机滤套餐立减100元"),
}
# (dealer, model code, days since purchase, km now or None, what happened): one owner each
OWNERS = [
    ("SH-001", "S7-EREV-26", 180, None, "due"), ("SH-001", "X9-PHEV-26", 178, 4200, "due"),
    ("SH-001", "X9-ICE-26", 40, 4600, "due"), ("SH-001", "S7-EREV-26", 200, None, "overdue"),
    ("SH-001", "X9-ICE-26", 190, None, "booked"), ("SH-001", "S7-BEV-26", 370, 9800, "done"),
    ("SH-001", "S5-BEV-26", 1, None, ""), ("SH-001", "S7-BEV-26", 7, None, ""),
    ("SH-001", "S7-EREV-26", 30, 1500, ""), ("SH-001", "X9-PHEV-26", 91, 3100, ""),
    ("GZ-001", "S7-EREV-26", 181, None, "due"), ("GZ-001", "S5-BEV-26", 7, None, ""),
    ("GZ-001", "X9-PHEV-26", 30, None, ""), ("BJ-001", "X9-ICE-26", 183, 5200, "due"),
    ("BJ-001", "S7-BEV-26", 1, None, ""), ("BJ-001", "S7-EREV-26", 30, None, ""),
    ("SH-001", "S7-EREV-26", 160, None, "due"), ("SH-001", "X9-PHEV-26", 165, 2400, "due"),
]
OWNER_NAMES = ["林佳怡", "陈子涵", "黄浩然", "周思远", "吴雨桐", "郑建华", "孙晓东", "马丽", "朱磊", "胡静",
               "郭敏", "何勇", "高洋", "罗芳", "梁杰", "宋娟"]
# answers of the revisits filled in on the phone: 1–5 scores, recommendation, comment
SURVEY_ANSWERS = [(5, 10, "顾问讲解很专业，交车仪式很用心"), (4, 9, "整体满意，等待时间稍长"), (5, 9, ""),
                  (3, 7, "手续办理有点慢"), (2, 4, "交车时车内有划痕，处理不及时"), (5, 10, "非常满意"),
                  (4, 8, "希望充电桩安装更快"), (5, 9, "")]


def build() -> int:
    from autodcc.catalog.models import CarModel
    from autodcc.customers.models import Consent, Customer, Vehicle
    from autodcc.network.models import Dealer

    for model in CarModel.objects.all():
        first_m, first_km, every_m, every_km, offer = SCHEDULES.get(model.energy, SCHEDULES["phev"])
        MaintenanceSchedule.objects.get_or_create(car_model=model, defaults={
            "first_months": first_m, "first_km": first_km, "every_months": every_m, "every_km": every_km,
            "offer": offer})
    today = timezone.localdate()
    made = 0
    for n, (code, model_code, days, km, state) in enumerate(OWNERS):
        vin = f"LVGDEMCARE{n:07d}"
        dealer = Dealer.objects.filter(code=code).first()
        model = CarModel.objects.filter(code=model_code).first()
        if dealer is None or model is None or Vehicle.objects.filter(vin=vin).exists():
            continue
        with transaction.atomic():
            customer, created = Customer.objects.get_or_create(phone=f"+86187{n:08d}", defaults={
                "name": OWNER_NAMES[n % len(OWNER_NAMES)], "kind": "member"})
            if created:  # half of the owners agreed to marketing messages (they get the service offer)
                Consent.objects.create(customer=customer, dealer=dealer, version="store-2026-01",
                                       purposes=["order", "marketing"] if n % 2 == 0 else ["order"],
                                       share_with_dealer=True, marketing=n % 2 == 0, channel="storefront")
            bought = today - dt.timedelta(days=days)
            from autodcc.customers.services import vehicle_register

            trim = model.trims.order_by("sort", "code").first()
            vehicle = vehicle_register(actor=SYSTEM, customer=customer, vin=vin, trim=trim,
                                       model_name="" if trim else model.name, purchase_date=bought, dealer=dealer,
                                       plate=_plate(code, model.energy, n))
            _history(vehicle, dealer, state, km, bought, today)
        made += 1
    if made:
        services.reminders_send(today=today)
        revisits.revisits_generate(today=today)
        _surveys(today)
    return made


def _plate(dealer_code: str, energy: str, n: int) -> str:
    """A green new-energy plate (six characters after the letter, D for battery cars) or a blue one."""
    province = {"SH-001": "沪", "GZ-001": "粤"}.get(dealer_code, "京")
    return f"{province}A{'D' if energy == 'bev' else 'F'}{n:03d}88" if energy != "ice" else f"{province}A{n:03d}88"


def _advisor(dealer: object) -> object:
    from autodcc.network.actors import actor_for_staff
    from autodcc.network.models import Staff

    staff = Staff.objects.filter(grants__dealer=dealer, grants__role="service_advisor").first() or \
        Staff.objects.filter(grants__dealer=dealer, grants__role="sales_manager").first()
    return actor_for_staff(staff) if staff else SYSTEM


def _history(vehicle: object, dealer: object, state: str, km: int | None, bought: dt.date, today: dt.date) -> None:
    actor = _advisor(dealer)
    if state == "done":  # the first service a few days ago; the car drives on
        services.visit_record(actor=actor, vehicle=vehicle, visited_on=today - dt.timedelta(days=5),
                              mileage_km=km or 9800, notes="首次保养：更换空调滤芯，检查底盘与电池冷却液")
        return
    if km is not None:
        services.mileage_record(actor=actor, vehicle=vehicle, km=km, on=today - dt.timedelta(days=2))
    if state == "booked":
        morning = timezone.make_aware(dt.datetime.combine(today + dt.timedelta(days=2), dt.time(9, 30)))
        services.appointment_book(actor=actor, vehicle=vehicle, scheduled_at=morning, note="车主要求上午送修")


def _surveys(today: dt.date) -> None:
    """Revisit calls filled in on the phone by each store's DCC agent (a low score among them)."""
    from autodcc.network.actors import actor_for_staff
    from autodcc.network.models import Staff

    answers = itertools.cycle(SURVEY_ANSWERS)
    tasks = RevisitTask.objects.filter(kind="revisit", status="open", step__survey__isnull=False,
                                       step__unit="day").select_related("dealer", "step__survey").order_by("pk")
    for n, task in enumerate(tasks):
        if n % 4 == 3:
            continue  # a few calls still to make today
        agent = Staff.objects.filter(grants__dealer=task.dealer, grants__role="dcc_agent").first()
        consultant = Staff.objects.filter(grants__dealer=task.dealer, grants__role="sales_consultant").order_by(
            "pk")[task.pk % 2: task.pk % 2 + 1].first()
        if agent is None:
            continue
        if task.consultant_id is None and consultant is not None:
            RevisitTask.objects.filter(pk=task.pk).update(consultant=consultant)
            task.consultant = consultant
        score, nps, comment = next(answers)
        values = {}
        for q in task.step.survey.questions.filter(is_active=True):
            values[f"q{q.pk}"] = comment if q.kind == "comment" else nps if q.kind == "nps" else \
                (score if q.sort != 2 else max(1, score - (q.pk % 2)))
        revisits.survey_fill(actor=actor_for_staff(agent), task=task, answers=values)
