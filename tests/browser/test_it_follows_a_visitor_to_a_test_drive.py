"""KPI-5 in a browser: a visitor on a phone opens a campaign link, agrees to be counted, looks at
the S7, compares it, uses the calculator and books a test drive. After the buffered events are
written and the day is rolled up, HQ marketing's store-visitor page shows that visit's path and
its booking under the campaign."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def store(live_net: Any, settings: Any, tmp_path: Any) -> Any:
    from autodcc.analytics import buffer
    from autodcc.campaigns import demo as campaign_demo
    from autodcc.catalog import demo as catalog_demo
    from autodcc.testdrives import demo as testdrive_demo

    settings.MEDIA_ROOT = tmp_path / "media"
    catalog_demo.build()
    testdrive_demo.build()
    campaign_demo.build()  # the brand's launch campaign, code LAUNCH26
    buffer.clear()
    yield live_net
    buffer.clear()


def _written(check, timeout: float = 10.0) -> None:
    """Flush the buffer until the beacons sent after the last page load have arrived."""
    from autodcc.analytics import buffer

    deadline = time.monotonic() + timeout
    while True:
        buffer.flush()
        if check():
            return
        assert time.monotonic() < deadline, "the page's events did not arrive"
        time.sleep(0.2)


def test_a_visitor_path_from_a_campaign_link_to_a_booking_shows_in_the_console(store, live_server, page: Page,
                                                                               shot, log_in):
    from autodcc.analytics import rollup
    from autodcc.analytics.models import Event
    from autodcc.core import workhours

    net = store
    base = f"{live_server.url}/store"
    page.set_viewport_size(PHONE)
    csp: list[str] = []
    page.on("console", lambda m: csp.append(m.text) if "Content Security Policy" in m.text else None)

    # a campaign link; the banner asks first, in Chinese, and nothing is sent before the answer
    page.goto(f"{base}/?c=launch26")
    banner = page.locator("#consent-banner")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("可以统计您的访问吗")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(page, "store-analytics-banner-phone")
    time.sleep(0.5)
    from autodcc.analytics import buffer
    assert buffer.pending() == 0
    page.locator("button[data-consent=yes]").click()
    expect(banner).to_have_count(0)

    # the S7: its series, then the long-range trim
    page.locator('a.card-link[href="/store/series/s7/"]').click()
    expect(page.locator("h1")).to_have_text("澜川 S7")
    page.locator('a[href="/store/trims/s7-long-range/"]').first.click()
    expect(page).to_have_url(re.compile(r"/store/trims/s7-long-range/$"))

    # compare it with the range extender
    page.locator('a[href="/store/compare/?trims=s7-long-range"]').click()
    page.locator('form.compare-form input[name=trims][value="s7-erev"]').check()
    page.locator("form.compare-form button[type=submit]").click()
    expect(page.locator("#compare-table")).to_be_visible()

    # the calculator for the trim (the trim page's link)
    page.goto(f"{base}/trims/s7-long-range/")
    page.locator('a[href="/store/calculator/?trim=s7-long-range"]').first.click()
    expect(page.locator("#landed-total")).to_be_visible()

    # book a test drive from the trim page
    page.goto(f"{base}/trims/s7-long-range/")
    page.locator("#book-trim").click()
    page.locator("#step-2 input[name=city]").fill("上海")
    page.locator("#step-2 button[type=submit]").click()
    page.locator('a.pick[data-dealer="SH-001"]').click()
    day = timezone.localdate() + timezone.timedelta(days=1)
    while not workhours.is_open_day(day, net.dealer_a.open_weekdays):
        day += timezone.timedelta(days=1)
    page.locator(f'a.day[data-date="{day.isoformat()}"]').click()
    page.locator("ul.slots a.slot").first.click()
    page.locator("input[name=name]").fill("王芳")
    page.locator("input[name=phone]").fill("13912345678")
    page.locator("input[name=consent_privacy]").check()
    page.locator("input[name=consent_share_with_dealer]").check()
    page.locator("#submit-booking").click()
    expect(page.locator("#booking-number")).to_have_text(re.compile(r"^TD\d{12}$"))
    status_path = page.evaluate("window.location.pathname")

    _written(lambda: Event.objects.filter(kind="booking").exists()
             and Event.objects.filter(path=status_path).exists())
    visitor = Event.objects.get(kind="consent").visitor
    assert set(Event.objects.values_list("visitor", flat=True)) == {visitor}
    booking = Event.objects.get(kind="booking")
    assert (booking.subject, booking.campaign) == ("s7-long-range", "LAUNCH26")
    rollup.rollup_day(timezone.localdate())
    assert not csp, csp  # the script, the beacon and the banner's background post are all allowed

    # HQ marketing reads the visit in the console
    log_in(net.hq_marketer)
    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.locator('a[data-tab="store"]').click()
        funnel = page.locator("#store-funnel")
        expect(funnel.locator('tr[data-step="visits"] td').first).to_have_text("1")
        expect(funnel.locator('tr[data-step="product_visits"] td').first).to_have_text("1")
        expect(funnel.locator('tr[data-step="tool_visits"] td').first).to_have_text("1")
        expect(funnel.locator('tr[data-step="lead_visits"] td').first).to_have_text("1")
        expect(page.locator("#store-totals [data-metric=bookings]")).to_have_text("1")
        paths = page.locator("#paths-booking li")
        expect(paths).to_have_count(1)
        expect(paths.first).to_contain_text("首页 → 车系 → 配置 → 对比 → 配置 → 价格与贷款 → 配置 → 试驾预约")
        expect(paths.first).to_contain_text("1 次访问")
        expect(page.locator("#store-by-campaign")).to_contain_text("新车上市 (LAUNCH26)")
        expect(page.locator("#store-funnel-chart .chart")).to_have_attribute("data-rendered", "funnel")
        shot(page, f"console-store-visitors-{width}")
        page.goto(f"{live_server.url}/console/insights/")


def test_a_visitor_who_declines_is_not_counted_and_can_change_their_mind(store, live_server, page: Page, shot):
    from autodcc.analytics import buffer
    from autodcc.analytics.models import Event

    base = f"{live_server.url}/store"
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{base}/series/s7/?utm_source=baidu")
    expect(page.locator("#consent-banner")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366  # nothing pushes the page sideways
    shot(page, "store-analytics-banner-1366")
    page.locator("button[data-consent=no]").click()
    expect(page.locator("#consent-banner")).to_have_count(0)
    page.goto(f"{base}/trims/s7-long-range/")
    expect(page.locator("#consent-banner")).to_have_count(0)  # the no is remembered
    page.goto(f"{base}/compare/?trims=s7-long-range&trims=s7-erev")
    time.sleep(1.0)
    buffer.flush()
    assert Event.objects.count() == 0

    # the footer's link: the choice as it stands, and a yes from there
    page.set_viewport_size(PHONE)
    page.locator("#footer-analytics").click()
    expect(page.locator("#consent-state")).to_contain_text("已拒绝")
    shot(page, "store-analytics-choice-phone")
    page.locator(".consent-choice button[value=yes]").click()
    expect(page.locator("#consent-state")).to_contain_text("已同意")
    page.goto(f"{base}/trims/s7-long-range/")
    _written(lambda: Event.objects.filter(kind="page_view", page="trim").exists())
    assert Event.objects.filter(kind="consent").count() == 1
