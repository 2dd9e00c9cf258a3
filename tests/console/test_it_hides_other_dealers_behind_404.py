"""Every console URL that takes an object argument answers 404 to staff of another dealer.

The test enumerates the console's URL patterns: a new pattern with an argument fails this test
until it says here which foreign object to try it with.
"""

import datetime as dt
import itertools

import pytest
from django.urls import URLPattern, get_resolver, reverse
from django.utils import timezone

from autodcc.catalog import demo as catalog_demo
from autodcc.catalog.models import Trim
from autodcc.core import workhours
from autodcc.core.actors import SYSTEM, consumer
from autodcc.core.models import ImportJob
from autodcc.customers import services as customers
from autodcc.leads import services as leads
from autodcc.leads.models import CareTask
from autodcc.messaging import services as messaging
from autodcc.messaging.models import Event
from autodcc.network import services
from autodcc.orders import handlers as order_handlers
from autodcc.orders import services as orders

NOT_DEALER_SCOPED = {
    # HQ-only objects, refused by capability (403) before any lookup
    "import_detail", "template_edit", "optout_remove",
    # HQ finance's statements (not a dealer's): 403 to everyone else
    "statement_detail",
    # the catalogue is the brand's: HQ marketing only
    "trim_edit", "trim_photo", "trim_colour", "trim_price", "trim_new", "model_new", "model_edit", "series_edit",
    "catalog_action", "edition_edit", "package_edit", "finance_offer_edit",
    # survey templates are the brand's: HQ only
    "care_survey_template",
    # regions group the brand's dealers: HQ marketing keeps them (403 to everyone else)
    "region_edit",
    # the brand's FAQ assistant: customer service's conversations and HQ's question bank (403 to dealers)
    "chat_detail", "faq_edit", "faq_question_dismiss",
    # the channel connectors' deliveries are HQ's (403 to everyone else); a score import is its importer's or HQ's
    "channel_detail", "channel_delivery", "channel_replay", "platform_score_import",
}


def foreign_objects(net):
    """Objects that belong to dealer B, keyed by URL name."""
    now = timezone.now()
    leave = services.leave_add(actor=SYSTEM, staff=net.b_agent.staff, starts_at=now, ends_at=now + dt.timedelta(days=1))
    message = messaging.message_send(event=Event.VISIT_CONFIRMATION, to_phone="13812340000", dealer=net.dealer_b,
                                     context={"name": "客户", "dealer": "杭州", "address": "x", "time": "明天",
                                              "consultant": "李"})
    dealer, staff = net.dealer_b.pk, net.b_agent.staff.pk
    lead_objects = _lead_objects(net, "HZ-001", net.b_agent, net.b_manager)
    order_objects = _order_objects("HZ-001")
    return {
        "dealer_detail": dealer, "dealer_edit": dealer, "dealer_key_flag": dealer,
        "staff_detail": staff, "staff_edit": staff, "staff_duty": staff, "staff_leave_add": staff,
        "leave_cancel": leave.pk, "message_detail": message.pk,
        # a dealer's own reports (insights)
        "insights_daily_dealer": dealer, "insights_monthly_dealer": dealer,
        **lead_objects, **order_objects, **_testdrive_objects(net.dealer_b), **_campaign_objects(net.dealer_b),
        **_complaint_objects("HZ-001"), **_care_objects(net.dealer_b),
    }


def _complaint_objects(dealer_code):
    """A complaint about the dealer with an attachment, keyed by URL name."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from autodcc.feedback import services as feedback

    data = feedback.ComplaintInput(name="投诉客户", phone=f"1374444{next(_phones):04d}", category="delivery",
                                   description="交车延期", dealer=dealer_code, consent_version="store-2026-01",
                                   consent_share=True,
                                   attachments=[SimpleUploadedFile("photo.png", b"\x89PNG\r\n", "image/png")])
    complaint, _created = feedback.complaint_file(actor=consumer("store"), data=data, source="store")
    return {"complaint_detail": complaint.pk, "complaint_action": complaint.pk,
            "complaint_attachment": complaint.attachments.get().pk}


CARE_VEHICLE_PAGES = ("care_vehicle", "care_book", "care_visit", "care_mileage", "care_cancel_booking")
CARE_TASK_PAGES = ("care_revisit", "care_revisit_call", "care_revisit_send", "care_revisit_fill", "care_revisit_close")


def _care_objects(dealer):
    """An owner's car of ``dealer`` (its maintenance pages) and a revisit call on it."""
    from autodcc.aftercare.models import RevisitTask
    from autodcc.customers.models import Customer, Vehicle

    customer = Customer.objects.create(name="车主", phone=f"+861397777{next(_phones):04d}")
    vehicle = Vehicle.objects.create(customer=customer, dealer=dealer, vin=f"LVGCARE{next(_phones):010d}",
                                     purchase_date=timezone.localdate())
    task = RevisitTask.objects.create(dealer=dealer, vehicle=vehicle, customer=customer, label="交车后第1天回访",
                                      due_on=timezone.localdate())
    return {**{name: vehicle.pk for name in CARE_VEHICLE_PAGES}, **{name: task.pk for name in CARE_TASK_PAGES}}


def _campaign_objects(dealer):
    """A campaign of ``dealer`` with a task."""
    from autodcc.campaigns.models import Campaign, Task

    campaign = Campaign.objects.create(code=f"B-{dealer.pk}-{next(_phones)}", name="滨江店试驾周", dealer=dealer,
                                       starts_on=timezone.localdate(), ends_on=timezone.localdate())
    task = Task.objects.create(campaign=campaign, title="布置展厅", due_on=timezone.localdate())
    from autodcc.campaigns.models import BudgetLine

    line = BudgetLine.objects.create(campaign=campaign, category="media", item="推广", planned=1000)
    from autodcc.campaigns.models import CallScript

    script = CallScript.objects.create(family=9000 + campaign.pk, situation="campaign", title="滨江店话术", body="您好",
                                       dealer=dealer)
    from autodcc.campaigns.models import Outreach

    wave = Outreach.objects.create(campaign=campaign, channel="sms", content="周末试驾", per_minute=60)
    from autodcc.campaigns.models import FirstNClaim, FirstNReward
    from autodcc.testdrives.models import Booking

    gift = FirstNReward.objects.create(campaign=campaign, name="滨江店试驾礼", n=10)
    # a winner at the dealer of a brand-wide gift (the gift's page is everyone's, its winners are their dealer's)
    brand = Campaign.objects.create(code=f"BRAND-{dealer.pk}-{next(_phones)}", name="全国试驾礼",
                                    starts_on=timezone.localdate(), ends_on=timezone.localdate())
    booking = Booking.objects.get(pk=_testdrive_objects(dealer)["booking_detail"])
    winner = FirstNClaim.objects.create(reward=FirstNReward.objects.create(campaign=brand, name="车模", n=10),
                                        booking=booking, rank=1, met_at=timezone.now())
    return {"campaign_gift_new": campaign.pk, "campaign_gift": gift.pk, "campaign_gift_edit": gift.pk,
            "campaign_gift_ship": winner.pk,
"campaign_detail": campaign.pk, "campaign_edit": campaign.pk, "campaign_line": campaign.pk,
            "campaign_outreach_cancel": wave.pk,
            "campaign_task": campaign.pk, "campaign_note": campaign.pk, "campaign_task_done": task.pk,
            "campaign_outreach": campaign.pk, "campaign_calls": campaign.pk, "script_edit": script.pk,
            "campaign_line_spent": line.pk, "campaign_direct_mail": campaign.pk, "campaign_draw": campaign.pk}


def _testdrive_objects(dealer):
    """A test-drive car and a booking of ``dealer``."""
    from autodcc.testdrives import services as td
    from autodcc.testdrives.models import Vehicle

    catalog_demo.build()
    trim = Trim.objects.get(code="S7-LR")
    car = Vehicle.objects.create(dealer=dealer, trim=trim)
    slot = _visit_time() + dt.timedelta(minutes=30)  # slots start on the half hour (opening 08:30)
    buyer = leads.LeadInput(name="试驾客户", phone=f"1361111{next(_phones):04d}", channel="storefront",
                            consent_version="2026-01", consent_share_with_dealer=True)
    booking = td.booking_create(actor=consumer("store"), trim=trim, dealer=dealer, starts_at=slot, lead=buyer)
    return {"fleet_toggle": car.pk, "booking_detail": booking.pk, "booking_action": booking.pk}


_phones = itertools.count(1)
LEAD_PAGES = ("lead_detail", "lead_follow_up", "lead_invite", "lead_arrive", "lead_handover", "lead_step",
              "lead_defeat", "lead_reassign", "lead_reallocate", "lead_call", "lead_testdrive")
CUSTOMER_PAGES = ("customer_detail", "customer_edit", "vehicle_add")


def _visit_time():
    day = timezone.localdate() + dt.timedelta(days=3)
    while not workhours.is_open_day(day, "1234567"):
        day += dt.timedelta(days=1)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(10, 0)))


def _capture(dealer_code):
    data = leads.LeadInput(name="客户", phone=f"1376666{next(_phones):04d}", channel="autohome", dealer=dealer_code,
                           consent_version="2026-01", consent_share_with_dealer=True)
    return leads.lead_capture(actor=SYSTEM, data=data).lead


def _lead_objects(net, dealer_code, agent, manager):
    """A dealer's lead, appointment, defeat request, care task, customer (known only through
    that dealer's lead), customer group and lead import, keyed by URL name."""
    lead = _capture(dealer_code)
    appointment = leads.lead_invite(actor=agent.actor, lead=lead, scheduled_at=_visit_time())
    to_defeat = _capture(dealer_code)
    leads.lead_follow_up(actor=agent.actor, lead=to_defeat, kind="call_out", result="no_answer")
    defeat = leads.lead_request_defeat(actor=agent.actor, lead=to_defeat, kind="defeat", reason="price")
    care = CareTask.objects.create(lead=lead, kind="post_delivery", label="D+1", due_on=timezone.localdate(),
                                   assignee=agent.staff)
    group = customers.group_save(actor=manager.actor, name="客户群", criteria={"kind": ["prospect"]})
    job = ImportJob.objects.create(kind="leads", filename="leads.csv", dealer_id=lead.dealer_id,
                                   created_by_label=manager.actor.label, created_by_user_id=manager.actor.user_id)
    from autodcc.customers.models import Vehicle

    vehicle = Vehicle.objects.create(customer=lead.customer, dealer=lead.dealer, vin=f"LVGHIDE{next(_phones):010d}")
    return {
        **{name: lead.pk for name in LEAD_PAGES},
        **{name: lead.customer_id for name in CUSTOMER_PAGES},
        "appointment_confirm": appointment.pk, "defeat_approve": defeat.pk, "defeat_reject": defeat.pk,
        "care_task_done": care.pk, "group_detail": group.pk, "lead_import_detail": job.pk,
        "vehicle_edit": vehicle.pk,
    }


ORDER_PAGES = ("order_detail", "order_step", "order_delivery_update", "order_remind_receipt", "order_accessories")
REFUND_PAGES = ("refund_decide", "refund_execute", "refund_review")


def _order_objects(dealer_code):
    """A paid deposit order of the dealer with a refund requested, keyed by URL name."""
    catalog_demo.build()
    buyer = leads.LeadInput(name="买家", phone=f"1375555{next(_phones):04d}", channel="tmall", dealer=dealer_code,
                            consent_version="2026-01", consent_share_with_dealer=True)
    order = orders.order_create(actor=consumer("tmall"), trim=Trim.objects.get(code="S7-LR"), buyer=buyer)
    payment, _checkout = orders.payment_start(order=order, provider="sandbox", return_url="/")
    order_handlers.sandbox_notify({"kind": "payment", "out_trade_no": payment.out_trade_no,
                                   "amount": str(payment.amount)})  # the sandbox's signed notification, inline
    refund = orders.refund_request(token=order.token, reason="计划有变")
    from autodcc.catalog.models import AccessoryPackage
    from autodcc.orders.models import AccessoryOrder

    accessory = AccessoryOrder.objects.create(order=order, package=AccessoryPackage.objects.first(), parts=[],
                                              promised_on=timezone.localdate() + dt.timedelta(days=12))
    return {**{name: order.pk for name in ORDER_PAGES}, **{name: refund.pk for name in REFUND_PAGES},
            "accessory_step": accessory.pk}


def console_patterns_with_arguments():
    resolver = get_resolver()
    console = next(p for p in resolver.url_patterns if getattr(p, "namespace", None) == "console")
    return [p.name for p in console.url_patterns if isinstance(p, URLPattern) and p.pattern.converters]


def test_every_argument_pattern_is_covered(net):
    covered = set(foreign_objects(net)) | NOT_DEALER_SCOPED
    assert set(console_patterns_with_arguments()) <= covered, "add the new pattern to foreign_objects()"


@pytest.mark.parametrize("who", ["a_manager", "a_gm", "a_supervisor", "a_agent", "a_consultant"])
def test_dealer_a_staff_get_404_for_dealer_b_objects(net, login, who):
    client = login(getattr(net, who))
    for name, pk in foreign_objects(net).items():
        url = reverse(f"console:{name}", args=[pk])
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            if method == "get" and response.status_code == 405:
                continue  # a POST-only action; its POST is checked next
            assert response.status_code in (404, 403), (name, method, response.status_code)
            # 403 only where the role may not use the page at all, even at its own dealer
            if response.status_code == 403:
                own = reverse(f"console:{name}", args=[_own_equivalent(net, name)])
                assert getattr(client, method)(own).status_code == 403, (name, method)


def _own_equivalent(net, name):
    if name.startswith("dealer"):
        return net.dealer_a.pk
    if name.startswith("staff"):
        return net.a_agent.staff.pk
    if name == "leave_cancel":
        now = timezone.now() + dt.timedelta(days=30 + 2 * net.a_agent.staff.leaves.count())
        return services.leave_add(actor=SYSTEM, staff=net.a_agent.staff, starts_at=now,
                                  ends_at=now + dt.timedelta(hours=1)).pk
    if name in LEAD_PAGES or name in CUSTOMER_PAGES or name in {
            "appointment_confirm", "defeat_approve", "defeat_reject", "care_task_done", "group_detail",
            "lead_import_detail", "vehicle_edit"}:
        return _lead_objects(net, "SH-001", net.a_agent, net.a_manager)[name]
    if name in ORDER_PAGES or name in REFUND_PAGES or name == "accessory_step":
        return _order_objects("SH-001")[name]
    if name in {"fleet_toggle", "booking_detail", "booking_action"}:
        return _testdrive_objects(net.dealer_a)[name]
    if name.startswith("insights_"):
        return net.dealer_a.pk
    if name.startswith("campaign") or name == "script_edit":
        return _campaign_objects(net.dealer_a)[name]
    if name.startswith("complaint_"):
        return _complaint_objects("SH-001")[name]
    if name in CARE_VEHICLE_PAGES or name in CARE_TASK_PAGES:
        return _care_objects(net.dealer_a)[name]
    if name == "message_detail":
        return messaging.message_send(event=Event.VISIT_CONFIRMATION, to_phone="13812340001", dealer=net.dealer_a,
                                      context={"name": "客户", "dealer": "上海", "address": "x", "time": "明天",
                                               "consultant": "王"}).pk
    raise AssertionError(name)


def test_managers_who_may_act_get_404_not_403_for_foreign_objects(net, login):
    """A manager holds the capability, so only scope stops them: always 404, never a hint."""
    client = login(net.a_manager)
    objects = foreign_objects(net)
    for name in ("dealer_detail", "staff_detail", "staff_edit", "staff_duty", "staff_leave_add", "leave_cancel"):
        pk = objects[name]
        method = "post" if name in {"staff_duty", "staff_leave_add", "leave_cancel"} else "get"
        assert getattr(client, method)(reverse(f"console:{name}", args=[pk])).status_code == 404, name


def test_managers_get_404_for_foreign_leads_customers_and_groups(net, login):
    client = login(net.a_manager)
    objects = foreign_objects(net)
    for name in (*LEAD_PAGES, *CUSTOMER_PAGES, "appointment_confirm", "defeat_approve", "defeat_reject",
                 "care_task_done", "group_detail", "lead_import_detail"):
        if name == "lead_reallocate":
            continue  # HQ only: refused by capability
        method = "get" if name in {"lead_detail", "customer_detail", "group_detail", "lead_import_detail"} else "post"
        assert getattr(client, method)(reverse(f"console:{name}", args=[objects[name]])).status_code == 404, name
    own = _lead_objects(net, "SH-001", net.a_agent, net.a_manager)
    for name in ("lead_detail", "customer_detail", "group_detail", "lead_import_detail"):
        assert client.get(reverse(f"console:{name}", args=[own[name]])).status_code == 200, name


def test_advisors_and_managers_get_404_for_another_dealers_cars_and_calls(net, login):
    """The after-sales pages: a service advisor or manager of dealer A, who may use them at A,
    meets another dealer's car, booking, visit, mileage and revisit call as not found."""
    advisor = services.staff_create(actor=SYSTEM, username="p-a-sa", name="a_sa", mobile="13800009911",
                                    grants=[("service_advisor", net.dealer_a, None)])
    foreign, own = _care_objects(net.dealer_b), _care_objects(net.dealer_a)
    for staff in (advisor, net.a_manager.staff):
        client = login(type(net.a_manager)("x", staff.user.username, staff, None))
        for name in (*CARE_VEHICLE_PAGES, *CARE_TASK_PAGES):
            method = "get" if name in ("care_vehicle", "care_revisit") else "post"
            url = reverse(f"console:{name}", args=[foreign[name]])
            assert getattr(client, method)(url).status_code == 404, (staff.name, name)
        assert client.get(reverse("console:care_vehicle", args=[own["care_vehicle"]])).status_code == 200
        assert client.get(reverse("console:care_revisit", args=[own["care_revisit"]])).status_code == 200


def test_the_region_and_hq_reach_leads_of_their_dealers(net, login):
    objects = foreign_objects(net)
    dealer_c_lead = _capture("BJ-001")
    client = login(net.regional_manager)
    assert client.get(reverse("console:lead_detail", args=[objects["lead_detail"]])).status_code == 200
    assert client.get(reverse("console:customer_detail", args=[objects["customer_detail"]])).status_code == 200
    assert client.get(reverse("console:lead_detail", args=[dealer_c_lead.pk])).status_code == 404
    client = login(net.hq_marketer)
    assert client.get(reverse("console:lead_detail", args=[dealer_c_lead.pk])).status_code == 200
    assert client.get(reverse("console:group_detail", args=[objects["group_detail"]])).status_code == 200
    assert client.get(reverse("console:lead_import_detail", args=[objects["lead_import_detail"]])).status_code == 200


def test_the_region_and_hq_reach_what_is_theirs(net, login):
    client = login(net.regional_manager)
    assert client.get(reverse("console:dealer_detail", args=[net.dealer_b.pk])).status_code == 200
    assert client.get(reverse("console:dealer_detail", args=[net.dealer_c.pk])).status_code == 404
    client = login(net.hq_service)
    assert client.get(reverse("console:dealer_detail", args=[net.dealer_c.pk])).status_code == 200


def test_the_api_hides_foreign_dealers_too(net, login):
    client = login(net.a_agent)
    assert client.get(f"/api/dealers/{net.dealer_b.pk}").status_code == 404
    assert client.get(f"/api/dealers/{net.dealer_a.pk}").status_code == 200
    assert [d["code"] for d in client.get("/api/dealers").json()] == ["SH-001"]


def test_a_bulk_reassignment_naming_a_foreign_lead_is_404_and_moves_nothing(net, login):
    """The lead list's bulk action takes ids, not an argument in its URL: a foreign id among them is
    a 404 for every role of dealer A that may reassign, and no lead moves."""
    own, foreign = _capture("SH-001"), _capture("HZ-001")
    held = {lead.pk: lead.agent_id for lead in (own, foreign)}
    for who in ("a_manager", "a_gm", "a_supervisor"):
        response = login(getattr(net, who)).post(reverse("console:lead_bulk_reassign"), {
            "lead": [own.pk, foreign.pk], "staff": net.a_agent.staff.pk, "note": "调整"})
        assert response.status_code == 404, who
    from autodcc.leads.models import Lead

    assert dict(Lead.objects.filter(pk__in=held).values_list("pk", "agent_id")) == held
