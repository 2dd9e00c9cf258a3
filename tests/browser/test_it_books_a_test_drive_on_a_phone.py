"""A consumer on a phone books a test drive in the store, as a person would, and the lead lands on
the chosen dealer's DCC agent's work list. Every store page is photographed at phone size."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 812}


@pytest.fixture
def store(live_net: Any, settings: Any, tmp_path: Any) -> Any:
    """The persona network with the demo catalogue (pictures in a temporary folder) and test-drive cars."""
    from autodcc.catalog import demo as catalog_demo
    from autodcc.testdrives import demo as testdrive_demo

    settings.MEDIA_ROOT = tmp_path / "media"
    catalog_demo.build()
    testdrive_demo.build()
    return live_net


@pytest.fixture
def csp_violations(page: Page) -> list[str]:
    found: list[str] = []
    page.on("console", lambda m: found.append(m.text) if "Content Security Policy" in m.text else None)
    return found


def next_open_day(dealer: Any) -> dt.date:
    from autodcc.core import workhours

    day = timezone.localdate() + dt.timedelta(days=1)
    while not workhours.is_open_day(day, dealer.open_weekdays):
        day += dt.timedelta(days=1)
    return day


def _fits_the_screen(page: Page) -> None:
    """Nothing pushes the page sideways (wide tables scroll inside their own box)."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"page is {width}px wide at {page.url}"


def test_a_consumer_books_a_test_drive_on_a_phone(store, live_server, page: Page, shot, csp_violations):
    net = store
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/store/")
    expect(page).to_have_title(re.compile("澜川汽车"))
    expect(page.locator(".series-card")).to_have_count(3)
    _fits_the_screen(page)
    shot(page, "store-home")

    # step 1: the booking entry, then the car
    page.locator("#cta-booking").click()
    expect(page.locator("#step-1")).to_be_visible()
    shot(page, "store-booking-1-car")
    page.locator('a.pick[data-trim="s7-long-range"]').click()

    # step 2: the city, then a suggested dealer
    expect(page.locator("#step-2")).to_be_visible()
    page.locator("#step-2 input[name=city]").fill("上海")
    page.locator("#step-2 button[type=submit]").click()
    dealer_link = page.locator('a.pick[data-dealer="SH-001"]')
    expect(dealer_link).to_be_visible()
    expect(dealer_link).to_contain_text("浦东新区龙阳路 2000 号")
    _fits_the_screen(page)
    shot(page, "store-booking-2-dealer")
    dealer_link.click()

    # step 3: a day in the next two weeks, then a free time
    expect(page.locator("#step-3")).to_be_visible()
    expect(page.locator("ul.days > li")).to_have_count(14)
    day = next_open_day(net.dealer_a)
    page.locator(f'a.day[data-date="{day.isoformat()}"]').click()
    free = page.locator("ul.slots a.slot")
    expect(free.first).to_be_visible()
    chosen_time = free.first.get_attribute("data-time")
    _fits_the_screen(page)
    shot(page, "store-booking-3-time")
    free.first.click()

    # step 4: contact and the two separate consents
    expect(page.locator("#step-4")).to_be_visible()
    expect(page.locator("#chosen-time")).to_contain_text(chosen_time)
    page.locator("input[name=name]").fill("王芳")
    page.locator("input[name=phone]").fill("13912345678")
    page.locator("input[name=consent_privacy]").check()
    page.locator("input[name=consent_share_with_dealer]").check()
    _fits_the_screen(page)
    shot(page, "store-booking-4-contact")
    page.locator("#submit-booking").click()

    # the booking's own page
    number = page.locator("#booking-number")
    expect(number).to_have_text(re.compile(r"^TD\d{12}$"))
    expect(page.locator(".booking-card")).to_contain_text("021")
    _fits_the_screen(page)
    shot(page, "store-booking-status")

    from autodcc.leads.selectors import work_list
    from autodcc.network.actors import actor_for_staff
    from autodcc.testdrives.models import Booking

    booking = Booking.objects.select_related("lead__customer").get()
    assert booking.number == number.inner_text()
    starts = timezone.localtime(booking.starts_at)
    assert starts.strftime("%Y-%m-%d %H:%M") == f"{day.isoformat()} {chosen_time}"
    lead = booking.lead
    assert booking.dealer == net.dealer_a and lead.dealer == net.dealer_a and lead.channel == "storefront"
    assert lead.customer.phone == "+8613912345678"
    agent = actor_for_staff(net.a_agent.staff)
    assert lead in work_list(actor=agent).new_leads
    assert lead not in work_list(actor=actor_for_staff(net.b_agent.staff)).new_leads
    assert not csp_violations, csp_violations


def test_every_store_page_at_phone_size(store, live_server, page: Page, shot, csp_violations):
    page.set_viewport_size(PHONE)
    base = f"{live_server.url}/store"

    page.goto(f"{base}/series/s7/")
    expect(page.locator("h1")).to_have_text("澜川 S7")
    _fits_the_screen(page)
    shot(page, "store-series")

    page.goto(f"{base}/trims/s7-long-range/")
    expect(page.locator("#landed .total")).to_be_visible()
    expect(page.locator(".gallery img").first).to_be_visible()
    assert page.evaluate("document.querySelector('.gallery img').naturalWidth") > 0  # the picture loads
    expect(page.locator("#editions")).to_contain_text("天猫特别版")
    _fits_the_screen(page)
    shot(page, "store-trim")

    # comparison: the "differences only" switch works in place with the script
    page.goto(f"{base}/compare/?trims=s7-long-range&trims=s7-performance&trims=s7-erev")
    same = page.locator("#compare-table tr.same")
    expect(same.first).to_be_visible()
    page.evaluate("window.__noReload = true")
    page.locator("#toggle-diff").click()
    expect(same.first).to_be_hidden()
    expect(page.locator("#compare-table tr.differs").first).to_be_visible()
    assert page.evaluate("window.__noReload === true")
    expect(page).to_have_url(re.compile(r"diff=1"))
    _fits_the_screen(page)
    shot(page, "store-compare")

    page.goto(f"{base}/calculator/?trim=s5-entry&down_by=amount&down_payment=12900&months=36&offer=own&fee=4000&annual_rate=0")
    expect(page.locator("#apr")).to_contain_text("2.67%")
    expect(page.locator("#schedule-equal_instalment .first")).to_have_text("¥2,777.78")
    _fits_the_screen(page)
    shot(page, "store-calculator")
    page.locator("input[name=annual_rate]").fill("4")
    page.locator("input[name=fee]").fill("0")
    page.locator("input[name=offer][value=own]").check()
    page.locator(".calc-form button[type=submit]").click()
    expect(page.locator("#schedule-equal_instalment .first")).to_have_text("¥2,952.40")
    expect(page.locator("#schedule-equal_principal .last")).to_have_text("¥2,787.04")
    page.locator("input[name=down_payment]").fill("200000")
    page.locator(".calc-form button[type=submit]").click()
    expect(page.locator('.field-error[data-field="down_payment"]')).to_be_visible()
    shot(page, "store-calculator-error")

    page.goto(f"{base}/recommend/")
    page.locator("input[name=budget]").fill("300000")
    page.locator("select[name=use]").select_option("family")
    page.locator("select[name=energy]").select_option("nev")
    page.locator("input[name=must_have][value=sunroof]").check()
    page.locator(".needs-form button[type=submit]").click()
    expect(page.locator("ol.ranked > li").first).to_be_visible()
    _fits_the_screen(page)
    shot(page, "store-recommendation")

    page.goto(f"{base}/enquiry/?trim=x9-phev-pro")
    page.locator("input[name=city]").fill("杭州")
    page.locator("input[name=name]").fill("陈静")
    page.locator("input[name=phone]").fill("1371234")
    page.locator("input[name=consent_privacy]").check()
    page.locator("#submit-enquiry").click()
    expect(page.locator('.field-error[data-field="phone"]')).to_contain_text("不是有效的中国大陆手机号码")
    expect(page.locator('.field-error[data-field="consent_share_with_dealer"]')).to_be_visible()
    _fits_the_screen(page)
    shot(page, "store-enquiry")
    page.locator("input[name=phone]").fill("13712345678")
    page.locator("input[name=consent_share_with_dealer]").check()
    page.locator("#submit-enquiry").click()
    expect(page.locator("#thanks")).to_be_visible()
    shot(page, "store-enquiry-thanks")

    from autodcc.leads.models import Lead

    lead = Lead.objects.get()
    assert lead.channel == "storefront" and lead.dealer == store.dealer_b
    assert not csp_violations, csp_violations
