"""Demo complaints in every state: new, assigned, in progress, escalated, resolved and waiting for
the consumer, confirmed, reopened, closed — about orders, leads and the online store, at the
Shanghai, Guangzhou and Beijing stores and HQ. Re-runnable: each is keyed by its form key."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from autodcc.core.actors import consumer
from autodcc.core.roles import Role
from autodcc.feedback import services
from autodcc.feedback.models import Complaint, Source
from autodcc.network.actors import actor_for_staff
from autodcc.network.models import Staff
from autodcc.orders.models import Order

# key, category, kind, dealer (or the demo order of a dealer), description, days ago, what happens next
PLAN = [
    ("d1", "delivery", "complaint", "order:SH-001", "约定的交车日期已过去三天，一直没有人通知新的时间。", 0, "new"),
    ("d2", "sales_service", "complaint", "SH-001", "销售顾问答应送的脚垫和行车记录仪，提车时说没有了。", 1, "assigned"),
    ("d3", "after_sales", "complaint", "SH-001", "首保预约了两次都被临时取消。", 2, "in_progress"),
    ("d4", "delivery", "complaint", "order:GZ-001", "交车时发现右后门有划痕，门店说先开走以后再修。", 12, "escalated"),
    ("d5", "product", "complaint", "order:SH-001", "车机导航经常死机，重启后才能恢复。", 6, "resolved"),
    ("d6", "sales_service", "complaint", "SH-001", "试驾时顾问一直催促下定，体验不好。", 9, "confirmed"),
    ("d7", "online_store", "complaint", "", "天猫旗舰店付款后订单页一直显示待支付。", 5, "reopened"),
    ("d8", "after_sales", "complaint", "BJ-001", "保养后发现机油加注不足。", 20, "closed"),
    ("d9", "online_store", "suggestion", "", "希望商城能显示各门店的现车颜色。", 1, "new"),
    ("d10", "sales_service", "praise", "GZ-001", "顾问小林讲解很耐心，交车仪式很用心，点赞！", 3, "confirmed"),
]


def _handler(complaint: Complaint) -> Staff | None:
    people = services.handler_staff(complaint)
    preferred = people.filter(grants__role=Role.SERVICE_ADVISOR).first() if complaint.queue == "dealer" else None
    return preferred or people.first()


def build() -> int:
    made = 0
    now = timezone.now()
    for n, (key, category, kind, where, text, days, state) in enumerate(PLAN):
        if Complaint.objects.filter(submission_key=f"demo:{key}").exists():
            continue
        order = None
        dealer = where
        if where.startswith("order:"):
            order = Order.objects.filter(dealer__code=where[6:]).order_by("id").first()
            dealer = ""
            if order is None:
                continue
        phone = order.customer.phone if order is not None else f"186{n:08d}"
        name = order.buyer_name if order is not None else ["赵敏", "孙悦", "周婷", "吴刚", "郑爽"][n % 5]
        data = services.ComplaintInput(name=name, phone=phone, category=category, kind=kind, description=text,
                                       dealer=dealer, consent_version="store-2026-01", consent_share=True)
        complaint, created = services.complaint_file(
            actor=consumer("demo"), data=data, source=Source.STORE_ORDER if order else Source.STORE, order=order,
            submission_key=f"demo:{key}", now=now - dt.timedelta(days=days, hours=2))
        if not created:
            continue
        made += 1
        _advance(complaint, state, now)
    return made


def _advance(complaint: Complaint, state: str, now: dt.datetime) -> None:
    if state == "new":
        return
    if state == "escalated":
        services.escalate_due(now=now)
        return
    person = _handler(complaint)
    if person is None:
        return
    actor = actor_for_staff(person)
    complaint = services.complaint_assign(actor=actor, complaint=complaint, assignee=person, note="")
    if state == "assigned":
        return
    complaint = services.complaint_start(actor=actor, complaint=complaint,
                                         note="已电话联系客户，致歉并核实情况，约定两天内给出处理方案。")
    if state == "in_progress":
        return
    complaint = services.complaint_resolve(actor=actor, complaint=complaint,
                                           resolution="已与客户当面沟通并完成处理，后续由专人回访。")
    if state == "resolved":
        return
    if state in ("confirmed", "closed"):
        complaint = services.consumer_decide(token=complaint.link_token, accept=True, comment="满意，谢谢。")
        if state == "closed":
            services.complaint_close(actor=actor, complaint=complaint, note="客户已确认，归档。")
        return
    if state == "reopened":
        services.consumer_decide(token=complaint.link_token, accept=False, comment="问题又出现了，请再看看。")
