"""The lead as the hub, in Chromium as the dealer's people use it (desktop 1366 px and phone 390 px).

(A) A customer books a test drive online: the agent finds the lead with its "test drive booked"
badge, the lead page shows the booking as its appointment, and reception registers the arrival
from the day's expected arrivals without typing anything again.
(B) The agent hands the lead over: the consultant lands on their work list and finds it under
"新移交给我".
(C) A buyer pays a deposit and then asks for it back: the lead carries both badges in the list,
and its page warns before anything else.
(D) The agent calls from the lead: the full number with a tel: link, the call logged as a contact."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, Response, expect

from autodcc.core.actors import SYSTEM, consumer
from autodcc.leads.models import AppointmentStatus, Lead, Status
from tests.browser.conftest import go_to

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
ERRORS = re.compile(r'class="errorlist"[^>]*>(.*?)</(?:ul|p|span)>', re.S)


def submit(page: Page, button: Any, path: str) -> Response:
    with page.expect_response(lambda r: r.request.method == "POST" and r.url.endswith(path)) as info:
        button.click()
    response = info.value
    assert response.status == 200, (path, response.status)
    assert not ERRORS.findall(response.text()), path
    return response


def log_out(page: Page, live_server: Any) -> None:
    page.locator("header.app form[action$='/logout/'] button[type=submit]").click()
    expect(page).to_have_url(re.compile(re.escape(f"{live_server.url}/console/login/")))


def both_sizes(page: Page, shot: Any, name: str) -> None:
    """Screenshots at desktop and phone width; at phone width nothing pushes the page sideways."""
    shot(page, f"{name}-1366")
    page.set_viewport_size(PHONE)
    width = page.evaluate("document.documentElement.scrollWidth")
    shot(page, f"{name}-390")
    page.set_viewport_size(DESKTOP)
    assert width <= PHONE["width"], f"{name}: {width}px wide at phone size"


@pytest.fixture
def showroom(live_net: Any, settings: Any, tmp_path: Any) -> Any:
    from autodcc.catalog import demo as catalog_demo
    from autodcc.catalog.models import Trim
    from autodcc.testdrives.models import Vehicle

    settings.MEDIA_ROOT = tmp_path / "media"
    catalog_demo.build()
    trim = Trim.objects.get(code="S7-LR")
    Vehicle.objects.create(dealer=live_net.dealer_a, trim=trim, colour="湖光蓝")
    return trim


def test_an_online_booking_reaches_reception_without_retyping(live_net, live_server, page, log_in, shot, showroom,
                                                             enquiry):
    from autodcc.testdrives import services as td

    day = timezone.localdate() + dt.timedelta(days=2)
    while not td.slot_starts(live_net.dealer_a, day):
        day += dt.timedelta(days=1)
    when = td.slot_starts(live_net.dealer_a, day)[2]
    booking = td.booking_create(actor=consumer("storefront"), trim=showroom, dealer=live_net.dealer_a,
                                starts_at=when, lead=enquiry(channel="storefront", city="", name="周雨"))
    lead_id = booking.lead_id

    page = log_in(live_net.a_agent)
    item = page.locator(f'#wl-new li:has(a[data-lead="{lead_id}"])')
    expect(item.locator('[data-badge="test_drive"]')).to_be_visible()
    both_sizes(page, shot, "worklist-a_agent")
    item.locator(f'a[data-lead="{lead_id}"]').click()
    expect(page).to_have_url(f"{live_server.url}/console/leads/{lead_id}/")
    row = page.locator(f'#appointments tr[data-appointment="{booking.appointment_id}"]')
    expect(row).to_contain_text(booking.number)
    expect(row.locator(f'a[href$="/console/testdrives/{booking.pk}/"]')).to_be_visible()
    expect(page.locator(f'#lead-bookings tr[data-booking="{booking.number}"]')).to_contain_text(
        timezone.localtime(when).strftime("%Y-%m-%d %H:%M"))
    both_sizes(page, shot, "lead-page-online-booking")

    # the day of the visit: reception opens the expected arrivals and registers it in one click
    go_to(page, "arrivals")
    page.goto(f"{live_server.url}/console/arrivals/?day={day.isoformat()}")
    arrival = page.locator(f'#arrival-{booking.appointment_id}')
    expect(arrival).to_contain_text("周雨")
    submit(page, arrival.locator(f'button[data-arrive="{booking.appointment_id}"]'), f"/console/leads/{lead_id}/arrive/")
    expect(page.locator(f"#arrival-{booking.appointment_id}")).to_contain_text("已到店")
    lead = Lead.objects.get(pk=lead_id)
    assert lead.status == Status.ARRIVED and lead.appointments.get().status == AppointmentStatus.ARRIVED
    assert lead.appointments.count() == 1  # nobody typed the visit in a second time


def test_a_handover_lands_on_the_consultants_list(live_net, live_server, page, log_in, shot, enquiry):
    from autodcc.leads.services import lead_capture, lead_register_arrival

    lead = lead_capture(actor=SYSTEM, data=enquiry(dealer="SH-001", name="钱多多")).lead
    lead_register_arrival(actor=live_net.a_agent.actor, lead=lead)
    consultant = live_net.a_consultant

    page = log_in(live_net.a_agent)
    page.goto(f"{live_server.url}/console/leads/{lead.pk}/")
    form = page.locator("#handover-form")
    form.locator("select[name=consultant]").select_option(str(consultant.staff.pk))
    form.locator("textarea[name=note]").fill("关注续航，周末再来")
    submit(page, form.locator("button[type=submit]"), f"/console/leads/{lead.pk}/handover/")
    log_out(page, live_server)

    page = log_in(consultant)
    handed = page.locator("#wl-handed")
    expect(handed.locator(f'a[data-lead="{lead.pk}"]')).to_contain_text("钱多多")
    both_sizes(page, shot, "worklist-a_consultant")
    handed.locator(f'a[data-lead="{lead.pk}"]').click()
    expect(page).to_have_url(f"{live_server.url}/console/leads/{lead.pk}/")
    expect(page.locator("#handovers")).to_contain_text("关注续航，周末再来")


def test_a_deposit_and_a_refund_request_stand_out(live_net, live_server, page, log_in, shot, showroom, enquiry):
    from autodcc.orders.models import Order
    from autodcc.orders.services import order_create, payment_start, refund_request, sandbox_pay

    order = order_create(actor=consumer("tmall"), trim=showroom, edition=None,
                         buyer=enquiry(channel="tmall", dealer="SH-001", city="", name="孙悦"))
    payment, _checkout = payment_start(order=order, provider="sandbox", return_url=f"/store/order/{order.token}/")
    sandbox_pay(out_trade_no=payment.out_trade_no)
    order = Order.objects.get(pk=order.pk)
    page = log_in(live_net.a_agent)
    go_to(page, "leads")
    row = page.locator(f'tr[data-lead="{order.lead_id}"]')
    expect(row.locator('[data-badge="deposit"]')).to_be_visible()
    expect(row.locator('[data-badge="refund"]')).to_have_count(0)

    refund_request(token=order.token, reason="家里人不同意")
    page.reload()
    expect(row.locator('[data-badge="refund"]')).to_be_visible()
    row.locator(f'a[href$="/console/leads/{order.lead_id}/"]').first.click()
    expect(page.locator("#refund-warning")).to_be_visible()
    orders = page.locator(f'#lead-orders tr[data-order="{order.number}"]')
    expect(orders).to_contain_text("家里人不同意")
    expect(orders.locator(f'a[href$="/console/orders/{order.pk}/"]')).to_be_visible()
    both_sizes(page, shot, "lead-page-refund-asked")


def test_the_agent_calls_from_the_lead(live_net, live_server, page, log_in, enquiry):
    from autodcc.leads.services import lead_capture

    lead = lead_capture(actor=SYSTEM, data=enquiry(dealer="SH-001", phone="13911112222")).lead
    page = log_in(live_net.a_agent)
    page.goto(f"{live_server.url}/console/leads/{lead.pk}/")
    expect(page.locator("#lead-phone")).to_contain_text("139****2222")
    submit(page, page.locator("#call-button"), f"/console/leads/{lead.pk}/call/")
    expect(page.locator('#lead-phone a[href="tel:+8613911112222"]')).to_be_visible()
    form = page.locator("#follow-up-form")
    expect(form.locator("input[name=recording_ref]")).to_have_value(re.compile(rf"^{lead.number}-"))
    form.locator("select[name=result]").select_option("reached")
    submit(page, form.locator("button[type=submit]"), f"/console/leads/{lead.pk}/follow-up/")
    contact = Lead.objects.get(pk=lead.pk).contacts.get()
    assert contact.kind == "call_out" and contact.recording_ref.startswith(lead.number)


def test_the_agent_books_a_test_drive_on_the_phone(live_net, live_server, page, log_in, shot, showroom, enquiry):
    from autodcc.leads.services import lead_capture

    lead = lead_capture(actor=SYSTEM, data=enquiry(dealer="SH-001", name="冯女士")).lead
    page = log_in(live_net.a_agent)
    page.goto(f"{live_server.url}/console/leads/{lead.pk}/")
    with page.expect_response(lambda r: f"/console/leads/{lead.pk}/test-drive/" in r.url):
        page.locator("details#testdrive > summary").click()
    form = page.locator("#testdrive-form")
    expect(form.locator("select[name=starts_at] option").first).to_be_attached()
    form.locator("select[name=starts_at]").select_option(index=1)
    chosen = form.locator("select[name=starts_at]").input_value()
    submit(page, form.locator("button[type=submit]"), f"/console/leads/{lead.pk}/test-drive/")
    booking = Lead.objects.get(pk=lead.pk).testdrive_bookings.get()
    assert booking.starts_at == dt.datetime.fromisoformat(chosen)
    expect(page.locator(f'#lead-bookings tr[data-booking="{booking.number}"]')).to_be_visible()
    expect(page.locator(f'#appointments tr[data-appointment="{booking.appointment_id}"]')).to_contain_text(
        booking.number)
    shot(page, "lead-page-staff-booked-test-drive-1366")
