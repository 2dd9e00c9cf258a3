"""A complaint from the consumer's phone to their confirmation, in Chromium (CARE-3).

On a phone the buyer of a paid order opens the order's page and files a delivery complaint; it is
routed to the order's dealer. Time passes beyond the SLA (a controlled clock for the scheduled
sweep): the sweep escalates it to the dealer's general manager. The dealer's manager finds it in
the console (overdue, escalated), resolves it; the consumer opens the link of the SMS on the phone
and confirms; the console shows it confirmed, with every step in its history, and the report
counts it. Screenshots at 1366 px and 390 px go to artifacts/screenshots/."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import go_to

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
BUYER = "13655556666"


@pytest.fixture
def order(live_net: Any, settings: Any, tmp_path: Any) -> Any:
    """A paid deposit order at dealer A (Shanghai)."""
    from autodcc.catalog import demo as catalog_demo
    from autodcc.catalog.models import Trim
    from autodcc.core.actors import consumer
    from autodcc.leads.services import LeadInput
    from autodcc.orders.models import Order
    from autodcc.orders.services import order_create, payment_start, sandbox_pay

    settings.MEDIA_ROOT = tmp_path / "media"
    catalog_demo.build()
    buyer = LeadInput(name="林小姐", phone=BUYER, channel="tmall", dealer="SH-001", consent_version="store-2026-01",
                      consent_share_with_dealer=True)
    made = order_create(actor=consumer("tmall"), trim=Trim.objects.get(code="S7-LR"), buyer=buyer)
    payment, _checkout = payment_start(order=made, provider="sandbox", return_url="/")
    sandbox_pay(out_trade_no=payment.out_trade_no)
    return Order.objects.get(pk=made.pk)


def fits(page: Page, width: int) -> None:
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"{page.url} is {scroll}px wide at {width}px"


def test_a_complaint_is_routed_escalated_resolved_and_confirmed(
        order: Any, live_net: Any, live_server: Any, browser: Browser, page: Page, log_in: Any, shot: Any,
        monkeypatch: pytest.MonkeyPatch) -> None:
    from autodcc.feedback import tasks
    from autodcc.feedback.models import Complaint, Status
    from autodcc.messaging.models import Message

    net = live_net
    phone = browser.new_context(viewport=PHONE, locale="zh-CN", timezone_id="Asia/Shanghai", is_mobile=True,
                                has_touch=True)
    mobile = phone.new_page()

    # 1. the buyer files a complaint from the order's page, on a phone
    mobile.goto(f"{live_server.url}/store/order/{order.token}/")
    feedback = mobile.locator("#feedback")
    feedback.locator("summary").click()
    feedback.locator("select[name=fb-category]").select_option("delivery")
    feedback.locator("textarea[name=fb-description]").fill("约定本周六交车，至今没有人通知具体时间，打门店电话也没人接。")
    feedback.locator("input[name=fb-consent_privacy]").check()
    feedback.locator("input[name=fb-consent_share_with_dealer]").check()
    shot(mobile, "complaint-1-order-form-390")
    feedback.locator("#send-feedback").click()
    expect(mobile.locator(".messages")).to_contain_text("上海浦东店")
    complaint = Complaint.objects.get()
    expect(mobile.locator("#order-complaints")).to_contain_text(complaint.number)
    fits(mobile, PHONE["width"])
    shot(mobile, "complaint-2-filed-390")
    assert (complaint.dealer, complaint.queue, complaint.order) == (net.dealer_a, "dealer", order)

    # 2. time passes beyond the SLA: the scheduled sweep, run on a controlled clock, escalates it
    later = complaint.resolve_by + dt.timedelta(minutes=5)
    with monkeypatch.context() as clock:
        clock.setattr("django.utils.timezone.now", lambda: later)
        assert tasks.sweep_complaints()["escalated"] == 1
        assert tasks.sweep_complaints()["escalated"] == 0  # once
    complaint.refresh_from_db()
    assert complaint.escalation_level == 1
    assert Message.objects.filter(event="complaint_escalation", recipient_staff_id=net.a_gm.staff.pk).count() == 1

    # 3. the dealer's manager finds it, overdue and escalated, and resolves it
    page.set_viewport_size(DESKTOP)
    log_in(net.a_manager)
    go_to(page, "complaints")
    row = page.locator(f'tr[data-complaint="{complaint.pk}"]')
    expect(row.locator("[data-escalated]")).to_be_visible()
    shot(page, "complaint-3-list-1366")
    row.locator("a").first.click()
    expect(page.locator("#escalation")).to_contain_text("总经理")
    expect(page.locator('#complaint-history li[data-entry="escalated"]')).to_contain_text("a_gm")
    resolve = page.locator('article[data-action="resolve"]')
    resolve.locator("textarea").fill("已向客户致歉，交车时间确定为本周六上午10点，并赠送一次免费保养。")
    resolve.locator("#do-resolve").click()
    expect(page.locator('#complaint-badges [data-status="resolved"]')).to_be_visible()
    shot(page, "complaint-4-resolved-1366")

    # 4. the consumer opens the SMS link on the phone and confirms
    sms = Message.objects.get(event="complaint_resolved", related_id=str(complaint.pk))
    assert sms.recipient_phone == f"+86{BUYER}"
    path = re.search(r"/store/feedback/c/[^/\s]+/", sms.body).group(0)
    mobile.goto(f"{live_server.url}{path}")
    expect(mobile.locator("#resolution-text")).to_contain_text("周六上午10点")
    fits(mobile, PHONE["width"])
    shot(mobile, "complaint-5-link-390")
    mobile.locator("#accept").click()
    expect(mobile.locator("#decision-done")).to_contain_text("您已确认")
    shot(mobile, "complaint-6-confirmed-390")
    complaint.refresh_from_db()
    assert complaint.status == Status.CONFIRMED

    # 5. the console shows it confirmed with its whole history, and the report counts it
    page.reload()
    expect(page.locator('#complaint-badges [data-status="confirmed"]')).to_be_visible()
    steps = page.locator("#complaint-history li").evaluate_all("els => els.map(e => e.dataset.entry)")
    assert steps == ["filed", "routed", "escalated", "resolved", "confirmed"]
    shot(page, "complaint-7-detail-1366")
    go_to(page, "complaintreport")
    expect(page.locator('[data-figure="confirmed"]')).to_have_text("1")
    expect(page.locator(f'#by-dealer tr[data-group="{net.dealer_a.pk}"] [data-n="confirmed"]')).to_have_text("1")
    expect(page.locator('#by-category tr[data-group="delivery"] [data-n="resolved"]')).to_have_text("1")
    page.wait_for_timeout(300)  # the charts draw after load
    shot(page, "complaint-8-report-1366")
    page.set_viewport_size(PHONE)
    page.reload()
    shot(page, "complaint-9-report-390")
    phone.close()


def test_the_general_feedback_page_and_the_console_pages_at_both_widths(
        live_net: Any, live_server: Any, browser: Browser, page: Page, log_in: Any, shot: Any) -> None:
    """The store's general page from the footer, on a phone: a malformed number is refused in
    Chinese and what was typed stays; sent, it gives the number. HQ customer service's pages."""
    from autodcc.feedback.models import Complaint

    phone = browser.new_context(viewport=PHONE, locale="zh-CN", timezone_id="Asia/Shanghai", is_mobile=True)
    mobile = phone.new_page()
    mobile.goto(f"{live_server.url}/store/")
    mobile.locator("#footer-feedback").click()
    form = mobile.locator("#feedback-form")
    form.locator("input[name=kind][value=suggestion]").check()
    form.locator("select[name=category]").select_option("online_store")
    form.locator("textarea[name=description]").fill("希望商城能显示各门店现车的颜色和数量。")
    form.locator("input[name=name]").fill("赵先生")
    form.locator("input[name=phone]").fill("1380013")
    form.locator("input[name=consent_privacy]").check()
    form.locator("input[name=consent_share_with_dealer]").check()
    form.locator("#submit-feedback").click()
    expect(mobile.locator('[data-field="phone"]')).to_contain_text("不是有效的中国大陆手机号码")
    expect(mobile.locator("textarea[name=description]")).to_have_value("希望商城能显示各门店现车的颜色和数量。")
    fits(mobile, PHONE["width"])
    shot(mobile, "complaint-store-form-error-390")
    mobile.locator("input[name=phone]").fill("13800138000")
    mobile.locator("#submit-feedback").click()
    complaint = Complaint.objects.get()
    expect(mobile.locator("#feedback-number")).to_contain_text(complaint.number)
    shot(mobile, "complaint-store-thanks-390")
    assert complaint.queue == "hq_marketing" and complaint.kind == "suggestion"
    phone.close()

    page.set_viewport_size(DESKTOP)
    log_in(live_net.hq_service)
    go_to(page, "complaints")
    expect(page.locator(f'tr[data-complaint="{complaint.pk}"]')).to_contain_text("厂家市场部")
    shot(page, "complaint-list-hq-1366")
    page.locator("#complaint-rules-link").click()
    expect(page.locator('tr[data-rule="delivery"]')).to_be_visible()
    shot(page, "complaint-rules-1366")
    page.goto(f"{live_server.url}/console/complaints/new/")
    shot(page, "complaint-new-1366")
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/console/complaints/")
    shot(page, "complaint-list-hq-390")
    page.goto(f"{live_server.url}/console/complaints/{complaint.pk}/")
    shot(page, "complaint-detail-hq-390")
