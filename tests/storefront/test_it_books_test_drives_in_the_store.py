"""Test-drive booking in the store (TD-1..3): the four steps, the lead at the chosen dealer with a
confirmation message, refused input with its message and nothing saved, one booking per double
submit and per slot, cancel, the report after the drive, and the rate limit."""

from __future__ import annotations

import datetime as dt
import re
import threading
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone, translation
from django.utils.translation import gettext
from store_helpers import build_catalogue, local, next_open_day

from autodcc.catalog.models import Trim
from autodcc.leads.models import Lead
from autodcc.leads.selectors import work_list
from autodcc.messaging.models import Event, Message
from autodcc.testdrives import services as td
from autodcc.testdrives.models import Booking, BookingStatus, Report, Vehicle

pytestmark = pytest.mark.django_db

URL = "/store/testdrive/"


def post_data(day: dt.date, hour: int = 10, minute: int = 30, **overrides: Any) -> dict[str, Any]:
    data = {
        "trim": "s7-long-range", "dealer": "SH-001",
        "starts_at": f"{day.isoformat()}T{hour:02d}:{minute:02d}",
        "city": "", "name": "王芳", "phone": "13912340001", "consent_privacy": "on",
        "consent_share_with_dealer": "on",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def counts() -> tuple[int, int]:
    return Booking.objects.count(), Lead.objects.count()


def test_the_steps_lead_from_car_to_contact_form(shop, client):
    html = client.get(URL).content.decode()
    assert 'href="/store/testdrive/?trim=s7-long-range"' in html
    html = client.get(URL + "?trim=s7-long-range").content.decode()
    assert 'name="city"' in html and "上海" in html  # a city field and the cities that have the car
    html = client.get(URL + "?trim=s7-long-range&city=上海").content.decode()
    assert 'data-dealer="SH-001"' in html and "浦东新区龙阳路 2000 号" in html and "02158880001" in html
    day = next_open_day()
    html = client.get(URL + f"?trim=s7-long-range&city=上海&dealer=SH-001&day={day}").content.decode()
    assert len(re.findall(r'class="day[ "]', html)) == 14 and 'data-time="10:30"' in html
    step4 = f"?trim=s7-long-range&city=上海&dealer=SH-001&day={day}&time=10:30"
    html = client.get(URL + step4).content.decode()
    assert 'name="consent_privacy"' in html and 'name="consent_share_with_dealer"' in html
    assert "隐私政策" in html and "store-2026-01" not in html  # the consent's version is stored, not shown
    assert "我同意将我的信息提供给经销商（上海浦东" in html  # full-width brackets in Chinese text
    assert f'value="{day}T10:30"' in html and 'name="csrfmiddlewaretoken"' in html


def test_an_unknown_city_is_refused_in_chinese(shop, client):
    html = client.get(URL + "?trim=s7-long-range&city=火星").content.decode()
    assert "未知城市“火星”" in html


def test_a_city_without_a_dealer_suggests_the_nearest(shop, client):
    html = client.get(URL + "?trim=s7-long-range&city=苏州").content.decode()
    assert html.index('data-dealer="SH-001"') < html.index('data-dealer="HZ-001"')


def test_a_taken_time_is_not_offered(shop, client):
    day = next_open_day()
    client.post(URL, post_data(day, 11))
    html = client.get(URL + f"?trim=s7-long-range&dealer=SH-001&day={day}").content.decode()
    assert 'data-time="11:30"' not in html and 'data-time="12:30"' in html  # one S7 at dealer A
    html = client.get(URL + f"?trim=s7-long-range&dealer=SH-001&day={day}&time=11:30").content.decode()
    assert 'name="consent_privacy"' not in html and 'class="notice error"' in html


def test_booking_creates_a_lead_at_the_dealer_and_a_confirmation(shop, client):
    day = next_open_day()
    response = client.post(URL, post_data(day, city="杭州"))
    booking = Booking.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/store/testdrive/{booking.token}/"
    assert booking.dealer == shop.dealer_a and booking.starts_at == local(day, 10)
    lead = booking.lead
    assert lead.dealer == shop.dealer_a and lead.channel == "storefront"  # the chosen dealer, not the city's
    assert lead.customer.phone == "+8613912340001" and lead.consent.version == "store-2026-01"
    assert lead.consent.share_with_dealer and not lead.consent.marketing
    assert Message.objects.filter(event=Event.BOOKING_CONFIRMATION, related_id=str(booking.pk)).count() == 1
    assert lead in work_list(actor=shop.a_agent.actor).new_leads
    html = client.get(response["Location"]).content.decode()
    assert booking.number in html and "浦东新区龙阳路 2000 号" in html and 'id="cancel-booking"' in html


@pytest.mark.parametrize(("overrides", "field", "chinese"), [
    ({"starts_at": "PAST"}, "starts_at", None),
    ({"starts_at": "EVENING"}, "starts_at", None),
    ({"starts_at": "EARLY"}, "starts_at", None),
    ({"phone": "12345"}, "phone", "不是有效的中国大陆手机号码"),
    ({"consent_privacy": None}, "consent_privacy", None),
    ({"consent_share_with_dealer": None}, "consent_share_with_dealer", None),
    ({"name": ""}, "name", "这个字段是必填项"),
    ({"starts_at": "garbage"}, "starts_at", None),
])
def test_bad_input_is_shown_on_its_field_and_nothing_is_saved(shop, client, overrides, field, chinese):
    day = next_open_day()
    times = {"PAST": (timezone.localtime() - dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:30"),
             "EVENING": f"{day}T19:30", "EARLY": f"{day}T07:30"}
    overrides = {k: times.get(v, v) if isinstance(v, str) else v for k, v in overrides.items()}
    before = counts()
    response = client.post(URL, post_data(day, **overrides))
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors.get(field), form.errors
    html = response.content.decode()
    assert f'data-field="{field}"' in html
    if chinese:
        assert chinese in html
    assert counts() == before and not Message.objects.exists()


def test_the_domain_messages_reach_the_form(shop, client):
    """Past and out-of-hours slots are refused by the booking service; its message is shown."""
    day = next_open_day()
    response = client.post(URL, post_data(day, 19))
    with translation.override("zh-hans"):
        message = "The dealer is open %(opens)s–%(closes)s; please choose a time within opening hours."
        expected = gettext(message) % {"opens": "08:30", "closes": "18:00"}
    assert response.context["form"].errors["starts_at"] == [expected]


def test_a_double_submit_makes_one_booking(shop, client):
    trim = Trim.objects.get(slug="s7-long-range")
    Vehicle.objects.create(dealer=shop.dealer_a, trim=trim, colour="星辰白")  # two cars: the slot stays free
    day = next_open_day()
    data = post_data(day, submission="a" * 32)
    first = client.post(URL, data)
    second = client.post(URL, data)
    assert Booking.objects.count() == 1 and Lead.objects.count() == 1
    assert first["Location"] == second["Location"]
    # the same person pressing again from a fresh form (another submission token) still gets their booking
    third = client.post(URL, post_data(day, submission="b" * 32))
    assert third["Location"] == first["Location"] and Booking.objects.count() == 1


def test_someone_else_on_a_taken_slot_gets_the_slot_taken_message(shop, client):
    day = next_open_day()
    client.post(URL, post_data(day))
    response = client.post(URL, post_data(day, phone="13912340002", name="赵磊"))
    with translation.override("zh-hans"):
        taken = gettext("Sorry, this time has just been booked by someone else. Please choose another time.")
    assert response.context["form"].errors["starts_at"] == [taken]
    assert Booking.objects.count() == 1 and Lead.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_parallel_bookings_of_one_slot_one_wins(live_net):
    build_catalogue()
    assert Vehicle.objects.filter(dealer=live_net.dealer_a).count() == 1
    day = next_open_day()
    barrier = threading.Barrier(2)
    results: dict[int, Any] = {}

    def book(n: int) -> None:
        try:
            client = Client()
            barrier.wait(timeout=10)
            response = client.post(URL, post_data(day, 14, phone=f"1391234100{n}", name=f"客户{n}"))
            results[n] = "booked" if response.status_code == 302 else \
                list(response.context["form"].errors.get("starts_at", []))
        finally:
            connection.close()

    threads = [threading.Thread(target=book, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    with translation.override("zh-hans"):
        taken = gettext("Sorry, this time has just been booked by someone else. Please choose another time.")
    assert sorted(map(str, results.values())) == sorted(["booked", str([taken])]), results
    assert Booking.objects.filter(starts_at=local(day, 14)).count() == 1 and Lead.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_same_form_sent_twice_at_once_makes_one_booking(live_net):
    build_catalogue()
    s7 = Trim.objects.get(slug="s7-long-range")
    Vehicle.objects.create(dealer=live_net.dealer_a, trim=s7)  # a second car: the slot stays free
    day = next_open_day()
    data = post_data(day, 15, submission="c" * 32)
    barrier = threading.Barrier(2)
    locations: list[str] = []

    def submit() -> None:
        try:
            client = Client()
            barrier.wait(timeout=10)
            locations.append(client.post(URL, data)["Location"])
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    booking = Booking.objects.get()
    assert locations == [f"/store/testdrive/{booking.token}/"] * 2 and Lead.objects.count() == 1


def test_the_consumer_cancels_while_booked(shop, client):
    client.post(URL, post_data(next_open_day()))
    booking = Booking.objects.get()
    response = client.post(f"/store/testdrive/{booking.token}/cancel/")
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED
    html = client.get(f"/store/testdrive/{booking.token}/").content.decode()
    assert 'id="cancel-booking"' not in html
    assert client.post("/store/testdrive/nope/cancel/").status_code == 404
    assert client.get("/store/testdrive/nope/").status_code == 404
    assert client.get(f"/store/testdrive/{booking.token}/cancel/").status_code == 405


def test_after_the_drive_the_consumer_reports(shop, client):
    client.post(URL, post_data(next_open_day()))
    booking = Booking.objects.get()
    status_url = f"/store/testdrive/{booking.token}/"
    assert 'id="report"' not in client.get(status_url).content.decode()  # not before the drive
    td.booking_complete(actor=shop.a_consultant.actor, booking=booking)
    assert 'id="report"' in client.get(status_url).content.decode()
    ratings = {"overall": "5", "driving": "4", "comfort": "4", "service": "5"}
    bad = client.post(status_url + "report/", {**ratings, "overall": "9"})
    assert "选择一个有效的选项" in bad.context["report_form"].errors["overall"][0]
    assert not Report.objects.exists()
    good = client.post(status_url + "report/", {**ratings, "likely_to_buy": "on", "comments": "动力很好"})
    assert good.status_code == 302
    report = Report.objects.get()
    assert report.booking == booking and report.overall == 5 and report.likely_to_buy
    assert report.comments == "动力很好"
    html = client.get(status_url).content.decode()
    assert 'id="report"' not in html
    again = client.post(status_url + "report/", ratings)
    assert again.status_code == 302 and Report.objects.count() == 1


def test_too_many_posts_get_a_friendly_message_and_nothing_is_saved(shop, client, settings):
    settings.STORE_POST_RATE = "2/m"
    day = next_open_day()
    client.post(URL, post_data(day, phone="12"))
    client.post(URL, post_data(day, phone="12"))
    response = client.post(URL, post_data(day))
    assert response.status_code == 429 and counts() == (0, 0)
    from autodcc.storefront.views.common import RATE_LIMITED

    with translation.override("zh-hans"):
        assert str(RATE_LIMITED) in response.content.decode()
    assert client.get(URL).status_code == 200  # browsing is never limited


def test_csrf_is_enforced(shop):
    client = Client(enforce_csrf_checks=True)
    assert client.post(URL, post_data(next_open_day())).status_code == 403
    assert counts() == (0, 0)
