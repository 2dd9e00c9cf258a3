"""The lead as the hub: what the customer did online reaches the person who calls; each milestone
is recorded once; the holder calls the customer from the lead; nobody closes a lead nobody called."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from autodcc.core.actors import SYSTEM, consumer
from autodcc.core.errors import DomainError
from autodcc.core.models import AuditLog
from autodcc.leads import services as leads
from autodcc.leads import telephony
from autodcc.leads.models import Appointment, AppointmentStatus, ContactKind, DealerLeadSettings, Lead, Status
from autodcc.leads.selectors import arrivals_on, work_list
from autodcc.messaging.models import Event, Message
from autodcc.orders.models import OrderStatus, RefundStatus
from autodcc.orders.services import order_record_step, refund_dealer_decide, refund_execute, refund_request
from autodcc.testdrives import services as td
from autodcc.testdrives.models import Vehicle

HX = {"HTTP_HX_REQUEST": "true"}


def url(name, *args):
    return reverse(f"console:{name}", args=args)


def html(response):
    return response.content.decode()


def visit_time(days=3, hour=10):
    day = timezone.localdate() + dt.timedelta(days=days)
    while day.isoweekday() > 5:  # the test dealers open on weekdays at least
        day += dt.timedelta(days=1)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


@pytest.fixture
def booked(net, catalogue, enquiry):
    """An online test-drive booking at dealer A (TD…), as the store makes it."""
    Vehicle.objects.create(dealer=net.dealer_a, trim=catalogue["s7"], colour="湖光蓝")

    def make(days=3, slot=1, **who):
        when = slot_at(net.dealer_a, days, slot)
        return td.booking_create(actor=consumer("storefront"), trim=catalogue["s7"], dealer=net.dealer_a,
                                 starts_at=when, lead=enquiry(channel="storefront", city="", **who))

    return make


def slot_at(dealer, days, slot):
    """The dealer's ``slot``-th test-drive start time ``days`` from now (on an open day)."""
    day = timezone.localdate() + dt.timedelta(days=days)
    while not td.slot_starts(dealer, day):
        day += dt.timedelta(days=1)
    return td.slot_starts(dealer, day)[slot]


# --- 1. an online booking is the lead's appointment, once -----------------------------------------


def test_an_online_booking_is_the_leads_appointment(net, login, booked, django_capture_on_commit_callbacks):
    booking = booked()
    when = booking.starts_at
    lead = booking.lead
    appointment = Appointment.objects.get(lead=lead)
    assert booking.appointment == appointment and appointment.scheduled_at == when
    assert appointment.status == AppointmentStatus.SCHEDULED and appointment.created_by is None
    lead.refresh_from_db()
    assert lead.status == Status.NEW  # nobody has called yet: still on the agent's "to call" list
    assert lead.invited_at is not None and lead.expected_visit_on == timezone.localdate(when)
    assert appointment in arrivals_on(actor=net.a_agent.actor, day=timezone.localdate(when))
    # the agent re-enters the same visit: nothing new, no second message naming them
    with django_capture_on_commit_callbacks(execute=True):
        again = leads.lead_invite(actor=net.a_agent.actor, lead=lead, scheduled_at=when)
    assert again == appointment and Appointment.objects.filter(lead=lead).count() == 1
    assert not Message.objects.filter(event=Event.VISIT_CONFIRMATION).exists()
    assert Message.objects.filter(event=Event.BOOKING_CONFIRMATION, related_id=str(booking.pk)).count() == 1
    # the lead page links the booking from the appointment and from "online"
    page = html(login(net.a_agent).get(url("lead_detail", lead.pk)))
    assert page.count(url("booking_detail", booking.pk)) == 2 and booking.number in page
    assert 'data-badge="test_drive"' in page
    # the day's expected arrivals count it
    arrivals = html(login(net.a_agent).get(url("arrivals") + f"?day={timezone.localdate(when).isoformat()}"))
    assert f'/console/leads/{lead.pk}/' in arrivals


def test_a_cancelled_booking_cancels_the_visit(net, booked):
    booking = booked()
    td.booking_cancel(actor=SYSTEM, booking=booking, by_token=booking.token)
    appointment = Appointment.objects.get(lead=booking.lead)
    assert appointment.status == AppointmentStatus.CANCELLED
    assert not arrivals_on(actor=net.a_agent.actor, day=timezone.localdate(booking.starts_at)).exists()


def test_a_booking_replaces_an_earlier_visit_of_the_same_lead(net, booked, enquiry):
    lead = leads.lead_capture(actor=SYSTEM, data=enquiry(dealer="SH-001")).lead
    earlier = leads.lead_invite(actor=net.a_agent.actor, lead=lead, scheduled_at=visit_time(2, 15))
    booking = booked(days=4, slot=2, phone=lead.customer.phone)
    assert booking.lead == lead
    earlier.refresh_from_db()
    assert earlier.status == AppointmentStatus.CANCELLED and booking.number in earlier.note
    assert list(lead.appointments.filter(status=AppointmentStatus.SCHEDULED)) == [booking.appointment]


# --- 2. a handover reaches the consultant -----------------------------------------------------------


def test_a_handover_lands_on_the_consultants_list_with_a_message(net, login, enquiry,
                                                                 django_capture_on_commit_callbacks):
    lead = leads.lead_capture(actor=SYSTEM, data=enquiry(dealer="SH-001", name="韩梅梅")).lead
    leads.lead_register_arrival(actor=net.a_agent.actor, lead=lead)
    consultant = net.a_consultant
    assert lead not in work_list(actor=consultant.actor).handed_to_me
    with django_capture_on_commit_callbacks(execute=True):
        leads.lead_handover(actor=net.a_agent.actor, lead=lead, to_staff=consultant.staff, note="想看 S7 长续航")
    assert [x.pk for x in work_list(actor=consultant.actor).handed_to_me] == [lead.pk]
    page = html(login(consultant).get(url("worklist")))
    assert 'id="wl-handed"' in page and f'data-lead="{lead.pk}"' in page
    message = Message.objects.get(event=Event.LEAD_HANDOVER)
    assert message.recipient_staff_id == consultant.staff.pk and message.related_id == str(lead.pk)
    assert "韩梅梅" in message.body and "想看 S7 长续航" in message.body
    assert message.body.endswith(f"/console/leads/{lead.pk}/")
    # once the consultant has presented the car it is no longer "new"
    leads.lead_record_step(actor=consultant.actor, lead=lead, step="presented")
    assert work_list(actor=consultant.actor).handed_to_me == []


# --- 3. a deposit and its refund stand out ------------------------------------------------------------


def test_a_paid_deposit_and_a_refund_request_stand_out(net, login, paid_order, django_capture_on_commit_callbacks):
    order = paid_order(name="林小姐")
    order.colour = "湖光蓝"
    order.save(update_fields=["colour"])
    lead = order.lead
    client = login(net.a_agent)
    work = html(client.get(url("lead_list")))
    row = work[work.index(f'data-lead="{lead.pk}"'):]
    row = row[:row.index("</tr>")]
    assert 'data-badge="deposit"' in row and 'data-badge="refund"' not in row
    page = html(client.get(url("lead_detail", lead.pk)))
    assert url("order_detail", order.pk) in page and "湖光蓝" in page and "¥500.00" in page
    assert 'id="refund-warning"' not in page
    assert client.get(url("order_detail", order.pk)).status_code == 200  # the DCC agent follows the order
    refund_request(token=order.token, reason="买了别的车")
    page = html(client.get(url("lead_detail", lead.pk)))
    assert 'id="refund-warning"' in page and "买了别的车" in page and 'data-badge="refund"' in page
    # the buyer hears of the approval and of the money, each with the order's link
    refund = order.refunds.get()
    with django_capture_on_commit_callbacks(execute=True):
        refund_dealer_decide(actor=net.a_manager.actor, refund=refund, approve=True)
    with django_capture_on_commit_callbacks(execute=True):
        refund_execute(actor=net.hq_service.actor, refund=refund)
    refund.refresh_from_db()
    assert refund.status == RefundStatus.SUCCEEDED
    link = f"/store/order/{order.token}/"
    for event in (Event.REFUND_APPROVED, Event.REFUND_PAID):
        message = Message.objects.get(event=event, related_id=str(order.pk))
        assert message.recipient_phone == order.customer.phone and message.body.endswith(link), event


def test_another_dealers_staff_see_none_of_it(net, login, paid_order):
    order = paid_order()
    for who in ("b_agent", "b_manager"):
        client = login(getattr(net, who))
        assert client.get(url("lead_detail", order.lead_id)).status_code == 404, who
        assert client.get(url("order_detail", order.pk)).status_code == 404, who
        assert f'data-lead="{order.lead_id}"' not in html(client.get(url("lead_list"))), who


# --- 4. one record of each milestone ---------------------------------------------------------------------


def test_the_orders_milestones_are_the_leads(net, login, paid_order):
    order = paid_order()
    lead = order.lead
    leads.lead_follow_up(actor=net.a_agent.actor, lead=lead, kind=ContactKind.CALL_OUT, result="reached")
    consultant = net.a_consultant
    leads.lead_register_arrival(actor=net.a_agent.actor, lead=lead)
    leads.lead_handover(actor=net.a_agent.actor, lead=lead, to_staff=consultant.staff)
    page = html(login(consultant).get(url("lead_detail", lead.pk)))
    assert 'data-step="ordered"' not in page and 'data-step="delivered"' not in page  # on the order, once
    assert url("order_detail", order.pk) in page
    order_record_step(actor=consultant.actor, order=order, step="contracted")
    lead.refresh_from_db()
    assert lead.status == Status.ORDERED and lead.ordered_at is not None and lead.ordered_by == consultant.staff
    order.refresh_from_db()
    order_record_step(actor=consultant.actor, order=order, step="delivered", vin=f"LVGTEST{order.pk:010d}")
    lead.refresh_from_db()
    assert lead.status == Status.DELIVERED and lead.delivered_at is not None
    assert lead.care_tasks.exists()  # the post-delivery calls are planned, as for a delivery on the lead
    actions = list(AuditLog.objects.filter(object_type="leads.lead", object_id=str(lead.pk))
                   .values_list("action", flat=True))
    assert actions.count("lead.ordered") == 1 and actions.count("lead.delivered") == 1


def test_a_store_visit_on_the_order_is_the_leads_arrival(net, paid_order):
    order = paid_order()
    order_record_step(actor=net.a_consultant.actor, order=order, step="visited")
    lead = Lead.objects.get(pk=order.lead_id)
    assert order.status == OrderStatus.PAID  # the object passed in; the row moved on
    assert lead.status == Status.ARRIVED and lead.arrived_at is not None


# --- 5. calling the customer ------------------------------------------------------------------------------


def test_the_holder_reveals_the_number_and_calls_it(net, login, enquiry, django_capture_on_commit_callbacks):
    lead = leads.lead_capture(actor=SYSTEM, data=enquiry(dealer="SH-001", phone="13912345678")).lead
    assert lead.agent == net.a_agent.staff
    client = login(net.a_agent)
    page = html(client.get(url("lead_detail", lead.pk)))
    assert "139****5678" in page and "13912345678" not in page and 'id="call-button"' in page
    telephony.ConsoleTelephony.placed.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("lead_call", lead.pk), **HX)
    assert response.status_code == 200
    page = html(response)
    assert 'href="tel:+8613912345678"' in page
    row = AuditLog.objects.get(action="lead.dial", object_id=str(lead.pk))
    assert row.actor_label == net.a_agent.staff.name
    reference = row.changes["call"][1]
    assert [c.reference for c in telephony.ConsoleTelephony.placed] == [reference]
    assert f'value="{reference}"' in page  # the follow-up form is ready to log the call under its reference
    # the result is logged as a contact of that call
    client.post(url("lead_follow_up", lead.pk), {"kind": "call_out", "result": "reached", "recording_ref": reference})
    assert lead.contacts.get().recording_ref == reference


def test_only_the_holder_or_a_supervisor_may_call(net, login, enquiry):
    lead = leads.lead_capture(actor=SYSTEM, data=enquiry(dealer="SH-001")).lead
    other = net.a_consultant  # same dealer, does not hold this lead: cannot even see it
    assert login(other).post(url("lead_call", lead.pk)).status_code == 404
    assert login(net.a_supervisor).post(url("lead_call", lead.pk)).status_code == 200
    assert login(net.b_agent).post(url("lead_call", lead.pk)).status_code == 404
    assert AuditLog.objects.filter(action="lead.dial").count() == 1


# --- 6. no defeat without a contact -----------------------------------------------------------------------


def test_a_defeat_needs_a_contact_attempt_and_the_manager_sees_them(net, login, enquiry,
                                                                    django_capture_on_commit_callbacks):
    lead = leads.lead_capture(actor=SYSTEM, data=enquiry(dealer="SH-001")).lead
    client = login(net.a_agent)
    response = client.post(url("lead_defeat", lead.pk), {"kind": "defeat", "reason": "price", "note": "嫌贵"}, **HX)
    assert response.status_code == 200 and "至少记录一次联系" in html(response)
    assert not lead.defeats.exists()
    client.post(url("lead_follow_up", lead.pk), {"kind": "call_out", "result": "no_answer", "note": "第一次未接"})
    client.post(url("lead_defeat", lead.pk), {"kind": "defeat", "reason": "price", "note": "嫌贵"})
    request = lead.defeats.get()
    queue = html(login(net.a_manager).get(url("approvals")))
    card = queue[queue.index(f'id="defeat-{request.pk}"'):]
    assert 'data-contacts="1"' in card[:card.index("</article>")] and "第一次未接" in card
    # the manager sends it back: the agent is told, with the link
    with django_capture_on_commit_callbacks(execute=True):
        login(net.a_manager).post(url("defeat_reject", request.pk), {"note": "再跟进一次"})
    message = Message.objects.get(event=Event.DEFEAT_REJECTED)
    assert message.recipient_staff_id == net.a_agent.staff.pk and "再跟进一次" in message.body


def test_a_dealer_may_allow_a_defeat_without_a_contact(net, enquiry):
    DealerLeadSettings.objects.update_or_create(dealer=net.dealer_a, defaults={"defeat_needs_contact": False})
    lead = leads.lead_capture(actor=SYSTEM, data=enquiry(dealer="SH-001")).lead
    assert leads.lead_request_defeat(actor=net.a_agent.actor, lead=lead, kind="defeat", reason="price").pk


# --- 7. a confirmed visit's panel folds away ------------------------------------------------------------


def test_a_confirmed_visit_no_longer_asks_to_be_confirmed(net, login, enquiry):
    lead = leads.lead_capture(actor=SYSTEM, data=enquiry(dealer="SH-001")).lead
    appointment = leads.lead_invite(actor=net.a_agent.actor, lead=lead, scheduled_at=visit_time())
    client = login(net.a_agent)
    page = html(client.get(url("lead_detail", lead.pk)))
    assert f'<details open id="confirm-{appointment.pk}"' in page
    client.post(url("appointment_confirm", appointment.pk), {"outcome": "confirmed"})
    page = html(client.get(url("lead_detail", lead.pk)))
    assert f'id="confirm-{appointment.pk}"' in page and f'<details open id="confirm-{appointment.pk}"' not in page


# --- 8. staff book a test drive from the lead ---------------------------------------------------------------


def test_staff_book_a_test_drive_from_the_lead(net, login, enquiry, catalogue, django_capture_on_commit_callbacks):
    Vehicle.objects.create(dealer=net.dealer_a, trim=catalogue["s7"])
    lead = leads.lead_capture(actor=SYSTEM, data=enquiry(dealer="SH-001", name="郑先生")).lead
    client = login(net.a_agent)
    page = html(client.get(url("lead_detail", lead.pk)))
    assert 'id="testdrive"' in page
    form = html(client.get(url("lead_testdrive", lead.pk), **HX))
    when = slot_at(net.dealer_a, 3, 1)
    assert f'value="{when.isoformat()}"' in form and str(catalogue["s7"]) in form
    data = {"trim": catalogue["s7"].pk, "starts_at": when.isoformat()}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("lead_testdrive", lead.pk), data, **HX)
    assert response.status_code == 200 and response["HX-Retarget"] == "#lead-body"
    booking = lead.testdrive_bookings.get()
    assert booking.starts_at == when and booking.appointment.lead == lead and Lead.objects.count() == 1
    assert Message.objects.filter(event=Event.BOOKING_CONFIRMATION, related_id=str(booking.pk)).count() == 1
    client.post(url("lead_testdrive", lead.pk), data, **HX)  # a double click books once
    assert lead.testdrive_bookings.count() == 1
    # the slot is gone for anyone else; a time not offered is refused on the form
    other = leads.lead_capture(actor=SYSTEM, data=enquiry(dealer="SH-001", phone="13700001111")).lead
    refused = html(client.post(url("lead_testdrive", other.pk), data, **HX))
    assert "errorlist" in refused and not other.testdrive_bookings.exists()
    assert login(net.b_agent).post(url("lead_testdrive", lead.pk), data).status_code == 404


def test_the_order_page_shows_colour_phone_and_the_lead(net, login, paid_order):
    order = paid_order(name="褚先生", phone="13955556666")
    order.colour = "星河银"
    order.save(update_fields=["colour"])
    page = html(login(net.a_manager).get(url("order_detail", order.pk)))
    assert "星河银" in page and "139****6666" in page and "13955556666" not in page
    assert url("lead_detail", order.lead_id) in page
    hq = html(login(net.hq_service).get(url("order_detail", order.pk)))
    assert "139****6666" in hq


# --- what a second reading found ---------------------------------------------------------------------------


def test_a_booked_visit_moves_only_with_its_test_drive(net, booked):
    booking = booked()
    appointment = booking.appointment
    with pytest.raises(DomainError) as refused:
        leads.appointment_confirm(actor=net.a_agent.actor, appointment=appointment, outcome="cancelled")
    assert refused.value.code == "appointment.is_booking" and booking.number in refused.value.message
    with pytest.raises(DomainError):
        leads.lead_invite(actor=net.a_agent.actor, lead=booking.lead, scheduled_at=visit_time(5, 11))
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.SCHEDULED
    leads.appointment_confirm(actor=net.a_agent.actor, appointment=appointment, outcome="confirmed")  # still fine


def test_a_reallocated_lead_leaves_the_old_dealers_order_behind(net, login, paid_order):
    from autodcc.leads.services import lead_reallocate

    order = paid_order()
    lead = order.lead
    lead_reallocate(actor=net.hq_marketer.actor, lead=lead, dealer=net.dealer_b, note="客户搬到杭州")
    page = html(login(net.b_manager).get(url("lead_detail", lead.pk)))
    assert order.number not in page and 'data-badge="deposit"' not in page
    order_record_step(actor=net.a_manager.actor, order=order, step="visited")  # dealer A's own order
    lead.refresh_from_db()
    assert lead.arrived_at is None and lead.dealer == net.dealer_b  # B's lead is not A's to stamp


def test_staff_never_read_a_code_or_a_private_link_in_the_outbox(net, login, client):
    from autodcc.messaging.models import Message as Sent

    client.post(reverse("store:mine"), {"phone": "13912340000"})
    message = Sent.objects.get(event=Event.VERIFICATION_CODE)
    code = message.data["code"]
    page = html(login(net.hq_service).get(url("message_detail", message.pk)))
    assert code not in page and "••••••" in page


def test_the_lead_refuses_a_contract_its_deposit_order_should_record(net, paid_order):
    order = paid_order()
    lead = order.lead
    leads.lead_register_arrival(actor=net.a_agent.actor, lead=lead)
    leads.lead_handover(actor=net.a_agent.actor, lead=lead, to_staff=net.a_consultant.staff)
    with pytest.raises(DomainError) as refused:
        leads.lead_record_step(actor=net.a_consultant.actor, lead=lead, step="ordered")
    assert refused.value.code == "lead.step_on_order" and order.number in refused.value.message
    leads.lead_record_step(actor=net.a_consultant.actor, lead=lead, step="presented")  # the rest is the lead's
