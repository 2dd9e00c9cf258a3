"""Deposit orders in the store (ORD-1, 2, 3, 5, 7, 9; CMP-7): the order form with its refused input
shown on the fields and nothing saved, the lead at the chosen dealer (channel ``storefront``), the
sandbox payment through the outbox, the confirmation message, receipt with the edition's rewards,
the refund request, and the dealer's own figures never on the consumer's page."""

from __future__ import annotations

import re
import threading
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django.utils.html import escape
from store_helpers import build_catalogue

from autodcc.catalog.models import AccessoryPackage, Edition, Trim
from autodcc.core.errors import message_for
from autodcc.leads.models import Lead
from autodcc.messaging.models import Event, Message
from autodcc.orders.models import DealerDeal, Order, OrderStatus, Payment, PaymentStatus, Refund, RefundStatus, Reward
from autodcc.orders.services import order_record_step, refund_dealer_decide, refund_execute, refund_review
from autodcc.orders.services.ordering import pay_by_text

pytestmark = pytest.mark.django_db

TRIM = "s7-long-range"
EDITION = "s7-tmall-edition"
START = f"/store/order/new/{TRIM}/"
CONTRACT, BALANCE = Decimal("214389.00"), Decimal("213889.00")
# every way the dealer's figures could be printed
SECRETS = ("214389", "213889", "214,389", "213,889", "214 389", "213 889", "214.389", "213.889",
           "214\u00a0389", "213\u00a0889", "21.4389", "21.3889")


def post_data(**overrides: Any) -> dict[str, Any]:
    data = {
        "city": "上海", "edition": EDITION, "dealer": "SH-001", "colour": "星辰白", "name": "王芳",
        "phone": "13912340001", "accept_terms": "on", "consent_privacy": "on", "consent_share_with_dealer": "on",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def counts() -> tuple[int, int]:
    return Order.objects.count(), Lead.objects.count()


def html(response: Any) -> str:
    return response.content.decode()


def zh_message(code: str, **params: Any) -> str:
    with translation.override("zh-hans"):
        return escape(message_for(code, {k: str(v) for k, v in params.items()}))


def order_url(order: Order) -> str:
    return f"/store/order/{order.token}/"


@pytest.fixture
def place_order(shop, client):
    """``place_order(**overrides)``: the form posted; the new order and the response."""

    def make(**overrides: Any) -> tuple[Order, Any]:
        response = client.post(START, post_data(**overrides))
        assert response.status_code == 302, response.context["form"].errors if response.context else response
        return Order.objects.order_by("-pk").first(), response

    return make


@pytest.fixture
def pay(client, django_capture_on_commit_callbacks):
    """``pay(order)``: the sandbox page's pay button, its signed notification through the outbox."""

    def do(order: Order) -> Any:
        payment = Payment.objects.filter(order=order, status=PaymentStatus.PENDING).get()
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(f"/pay/sandbox/{payment.out_trade_no}/", {"action": "pay"})
        assert response.status_code == 302 and response["Location"] == order_url(order)
        order.refresh_from_db()
        return response

    return do


@pytest.fixture
def paid(place_order, pay):
    def make(**overrides: Any) -> Order:
        order, _response = place_order(**overrides)
        pay(order)
        assert order.status == OrderStatus.PAID
        return order

    return make


# --- the way in ------------------------------------------------------------------------------------


def test_the_trim_page_leads_to_the_order_form_for_the_trim_and_the_edition(shop, client):
    page = html(client.get(f"/store/trims/{TRIM}/"))
    assert f'href="{START}"' in page and f'href="{START}?edition={EDITION}"' in page
    trim_form = html(client.get(START))
    assert 'id="deposit-terms"' in trim_form and "¥500" in trim_form and "意向金" in trim_form
    assert 'id="city-form"' in trim_form and 'id="order-form"' not in trim_form  # the city comes first
    assert "上海" in trim_form  # the cities with a dealer
    edition_form = html(client.get(f"{START}?edition={EDITION}&city=上海"))
    assert "澜川 S7 天猫特别版" in edition_form and "214,900" in edition_form and "229,900" in edition_form
    assert "2000 元充电券" in edition_form and "ACC-7701" in edition_form
    assert AccessoryPackage.objects.get(code="TM-PKG-S7").internal_price == 6800
    assert "6800" not in edition_form and "6,800" not in edition_form  # the package's internal price
    assert 'id="order-form"' in edition_form and 'data-dealer="SH-001"' in edition_form
    assert "浦东新区龙阳路 2000 号" in edition_form and 'name="consent_share_with_dealer"' in edition_form
    assert "store-2026-01" not in edition_form and 'name="accept_terms"' in edition_form
    assert 'name="wants_loan"' in edition_form and 'name="colour"' in edition_form


def test_unknown_cars_and_editions_are_not_found(shop, client):
    assert client.get("/store/order/new/no-such-car/").status_code == 404
    assert client.get(f"{START}?edition=no-such-edition").status_code == 404
    assert client.get("/store/order/new/x9-phev-pro/?edition=s7-tmall-edition").status_code == 404  # another trim's
    Edition.objects.filter(slug=EDITION).update(is_active=False)
    assert client.get(f"{START}?edition={EDITION}").status_code == 404
    assert client.post(START, post_data()).status_code == 404 and counts() == (0, 0)


def test_an_unknown_city_is_refused_in_chinese(shop, client):
    page = html(client.get(f"{START}?city=火星"))
    assert "未知城市“火星”" in page and 'id="order-form"' not in page


def test_a_city_without_a_dealer_suggests_the_nearest(shop, client):
    response = client.get(f"{START}?city=苏州")
    page = html(response)
    assert page.index('data-dealer="SH-001"') < page.index('data-dealer="HZ-001"')
    assert all(s.distance_km for s in response.context["place"].suggestions)  # how far each one is


def test_the_deposit_is_called_a_refundable_intention_deposit(shop, client):
    """DOMAIN.md §6: a refundable 意向金/订金, credited at delivery — not a 定金 with its penalties."""
    client.post("/i18n/setlang/", {"language": "en", "next": START})
    page = html(client.get(f"{START}?city=上海"))
    assert "refundable intention deposit" in page and "意向金" in page and "not a 定金" in page
    assert "credited against the price" in page and 'lang="en"' in page


# --- refused input -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("overrides", "field", "chinese"), [
    ({"phone": "12345"}, "phone", "不是有效的中国大陆手机号码"),
    ({"phone": "1391234"}, "phone", "不是有效的中国大陆手机号码"),
    ({"consent_privacy": None}, "consent_privacy", None),
    ({"consent_share_with_dealer": None}, "consent_share_with_dealer", None),
    ({"consent_privacy": None, "consent_share_with_dealer": None}, "consent_share_with_dealer", None),
    ({"accept_terms": None}, "accept_terms", None),
    ({"name": ""}, "name", "这个字段是必填项"),
    ({"colour": "紫色"}, "colour", None),
    ({"dealer": "", "city": ""}, "dealer", None),
    ({"dealer": "NOPE-1"}, "dealer", None),
])
def test_bad_input_is_shown_on_its_field_and_nothing_is_saved(shop, client, overrides, field, chinese):
    before = counts()
    response = client.post(START, post_data(**overrides))
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors.get(field), form.errors
    page = html(response)
    assert f'data-field="{field}"' in page
    if chinese:
        assert chinese in page
    assert counts() == before and not Payment.objects.exists() and not Message.objects.exists()
    # what was typed stays in the form
    data = post_data(**overrides)
    assert data["name"] in page and f'value="{data["city"]}"' in page


def test_both_consents_are_asked_for_separately(shop, client):
    response = client.post(START, post_data(consent_privacy=None, consent_share_with_dealer=None))
    errors = response.context["form"].errors
    assert errors.get("consent_privacy") and errors.get("consent_share_with_dealer")
    assert counts() == (0, 0)


def test_the_domain_refuses_an_unknown_city_on_the_form(shop, client):
    response = client.post(START, post_data(city="火星", dealer=""))
    assert response.status_code == 200 and "未知城市“火星”" in html(response)
    assert counts() == (0, 0)


# --- the order and its lead ---------------------------------------------------------------------------


def test_an_order_makes_a_lead_at_the_chosen_dealer_and_goes_to_the_sandbox(shop, place_order):
    order, response = place_order(city="杭州", wants_loan="on", colour="曜石黑")  # chose dealer A in Hangzhou
    payment = Payment.objects.get()
    assert response["Location"] == f"/pay/sandbox/{payment.out_trade_no}/"
    assert payment.order == order and payment.amount == Decimal("500.00") and payment.return_url == order_url(order)
    assert order.dealer == shop.dealer_a and order.edition.slug == EDITION and order.trim.slug == TRIM
    assert order.deposit == Decimal("500.00") and order.wants_loan and order.colour == "曜石黑"
    assert order.status == OrderStatus.AWAITING_PAYMENT and order.buyer_name == "王芳"
    lead = order.lead
    assert lead.dealer == shop.dealer_a and lead.channel == "storefront"  # the chosen dealer, not the city's
    assert lead.customer.phone == "+8613912340001" and lead.consent.version == "store-2026-01"
    assert lead.consent.share_with_dealer and not lead.consent.marketing
    assert "天猫特别版" in lead.model_interest
    assert not Message.objects.filter(event=Event.ORDER_CONFIRMATION).exists()  # not before the payment


def test_without_a_chosen_dealer_the_allocation_rules_choose(shop, place_order):
    order, _response = place_order(city="杭州", dealer="", edition="")
    assert order.dealer == shop.dealer_b and order.lead.dealer == shop.dealer_b and order.edition is None
    assert order.deposit == Trim.objects.get(slug=TRIM).deposit


def test_a_double_submit_makes_one_order(shop, client):
    data = post_data(submission="a" * 32)
    first = client.post(START, data)
    second = client.post(START, data)
    assert counts() == (1, 1) and Payment.objects.count() == 1
    assert first["Location"] == second["Location"]
    # the same person pressing again from a fresh form (another submission token) still gets their order
    third = client.post(START, post_data(submission="b" * 32))
    assert third["Location"] == first["Location"] and counts() == (1, 1)
    # someone else orders their own
    client.post(START, post_data(submission="c" * 32, phone="13912340002", name="赵磊"))
    assert Order.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_the_same_form_sent_twice_at_once_makes_one_order(live_net):
    build_catalogue()
    data = post_data(submission="d" * 32)
    barrier = threading.Barrier(2)
    locations: list[str] = []

    def submit() -> None:
        try:
            client = Client()
            barrier.wait(timeout=10)
            locations.append(client.post(START, data)["Location"])
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    order = Order.objects.get()
    payment = Payment.objects.get()
    assert payment.order == order and Lead.objects.count() == 1
    assert locations == [f"/pay/sandbox/{payment.out_trade_no}/"] * 2


def test_with_several_payment_methods_the_buyer_chooses_on_the_order_page(shop, client, settings):
    settings.PAYMENT_PROVIDERS = ["sandbox", "alipay", "wechat"]
    response = client.post(START, post_data())
    order = Order.objects.get()
    assert response["Location"] == order_url(order) and not Payment.objects.exists()
    page = html(client.get(order_url(order)))
    assert 'id="pay-now"' in page and page.count('name="provider"') == 3
    assert client.post(f"{order_url(order)}pay/", {"provider": "bitcoin"}).status_code == 302
    assert not Payment.objects.exists()
    response = client.post(f"{order_url(order)}pay/", {"provider": "sandbox"})
    payment = Payment.objects.get()
    assert response["Location"] == f"/pay/sandbox/{payment.out_trade_no}/" and payment.provider == "sandbox"


# --- paying --------------------------------------------------------------------------------------------


def test_paying_in_the_sandbox_marks_the_order_paid_and_queues_the_confirmation(shop, client, place_order, pay):
    order, response = place_order()
    sandbox = html(client.get(response["Location"]))
    assert 'id="sandbox-pay"' in sandbox and order.number in sandbox
    before_paying = html(client.get(order_url(order)))
    assert 'id="pay-now"' in before_paying and 'class="badge status-awaiting_payment"' in before_paying
    assert 'id="payment-pending"' in before_paying  # a payment was opened, not yet confirmed

    pay(order)
    assert order.status == OrderStatus.PAID and order.paid_at is not None
    payment = order.payments.get()
    assert payment.status == PaymentStatus.SUCCEEDED and payment.trade_no.startswith("SB")
    message = Message.objects.get(event=Event.ORDER_CONFIRMATION)
    assert order.number in message.body and message.recipient_phone == "+8613912340001"
    page = html(client.get(order_url(order)))
    assert order.number in page and 'class="badge status-paid"' in page and 'id="paid-notice"' in page
    assert 'id="pay-now"' not in page and 'id="refund"' in page and 'id="confirm-receipt"' not in page
    assert "浦东新区龙阳路 2000 号" in page and "02158880001" in page  # the dealer's public contact
    assert "13912340001" not in page and "139****0001" in page

    # paying again (a stale tab): refused with a message, nothing changes
    response = client.post(f"{order_url(order)}pay/", {"provider": "sandbox"}, follow=True)
    assert zh_message("order.not_payable", status=order.get_status_display()) in html(response)
    assert order.payments.count() == 1


def test_going_back_without_paying_keeps_the_order_payable(shop, client, place_order):
    order, response = place_order()
    back = client.post(response["Location"], {"action": "back"})
    assert back["Location"] == order_url(order)
    page = html(client.get(order_url(order)))
    assert 'id="pay-now"' in page
    again = client.post(f"{order_url(order)}pay/", {"provider": "sandbox"})
    assert again["Location"] == response["Location"] and Payment.objects.count() == 1  # the same payment


# --- delivery, receipt, rewards ------------------------------------------------------------------------


def test_the_buyer_follows_the_delivery_and_confirms_receipt_to_get_the_rewards(shop, client, paid, install_parts):
    order = paid()
    dealer = shop.a_consultant.actor
    early = client.post(f"{order_url(order)}receipt/", follow=True)  # too early: a message, nothing changes
    assert zh_message("order.receipt_early") in html(early) and 'id="confirm-receipt"' not in html(early)
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PAID and not Reward.objects.exists()

    order_record_step(actor=dealer, order=order, step="visited")
    order_record_step(actor=dealer, order=order, step="contracted", contract_value=CONTRACT, balance_paid=BALANCE)
    install_parts(order, dealer)
    order_record_step(actor=dealer, order=order, step="delivered", delivery_mode="home_delivery", vin=f"LVGTEST{order.pk:010d}")
    page = html(client.get(order_url(order)))
    assert 'id="confirm-receipt"' in page and "车辆已交付，请在订单页确认收车" in page
    assert 'class="badge status-delivered"' in page and 'id="refund"' not in page  # delivered: no refund
    assert "2000 元充电券" in page  # the rewards to come
    for secret in SECRETS:
        assert secret not in page, secret

    response = client.post(f"{order_url(order)}receipt/")
    assert response.status_code == 302 and response["Location"] == order_url(order)
    order.refresh_from_db()
    assert order.status == OrderStatus.RECEIVED and order.deposit_due_to_dealer
    rewards = list(Reward.objects.filter(order=order))
    assert len(rewards) == 2
    page = html(client.get(order_url(order)))
    assert 'id="thanks"' in page and 'id="rewards"' in page and 'id="confirm-receipt"' not in page
    for reward in rewards:
        assert reward.code in page
    # the edition's car is battery-electric: its card is a charging card, never a fuel card
    assert "充电卡 · ¥1,000" in page and "充电券 · ¥2,000" in page and "加油卡" not in page
    # confirming twice changes nothing
    client.post(f"{order_url(order)}receipt/")
    assert Reward.objects.filter(order=order).count() == 2
    for secret in SECRETS:
        assert secret not in page, secret


def test_a_trim_order_gets_no_rewards(shop, client, paid):
    order = paid(edition="")
    dealer = shop.a_manager.actor
    for step in ("visited", "contracted", "delivered"):
        order_record_step(actor=dealer, order=order, step=step, vin=f"LVGTEST{order.pk:010d}")
    client.post(f"{order_url(order)}receipt/")
    page = html(client.get(order_url(order)))
    assert 'id="thanks"' in page and 'id="rewards"' not in page and not Reward.objects.exists()


# --- refunds --------------------------------------------------------------------------------------------


def test_the_buyer_asks_for_a_refund_and_sees_its_status(shop, client, paid, django_capture_on_commit_callbacks):
    order = paid()
    url = f"{order_url(order)}refund/"
    response = client.post(url, {"reason": "  "})
    assert response.status_code == 200 and 'data-field="reason"' in html(response)
    assert not Refund.objects.exists()

    response = client.post(url, {"reason": "计划有变"})
    assert response.status_code == 302 and response["Location"] == order_url(order)
    refund = Refund.objects.get()
    assert refund.status == RefundStatus.REQUESTED and refund.reason == "计划有变" and refund.amount == order.deposit
    page = html(client.get(order_url(order)))
    assert 'id="refunds"' in page and 'data-refund-status="requested"' in page and 'id="refund-badge"' in page
    assert "交车时抵扣车款" in page and 'id="delivery-updates"' in page  # still paid: both still apply
    assert 'id="ask-refund"' not in page

    # asking twice: a clear message, nothing changes
    again = client.post(url, {"reason": "再次申请"}, follow=True)
    assert zh_message("order.refund_exists") in html(again) and Refund.objects.count() == 1

    refund_dealer_decide(actor=shop.a_manager.actor, refund=refund, approve=True)
    assert 'data-refund-status="dealer_confirmed"' in html(client.get(order_url(order)))
    with django_capture_on_commit_callbacks(execute=True):
        refund_execute(actor=shop.hq_service.actor, refund=refund)
    order.refresh_from_db()
    assert order.status == OrderStatus.REFUNDED
    page = html(client.get(order_url(order)))
    assert 'class="badge status-refunded"' in page and 'data-refund-status="succeeded"' in page
    assert 'id="ask-refund"' not in page and 'id="pay-now"' not in page
    # what no longer applies is gone: the second badge saying the same, the deposit's use, delivery news
    assert 'id="refund-badge"' not in page and "交车时抵扣车款" not in page and 'id="delivery-updates"' not in page
    assert re.search(r'<span class="when">退款时间 \d{4}-\d\d-\d\d \d\d:\d\d</span>', page)  # kept on one line
    # after the refund: refused with the service's message
    late = client.post(url, {"reason": "x"}, follow=True)
    assert zh_message("order.refund_not_allowed", status=order.get_status_display()) in html(late)
    assert Refund.objects.count() == 1


def test_a_declined_refund_can_be_asked_again(shop, client, paid):
    order = paid()
    client.post(f"{order_url(order)}refund/", {"reason": "计划有变"})
    refund_dealer_decide(actor=shop.a_manager.actor, refund=Refund.objects.get(), approve=False, note="车辆已上牌")
    page = html(client.get(order_url(order)))  # customer service reviews the dealer's decline first (ORD-5)
    assert 'data-refund-status="dealer_declined"' in page and 'id="refund-under-review"' in page
    assert 'id="ask-refund"' not in page and "车辆已上牌" not in page  # the dealer's note is for customer service
    refund_review(actor=shop.hq_service.actor, refund=Refund.objects.get(), approve=False,
                  note="车辆已按您的要求调拨到店，意向金不予退还")
    page = html(client.get(order_url(order)))
    assert 'data-refund-status="rejected"' in page and 'id="ask-refund"' in page
    assert "车辆已按您的要求调拨到店，意向金不予退还" in page and "车辆已上牌" not in page


def test_an_unpaid_order_cannot_be_refunded(shop, client, place_order):
    order, _response = place_order()
    assert 'id="ask-refund"' not in html(client.get(order_url(order)))
    response = client.post(f"{order_url(order)}refund/", {"reason": "不想要了"}, follow=True)
    status = order.get_status_display()
    assert zh_message("order.refund_not_allowed", status=status) in html(response) and not Refund.objects.exists()


# --- what the consumer never sees ---------------------------------------------------------------------


def test_the_order_page_never_shows_the_dealers_figures(shop, client, paid, install_parts):
    order = paid()
    order_record_step(actor=shop.a_manager.actor, order=order, step="contracted", contract_value=CONTRACT,
                      balance_paid=BALANCE)
    assert DealerDeal.objects.get(order=order).contract_value == CONTRACT
    for state in ("contracted", "delivered", "received"):
        if state == "delivered":
            install_parts(order, shop.a_manager.actor)
            order_record_step(actor=shop.a_manager.actor, order=order, step="delivered", vin=f"LVGTEST{order.pk:010d}")
        if state == "received":
            client.post(f"{order_url(order)}receipt/")
        page = html(client.get(order_url(order)))
        for secret in SECRETS:
            assert secret not in page, (state, secret)
        staff = [p.staff for p in shop.people.values()]
        for person in staff:
            assert person.user.username not in page and person.phone[-8:] not in page, (state, person.name)


def test_unknown_orders_and_wrong_methods(shop, client, place_order):
    order, _response = place_order()
    assert client.get("/store/order/nope/").status_code == 404
    for action in ("pay", "receipt", "refund"):
        assert client.post(f"/store/order/nope/{action}/").status_code == 404
        assert client.get(f"{order_url(order)}{action}/").status_code == 405
    assert client.post(order_url(order)).status_code == 405


def test_the_pages_have_a_title_and_a_description_and_are_not_cached(shop, client, place_order):
    order, _response = place_order()
    for url, title in ((START, "S7"), (f"{START}?edition={EDITION}&city=上海", "天猫特别版"),
                       (order_url(order), order.number)):
        response = client.get(url)
        page = html(response)
        assert response.status_code == 200 and 'lang="zh-hans"' in page
        found = re.search(r"<title>(.*?)</title>", page, re.S)
        assert found and title in found.group(1), (url, found)
        description = re.search(r'<meta name="description" content="([^"]+)">', page)
        assert description and len(description.group(1)) > 10, url
        assert "no-store" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    assert 'name="robots" content="noindex"' in html(client.get(order_url(order)))


def test_a_closed_order_says_so(shop, client, place_order):
    order, _response = place_order()
    Order.objects.filter(pk=order.pk).update(status=OrderStatus.CLOSED)
    page = html(client.get(order_url(order)))
    assert 'id="closed-notice"' in page and 'id="pay-now"' not in page and 'id="ask-refund"' not in page
    response = client.post(f"{order_url(order)}pay/", {"provider": "sandbox"}, follow=True)
    assert zh_message("order.closed_unpaid", deadline=pay_by_text(order)) in html(response)


def test_the_pages_make_few_queries(shop, client, paid):
    order = paid()
    budget = {START: 6, f"{START}?edition={EDITION}&city=上海": 10, f"{START}?city=苏州": 10, order_url(order): 6}
    for url, most in budget.items():
        client.get(url)  # warm up
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        assert len(queries) <= most, (url, len(queries), [q["sql"] for q in queries])


# --- protection ----------------------------------------------------------------------------------------


def test_too_many_posts_get_a_friendly_message_and_nothing_is_saved(shop, client, settings):
    settings.STORE_POST_RATE = "2/m"
    client.post(START, post_data(phone="12"))
    client.post(START, post_data(phone="12"))
    response = client.post(START, post_data())
    assert response.status_code == 429 and counts() == (0, 0)
    from autodcc.storefront.views.common import RATE_LIMITED

    with translation.override("zh-hans"):
        assert str(RATE_LIMITED) in html(response)
    assert client.get(START).status_code == 200  # browsing is never limited


def test_csrf_is_enforced(shop, paid):
    order = paid()
    client = Client(enforce_csrf_checks=True)
    assert client.post(START, post_data(phone="13912340009")).status_code == 403
    assert client.post(f"{order_url(order)}refund/", {"reason": "计划有变"}).status_code == 403
    assert client.post(f"{order_url(order)}pay/", {"provider": "sandbox"}).status_code == 403
    assert client.post(f"{order_url(order)}receipt/").status_code == 403
    assert Order.objects.count() == 1 and not Refund.objects.exists()
