"""Deposit orders through Chromium, as the people would click them (ORD-1..9, CMP-7).

(A) On a phone a consumer starts the special edition's deposit order from its trim page, pays in
the sandbox and comes back to the order page; on a desktop the dealer's manager records the visit,
the contract (with its own figures) and the delivery in the console; the consumer confirms receipt
and sees the voucher codes; HQ customer service follows the order without the dealer's figures.
(B) Another consumer pays, then asks for the deposit back; the dealer's manager approves, HQ
customer service executes the refund, and the consumer's page says "refunded"."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from playwright.sync_api import Page, Response, expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}
EDITION = "s7-tmall-edition"
CONTRACT, BALANCE = "214389.00", "213889.00"
SECRETS = ("214389", "213889", "214,389", "213,889")
ERRORS = re.compile(r'class="errorlist"[^>]*>(.*?)</(?:ul|p|span)>', re.S)


@pytest.fixture
def store(live_net: Any, settings: Any, tmp_path: Any) -> Any:
    """The persona network with the demo catalogue (pictures in a temporary folder)."""
    from autodcc.catalog import demo as catalog_demo

    settings.MEDIA_ROOT = tmp_path / "media"
    catalog_demo.build()
    return live_net


@pytest.fixture
def csp_violations(page: Page) -> list[str]:
    found: list[str] = []
    page.on("console", lambda m: found.append(m.text) if "Content Security Policy" in m.text else None)
    return found


# --- helpers -------------------------------------------------------------------------------------


def fits_the_screen(page: Page) -> None:
    """Nothing pushes the page sideways at phone size."""
    width = page.evaluate("document.documentElement.scrollWidth")
    wide = [] if width <= PHONE["width"] else page.evaluate(
        """(limit) => Array.from(document.querySelectorAll('body *'))
            .filter(e => e.getBoundingClientRect().right > limit)
            .slice(0, 5).map(e => e.tagName + '.' + e.className + '#' + e.id)""", PHONE["width"])
    assert width <= PHONE["width"], f"page is {width}px wide at {page.url}: {wide}"


def submit(page: Page, button: Any, path: str) -> Response:
    """Click a console action's submit button and wait for its htmx POST to come back without errors."""
    with page.expect_response(lambda r: r.request.method == "POST" and r.url.endswith(path)) as info:
        button.click()
    response = info.value
    assert response.status == 200, (path, response.status)
    errors = ERRORS.findall(response.text())
    assert not errors, (path, [re.sub(r"<[^>]+>", " ", e).strip() for e in errors])
    return response


def open_details(page: Page, details_id: str) -> None:
    details = page.locator(f"details#{details_id}")
    expect(details).to_be_attached()
    if details.get_attribute("open") is None:
        details.locator("> summary").click()
    expect(details).to_have_attribute("open", "")


def log_out(page: Page, live_server: Any) -> None:
    page.locator("header.app form[action$='/logout/'] button[type=submit]").click()
    expect(page).to_have_url(re.compile(re.escape(f"{live_server.url}/console/login/")))


def order_by_consumer(page: Page, live_server: Any, *, start: str, city: str, dealer: str, name: str,
                      phone: str, shot: Any = None) -> Any:
    """From the trim page's deposit button to the sandbox's pay button and back to the order page."""
    from autodcc.orders.models import Order

    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/store/trims/s7-long-range/")
    page.locator(start).click()
    expect(page.locator("#order-car")).to_be_visible()
    expect(page.locator("#deposit-terms")).to_contain_text("意向金")
    page.locator("#city-form input[name=city]").fill(city)
    page.locator("#find-dealers").click()
    form = page.locator("#order-form")
    expect(form).to_be_visible()
    form.locator(f'label.pick-radio[data-dealer="{dealer}"] input[type=radio]').check()
    form.locator("input[name=colour]").nth(1).check()
    form.locator("input[name=wants_loan]").check()
    form.locator("input[name=accept_terms]").check()
    form.locator("input[name=consent_privacy]").check()
    form.locator("input[name=consent_share_with_dealer]").check()
    form.locator("input[name=name]").fill(name)
    form.locator("input[name=phone]").fill(phone)
    fits_the_screen(page)
    if shot:
        page.wait_for_timeout(400)  # the checkboxes' transitions end before the picture
        shot(page, "order-form")
    page.locator("#submit-order").click()

    # the sandbox payment company
    expect(page).to_have_url(re.compile(r"/pay/sandbox/DO\d+P1/$"))
    expect(page.locator("#amount")).to_contain_text("500")
    if shot:
        shot(page, "sandbox-pay")
    page.locator("#sandbox-pay").click()

    # back on the order page, paid (the signed notification came through the outbox)
    expect(page).to_have_url(re.compile(r"/store/order/[\w-]+/$"))
    expect(page.locator("#order-status")).to_have_class(re.compile(r"\bstatus-paid\b"))
    expect(page.locator("#paid-notice")).to_be_visible()
    order = Order.objects.select_related("lead", "dealer").get(token=page.url.rstrip("/").rsplit("/", 1)[-1])
    expect(page.locator("#order-number")).to_have_text(order.number)
    fits_the_screen(page)
    return order


def open_console_order(page: Page, live_server: Any, order: Any) -> None:
    page.set_viewport_size(DESKTOP)
    page.goto(f"{live_server.url}/console/orders/")
    row = page.locator("main table a", has_text=order.number)
    expect(row.first).to_be_visible()
    page.goto(f"{live_server.url}/console/orders/{order.pk}/")
    expect(page.locator("#order-body")).to_be_visible()


# --- (A) from the deposit to the keys ------------------------------------------------------------


def test_a_consumer_pays_the_deposit_and_follows_the_order_to_delivery(store, live_server, page: Page, log_in,
                                                                      shot, csp_violations, install_parts):
    from autodcc.messaging.models import Event, Message
    from autodcc.orders.models import DealerDeal, Order, OrderStatus, Reward

    net = store
    order = order_by_consumer(page, live_server, start=f'a.order-edition[data-edition="{EDITION}"]', city="上海",
                              dealer="SH-001", name="王芳", phone="13912345678", shot=shot)
    assert order.status == OrderStatus.PAID and order.dealer == net.dealer_a and order.edition.slug == EDITION
    assert order.wants_loan and order.lead.channel == "storefront" and order.lead.dealer == net.dealer_a
    assert Message.objects.filter(event=Event.ORDER_CONFIRMATION, body__contains=order.number).count() == 1
    expect(page.locator("#payments")).to_contain_text("500")
    shot(page, "order-paid")
    order_url = page.url

    # the dealer's manager records the visit, the contract with its own figures, the delivery
    page = log_in(net.a_manager)
    open_console_order(page, live_server, order)
    path = f"/console/orders/{order.pk}/step/"
    open_details(page, "step-visited")
    submit(page, page.locator("#step-form-visited button[type=submit]"), path)
    expect(page.locator("#order-timeline li.done")).to_have_count(3)  # ordered, paid, visited
    open_details(page, "step-contracted")
    page.locator("#step-form-contracted input[name=contract_value]").fill(CONTRACT)
    page.locator("#step-form-contracted input[name=balance_paid]").fill(BALANCE)
    submit(page, page.locator("#step-form-contracted button[type=submit]"), path)
    expect(page.locator("#dealer-deal")).to_contain_text(CONTRACT)
    install_parts(order, net.a_manager.actor)  # the edition's package (ORD-6; clicked through in the launch test)
    open_details(page, "step-delivered")
    page.locator("#step-form-delivered select[name=delivery_mode]").select_option("home_delivery")
    page.locator("#step-form-delivered input[name=vin]").fill("LSVAU2180N2123456")  # the buyer's car goes on file
    submit(page, page.locator("#step-form-delivered button[type=submit]"), path)
    expect(page.locator("#delivery-updates")).to_contain_text("车辆已交付")
    expect(page.locator("#dealer-deal")).to_contain_text(BALANCE)
    shot(page, "console-order-dealer")
    order.refresh_from_db()
    assert order.status == OrderStatus.DELIVERED and order.delivery_mode == "home_delivery"
    assert order.vehicle.vin == "LSVAU2180N2123456" and order.vehicle.customer == order.customer
    deal = DealerDeal.objects.get(order=order)
    assert (str(deal.contract_value), str(deal.balance_paid)) == (CONTRACT, BALANCE)
    log_out(page, live_server)

    # the consumer, on the phone again: the delivery shows, receipt confirmed, the vouchers
    page.set_viewport_size(PHONE)
    page.goto(order_url)
    expect(page.locator("#order-status")).to_have_class(re.compile(r"\bstatus-delivered\b"))
    expect(page.locator("#delivery-updates")).to_contain_text("车辆已交付")
    expect(page.locator("#order-delivery-mode")).not_to_have_text("")
    page.locator("#confirm-receipt").click()
    expect(page.locator("#order-status")).to_have_class(re.compile(r"\bstatus-received\b"))
    rewards = page.locator("#rewards li")
    expect(rewards).to_have_count(2)
    codes = sorted(Reward.objects.filter(order=order).values_list("code", flat=True))
    assert len(codes) == 2
    for code in codes:
        expect(page.locator("#rewards")).to_contain_text(code)
    content = page.content()
    for secret in SECRETS:
        assert secret not in content, secret
    fits_the_screen(page)
    shot(page, "order-received")
    assert Order.objects.get(pk=order.pk).status == OrderStatus.RECEIVED

    # HQ customer service follows the order: the timeline, never the dealer's figures
    page = log_in(net.hq_service)
    open_console_order(page, live_server, order)
    timeline = page.locator("#order-timeline")
    expect(timeline).to_be_visible()
    expect(timeline.locator("li.done")).to_have_count(6)
    expect(page.locator("#dealer-deal")).to_have_count(0)
    expect(page.locator("#rewards")).to_contain_text(codes[0])
    content = page.content()
    for secret in SECRETS:
        assert secret not in content, secret
    shot(page, "console-order-hq")
    log_out(page, live_server)
    assert not csp_violations, csp_violations


# --- (B) the deposit back ------------------------------------------------------------------------


def test_a_consumer_gets_the_deposit_back(store, live_server, page: Page, log_in, shot, csp_violations):
    from autodcc.orders.models import Order, OrderStatus, Refund, RefundStatus

    net = store
    # Hangzhou, no dealer chosen: the allocation rules give the order to dealer B
    order = order_by_consumer(page, live_server, start="#order-trim", city="杭州", dealer="", name="赵磊",
                              phone="13912345679")
    assert order.dealer == net.dealer_b and order.edition is None and order.lead.dealer == net.dealer_b
    order_url = page.url

    open_details(page, "refund")
    page.locator("#refund textarea[name=reason]").fill("计划有变，暂不购车")
    page.locator("#ask-refund").click()
    expect(page.locator("#refunds [data-refund-status=requested]")).to_be_visible()
    expect(page.locator("#ask-refund")).to_have_count(0)
    refund = Refund.objects.get(order=order)
    assert refund.status == RefundStatus.REQUESTED and refund.reason == "计划有变，暂不购车"
    fits_the_screen(page)

    # the dealer's manager confirms the deal is off
    page = log_in(net.b_manager)
    open_console_order(page, live_server, order)
    decide = page.locator("#decide-form")
    expect(decide).to_be_visible()
    expect(page.locator("#refunds")).to_contain_text("计划有变")
    submit(page, decide.locator("button[name=decision][value=approve]"), f"/console/refunds/{refund.pk}/decide/")
    expect(page.locator("#decide-form")).to_have_count(0)
    refund.refresh_from_db()
    assert refund.status == RefundStatus.DEALER_CONFIRMED
    log_out(page, live_server)

    # HQ customer service sends it through the payment company
    page = log_in(net.hq_service)
    open_console_order(page, live_server, order)
    execute = page.locator(f"#execute-form-{refund.pk}")
    expect(execute).to_be_visible()
    submit(page, execute.locator("button[type=submit]"), f"/console/refunds/{refund.pk}/execute/")
    expect(page.locator(f"#execute-form-{refund.pk}")).to_have_count(0)
    # the provider is called by the outbox after the answer (in CI through the broker): wait for it
    deadline = time.monotonic() + 15
    while refund.status != RefundStatus.SUCCEEDED and time.monotonic() < deadline:
        time.sleep(0.2)
        refund.refresh_from_db()
    assert refund.status == RefundStatus.SUCCEEDED and refund.refund_no
    log_out(page, live_server)

    # the consumer's page says so
    page.set_viewport_size(PHONE)
    page.goto(order_url)
    expect(page.locator("#order-status")).to_have_class(re.compile(r"\bstatus-refunded\b"))
    expect(page.locator("#refunds [data-refund-status=succeeded]")).to_be_visible()
    expect(page.locator("#order-timeline li.refunded")).to_have_count(1)
    expect(page.locator("#ask-refund")).to_have_count(0)
    expect(page.locator("#pay-now")).to_have_count(0)
    fits_the_screen(page)
    shot(page, "order-refunded")
    assert Order.objects.get(pk=order.pk).status == OrderStatus.REFUNDED
    assert not csp_violations, csp_violations
