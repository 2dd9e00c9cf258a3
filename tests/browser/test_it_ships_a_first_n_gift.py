"""A first-N gift in Chromium (CMP-6, CMP-9): HQ sets the gift up on a campaign in the console, a
consumer's online test drive is confirmed by the dealer and their report on the phone wins it, the
winner opens the SMS link on a 390-px phone and gives the delivery address, HQ ships it with carrier
and tracking number, and the phone page shows the tracking number."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlparse

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}


def test_hq_ships_the_gift_a_report_won(live_net, live_server, page: Page, browser: Any, log_in, shot):
    from autodcc.campaigns import services
    from autodcc.campaigns.models import Campaign, FirstNClaim
    from autodcc.catalog import demo as catalog_demo
    from autodcc.catalog.models import Trim
    from autodcc.core.actors import consumer
    from autodcc.leads.services import LeadInput
    from autodcc.messaging.models import Event, Message
    from autodcc.testdrives import services as td
    from autodcc.testdrives.models import Vehicle

    net = live_net
    catalog_demo.build()
    today = timezone.localdate()
    campaign = services.campaign_save(actor=net.hq_marketer.actor, campaign=Campaign(
        code="FIRSTGIFT", name="春季试驾礼", theme="launch", starts_on=today, ends_on=today + dt.timedelta(days=30)))

    # HQ sets the gift up in the console
    page.set_viewport_size(DESKTOP)
    log_in(net.hq_marketer)
    page.goto(f"{live_server.url}/console/campaigns/{campaign.pk}/")
    page.locator("#gift-new").click()
    form = page.locator("#gift-form")
    form.locator("input[name=name]").fill("限量版车模")
    form.locator("input[name=n]").fill("100")
    form.locator("input[name=unit_cost]").fill("129")
    form.locator("button[type=submit]").click()
    expect(page.locator("h1")).to_contain_text("限量版车模")
    expect(page.locator("#gift-claims")).to_contain_text("还没有中奖者")
    gift_url = page.url

    # a consumer's online booking, confirmed as done by the dealer; the report is written on the phone
    trim = Trim.objects.get(code="S7-LR")
    Vehicle.objects.create(dealer=net.dealer_a, trim=trim)
    day = today + dt.timedelta(days=1)
    while not td.slot_starts(net.dealer_a, day):
        day += dt.timedelta(days=1)
    booking = td.booking_create(actor=consumer("store"), trim=trim, dealer=net.dealer_a,
                                starts_at=td.slot_starts(net.dealer_a, day)[0], lead=LeadInput(
                                    name="刘洋", phone="13912345678", channel="storefront", city="",
                                    consent_version="2026-01", consent_share_with_dealer=True))
    td.booking_complete(actor=net.a_consultant.actor, booking=booking)
    phone = browser.new_context(viewport=PHONE, locale="zh-CN", timezone_id="Asia/Shanghai", is_mobile=True,
                                has_touch=True).new_page()
    phone.goto(f"{live_server.url}/store/testdrive/{booking.token}/")
    report = phone.locator("#report form")
    for name in ("overall", "driving", "comfort", "service"):
        report.locator(f"input[name={name}][value='5']").check()
    report.locator("button[type=submit]").click()
    expect(phone.locator("main")).to_contain_text("已收到")

    # the SMS with the link to the gift's page
    won = Message.objects.get(event=Event.FIRST_N_WON)
    assert "限量版车模" in won.body and won.recipient_phone.endswith("13912345678")
    link = urlparse(won.data["link"]).path
    phone.goto(f"{live_server.url}{link}")
    expect(phone.locator("#gift-name")).to_have_text("限量版车模")
    phone.locator("#address-form textarea[name=address]").fill("")
    phone.locator("#save-address").click()
    expect(phone.locator('.field-error[data-field="address"]')).to_contain_text("请填写收货地址")
    phone.locator("#address-form textarea[name=address]").fill("上海市浦东新区世纪大道 100 号 8 楼")
    phone.locator("#save-address").click()
    expect(phone.locator("#gift-address")).to_have_text("上海市浦东新区世纪大道 100 号 8 楼")
    expect(phone.locator("#gift-state")).to_have_text("已填地址")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(phone, "first-n-gift-address-390")

    # HQ ships it
    page.goto(gift_url)
    row = page.locator('#gift-claims tr[data-rank="1"]')
    expect(row.locator("[data-verified]")).to_contain_text("已确认")
    expect(row).to_contain_text("139****5678")
    expect(row.locator("[data-address]")).to_contain_text("世纪大道 100 号")
    row.locator("input[name=carrier]").fill("顺丰速运")
    row.locator("button[type=submit]").click()  # no tracking number yet: refused, clearly
    row = page.locator('#gift-claims tr[data-rank="1"]')
    expect(row.locator(".errorlist")).to_contain_text("运单号")
    row.locator("input[name=tracking_no]").fill("SF1400000000123")
    row.locator("button[type=submit]").click()
    row = page.locator('#gift-claims tr[data-rank="1"]')
    expect(row.locator("[data-tracking]")).to_have_text("SF1400000000123")
    expect(page.locator('[data-count="shipped"]')).to_have_text("1")
    shot(page, "first-n-gift-console-1366")
    assert FirstNClaim.objects.get().shipped_at is not None
    shipped = Message.objects.get(event=Event.FIRST_N_SHIPPED)
    assert "SF1400000000123" in shipped.body and "顺丰速运" in shipped.body

    # the phone page shows the parcel
    phone.reload()
    expect(phone.locator("#gift-tracking")).to_have_text("SF1400000000123")
    expect(phone.locator("#gift-carrier")).to_have_text("顺丰速运")
    expect(phone.locator("#address-form")).to_have_count(0)
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(phone, "first-n-gift-shipped-390")
