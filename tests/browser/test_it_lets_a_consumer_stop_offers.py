"""A consumer on a phone stops news and offers on "My orders and test drives" after proving the
mobile by SMS code, and later asks for them again by ticking the box (MSG-1, PIPL art. 15)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def test_a_consumer_stops_and_resumes_offers_on_a_phone(live_net, live_server, page: Page, browser: Any, shot):
    from autodcc.core.actors import SYSTEM
    from autodcc.customers.models import Consent
    from autodcc.leads import services as leads
    from autodcc.leads.services import LeadInput
    from autodcc.messaging.models import Event, Message, OptOut

    customer = leads.lead_capture(actor=SYSTEM, data=LeadInput(
        name="周女士", phone="13912340077", channel="storefront", dealer="SH-001",
        consent_version="store-2026-01", consent_share_with_dealer=True, consent_marketing=True)).lead.customer
    phone = browser.new_page(locale="zh-CN", timezone_id="Asia/Shanghai")
    phone.set_viewport_size(PHONE)
    phone.goto(f"{live_server.url}/store/mine/")
    phone.locator("#mine-form input[name=phone]").fill("139 1234 0077")
    phone.locator("#send-code").click()
    code_input = phone.locator("input[name=code]")
    expect(code_input).to_be_visible()
    body = Message.objects.filter(event=Event.VERIFICATION_CODE).latest("pk").body
    code_input.fill(re.search(r"\d{6}", body).group(0))
    phone.locator("#check-code").click()

    card = phone.locator("#marketing")
    expect(card).to_have_attribute("data-marketing", "on")
    expect(card).to_contain_text("正在接收资讯与优惠")
    phone.locator("#marketing-stop").click()
    expect(phone.locator(".messages")).to_contain_text("已退订")
    expect(card).to_have_attribute("data-marketing", "off")
    assert OptOut.objects.get(phone=customer.phone).scope == "marketing"
    assert not Consent.objects.filter(customer=customer, marketing=True, withdrawn_at__isnull=True).exists()
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(phone, "mine-offers-stopped-390")

    phone.locator("#marketing-resume").click()  # without the box: asked to tick it, nothing changes
    expect(phone.locator(".messages")).to_contain_text("请先勾选")
    expect(card).to_have_attribute("data-marketing", "off")
    phone.locator("#consent-marketing").check()
    phone.locator("#marketing-resume").click()
    expect(phone.locator(".messages")).to_contain_text("已恢复")
    expect(card).to_have_attribute("data-marketing", "on")
    assert not OptOut.objects.filter(phone=customer.phone).exists()
