"""A refund the dealer declines, reviewed by HQ customer service in Chromium (ORD-5): the dealer's
manager declines with a reason, the buyer's page says customer service is reviewing it, customer
service finds it in its queue and confirms the decline in plain words, and the buyer reads why
(on the order page and by SMS)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}
ERRORS = re.compile(r'class="errorlist"[^>]*>(.*?)</(?:ul|p|span)>', re.S)


def paid_order_with_refund(dealer_code: str) -> Any:
    from autodcc.catalog import demo as catalog_demo
    from autodcc.catalog.models import Trim
    from autodcc.core.actors import consumer
    from autodcc.leads.services import LeadInput
    from autodcc.orders import handlers
    from autodcc.orders.services import order_create, payment_start, refund_request

    catalog_demo.build()
    buyer = LeadInput(name="孙悦", phone="13912340077", channel="tmall", dealer=dealer_code,
                      consent_version="2026-01", consent_share_with_dealer=True)
    order = order_create(actor=consumer("tmall"), trim=Trim.objects.get(code="S7-LR"), buyer=buyer)
    payment, _checkout = payment_start(order=order, provider="sandbox", return_url="/")
    handlers.sandbox_notify({"kind": "payment", "out_trade_no": payment.out_trade_no, "amount": str(payment.amount)})
    refund = refund_request(token=order.token, reason="计划有变，暂不购车")
    return order, refund


def post_action(page: Page, button: Any, path: str) -> None:
    with page.expect_response(lambda r: r.request.method == "POST" and r.url.endswith(path)) as info:
        button.click()
    response = info.value
    assert response.status == 200, (path, response.status)
    assert not ERRORS.findall(response.text()), path


def test_customer_service_confirms_a_dealers_decline_and_the_buyer_reads_why(live_net, live_server, page: Page,
                                                                             log_in, shot, settings, tmp_path):
    from autodcc.messaging.models import Event, Message
    from autodcc.orders.models import Refund, RefundStatus

    settings.MEDIA_ROOT = tmp_path / "media"
    net = live_net
    order, refund = paid_order_with_refund("SH-001")
    # the dealer's managers were told a refund waits for them
    told = set(Message.objects.filter(event=Event.REFUND_REQUESTED).values_list("recipient_staff_id", flat=True))
    assert told == {net.a_manager.staff.pk, net.a_gm.staff.pk}

    # the dealer's manager declines, saying why
    page = log_in(net.a_manager)
    page.set_viewport_size(DESKTOP)
    page.goto(f"{live_server.url}/console/orders/{order.pk}/")
    decide = page.locator("#decide-form")
    expect(decide).to_be_visible()
    decide.locator("input[name=note]").fill("车辆已按客户要求调拨")
    post_action(page, decide.locator("button[name=decision][value=decline]"), f"/console/refunds/{refund.pk}/decide/")
    expect(page.locator("#decide-form")).to_have_count(0)
    expect(page.locator("#review-approve")).to_be_visible()  # the manager may still change their mind
    expect(page.locator("#review-decline")).to_have_count(0)  # but not make the decline final
    page.locator("header.app form[action$='/logout/'] button[type=submit]").click()

    # the buyer's page: customer service is reviewing it
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/store/order/{order.token}/")
    expect(page.locator("#refund-under-review")).to_be_visible()
    expect(page.locator("#ask-refund")).to_have_count(0)

    # HQ customer service finds it in its queue and confirms the decline in plain words
    page = log_in(net.hq_service)
    page.set_viewport_size(DESKTOP)
    page.goto(f"{live_server.url}/console/orders/?attention=on")
    row = page.locator("main table tr", has_text=order.number)
    expect(row).to_contain_text("经销商拒绝退款：请复核")
    row.locator("a", has_text=order.number).first.click()
    review = page.locator("#review-form")
    expect(review).to_be_visible()
    expect(page.locator("#review")).to_contain_text("车辆已按客户要求调拨")
    # overruling without a reason is refused on the form, in Chinese
    with page.expect_response(lambda r: r.request.method == "POST" and r.url.endswith("/review/")):
        review.locator("#review-approve").click()
    expect(page.locator("#review-form .errorlist")).to_contain_text("理由")
    assert Refund.objects.get(pk=refund.pk).status == RefundStatus.DEALER_DECLINED
    page.locator("#review-form textarea[name=note]").fill("您的车辆已按要求从外地调拨到店，按约定意向金不予退还")
    shot(page, "refund-review")
    post_action(page, page.locator("#review-decline"), f"/console/refunds/{refund.pk}/review/")
    expect(page.locator("#review-form")).to_have_count(0)
    expect(page.locator(f'[data-reviewed="{refund.pk}"]')).to_contain_text("按约定意向金不予退还")
    refund.refresh_from_db()
    assert refund.status == RefundStatus.REJECTED and refund.reviewed_by == net.hq_service.staff
    sms = Message.objects.get(event=Event.REFUND_DECLINED)
    assert "按约定意向金不予退还" in sms.body and sms.recipient_phone == "+8613912340077"

    # the buyer reads why on the order page
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/store/order/{order.token}/")
    expect(page.locator("#refund-declined")).to_contain_text("按约定意向金不予退还")
    shot(page, "order-refund-declined")
