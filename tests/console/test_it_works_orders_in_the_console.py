"""The order and finance pages driven through their POST endpoints, as the personas would click them.

The dealer records the order's way to delivery with its own deal figures; HQ customer service
follows and refunds; HQ finance reconciles and settles. HQ never sees the dealer's figures."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from openpyxl import load_workbook

from autodcc.core.errors import message_for
from autodcc.core.models import AuditLog
from autodcc.orders.models import (
    AccessoryOrder,
    DealerDeal,
    DeliveryUpdate,
    Order,
    OrderStatus,
    Refund,
    RefundStatus,
    Reward,
    Settlement,
    SettlementLine,
    Statement,
)
from autodcc.orders.services import (
    order_confirm_receipt,
    order_record_step,
    refund_request,
)

HX = {"HTTP_HX_REQUEST": "true"}
CONTRACT, BALANCE = Decimal("214389.00"), Decimal("213889.00")
# every way the dealer's figures could be printed
SECRETS = ("214389", "213889", "214,389", "213,889", "214 389", "213 889", "214.389", "213.889", "214\u00a0389",
           "213\u00a0889", "21.4389", "21.3889")


def url(name, *args):
    return reverse(f"console:{name}", args=args)


def message(code, **params):
    """A domain error's message as the console shows it: in the default language (Chinese), escaped."""
    with translation.override("zh-hans"):
        params = {k: str(v) for k, v in params.items()}
        return escape(message_for(code, params))


def zh(label):
    with translation.override("zh-hans"):
        return str(label)


def order_actions(order):
    return list(AuditLog.objects.filter(object_type="orders.order", object_id=str(order.pk)).order_by("id")
                .values_list("action", flat=True))


def html(response):
    return response.content.decode()


def assert_no_deal(page, where):
    for secret in SECRETS:
        assert secret not in page, (where, secret)


def deliver(order, actor, *, received=True):
    order_record_step(actor=actor, order=order, step="visited")
    order_record_step(actor=actor, order=order, step="contracted", contract_value=CONTRACT, balance_paid=BALANCE)
    order_record_step(actor=actor, order=order, step="delivered", delivery_mode="home_delivery", vin=f"LVGTEST{order.pk:010d}")
    if received:
        return order_confirm_receipt(token=order.token)
    return Order.objects.get(pk=order.pk)


def statement_file(rows, name="sandbox-bill.csv"):
    text = "trade_no,out_trade_no,type,amount,refund_amount,out_refund_no,time\n" + "\n".join(rows) + "\n"
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


def this_month():
    return timezone.localdate().strftime("%Y-%m")


# --- the dealer's steps ------------------------------------------------------------------------


def test_the_dealer_records_visit_contract_and_delivery_on_the_order_page(net, login, paid_order):
    order = paid_order(edition=True)
    client = login(net.a_consultant)
    page = html(client.get(url("order_detail", order.pk)))
    assert 'id="step-form-visited"' in page and 'id="step-form-contracted"' in page
    assert 'id="step-form-delivered"' not in page  # not before the contract
    assert 'id="dealer-deal"' in page and order.number in page
    # the payment names its provider (not the code "sandbox") and heads its time as a time
    payments = page[page.index('id="payments"'):page.index('id="refunds"')]
    assert "<td>沙箱（测试支付，不产生真实资金流动）</td>" in payments and "<td>sandbox</td>" not in payments
    assert "<th>支付时间</th>" in payments

    # a step out of order: the service's refusal shows on the form, nothing changes
    response = client.post(url("order_step", order.pk), {"step": "delivered", "delivery_mode": "home_delivery"})
    assert response.status_code == 200
    assert message("order.illegal_step", status=zh(OrderStatus.PAID.label), step="delivered") in html(response)
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID and order.delivery_mode == "store_pickup"

    response = client.post(url("order_step", order.pk), {"step": "visited"})
    assert response.status_code == 302 and response["Location"] == url("order_detail", order.pk)
    order.refresh_from_db()
    assert order.status == OrderStatus.VISITED and order.visited_at is not None

    # a contract value below the deposit is refused on its field
    response = client.post(url("order_step", order.pk), {"step": "contracted", "contract_value": "100.00"})
    assert response.status_code == 200 and message("order.contract_below_deposit") in html(response)
    assert Order.objects.get(pk=order.pk).status == OrderStatus.VISITED

    response = client.post(url("order_step", order.pk), {"step": "contracted", "contract_value": "214389.00",
                                                         "balance_paid": "213889.00"})
    assert response.status_code == 302
    order.refresh_from_db()
    deal = DealerDeal.objects.get(order=order)
    assert order.status == OrderStatus.CONTRACTED and (deal.contract_value, deal.balance_paid) == (CONTRACT, BALANCE)
    assert AuditLog.objects.filter(object_type="orders.dealerdeal", object_id=str(deal.pk),
                                   action="deal.update", dealer_id=order.dealer_id).exists()

    # the dealer sees its figures on its own page
    page = html(client.get(url("order_detail", order.pk)))
    assert "214389.00" in page and "213889.00" in page
    assert 'id="step-form-delivered"' in page and 'id="accessory-form"' in page

    # the edition's accessory package: the lead time constrains the promised date
    early = timezone.localdate() + dt.timedelta(days=5)
    response = client.post(url("order_accessories", order.pk), {"promised_on": early.isoformat()})
    earliest = timezone.localdate() + dt.timedelta(days=10)
    assert response.status_code == 200
    assert message("order.promise_too_early", days=10, date=earliest.isoformat()) in html(response)
    assert not AccessoryOrder.objects.filter(order=order).exists()
    promised = timezone.localdate() + dt.timedelta(days=12)
    assert client.post(url("order_accessories", order.pk), {"promised_on": promised.isoformat()}).status_code == 302
    accessory = AccessoryOrder.objects.get(order=order)
    assert accessory.promised_on == promised and [p["part_no"] for p in accessory.parts] == [
        "ACC-7701", "ACC-7702", "ACC-7703"]

    # ORD-6: the car leaves with its package fitted — HQ confirms and ships, the dealer receives and installs
    vin_only = {"step": "delivered", "delivery_mode": "home_delivery", "vin": "LSVAU2180N2123456"}
    response = client.post(url("order_step", order.pk), vin_only, **HX)
    assert "尚未安装" in html(response) and Order.objects.get(pk=order.pk).status == OrderStatus.CONTRACTED
    assert client.post(url("accessory_step", accessory.pk), {"to": "confirmed"}).status_code == 403  # HQ's step
    hq = login(net.hq_service)
    assert 'data-accessory-next="confirmed"' in html(hq.get(url("order_detail", order.pk)))
    listing = html(hq.get(url("accessory_list")))
    assert order.number in listing and f'data-accessory="{accessory.pk}"' in listing
    hq.post(url("accessory_step", accessory.pk), {"to": "shipped"}, **HX)  # out of order: refused, nothing moves
    assert AccessoryOrder.objects.get(pk=accessory.pk).status == "ordered"
    for step in ("confirmed", "shipped"):
        assert hq.post(url("accessory_step", accessory.pk), {"to": step, "from": "list"}).status_code == 302
    assert hq.post(url("accessory_step", accessory.pk), {"to": "arrived"}).status_code == 403  # the dealer's step
    client = login(net.a_consultant)  # one test client: each login replaces the last
    for step in ("arrived", "installed"):
        assert client.post(url("accessory_step", accessory.pk), {"to": step}).status_code == 302
    accessory.refresh_from_db()
    assert accessory.status == "installed" and accessory.confirmed_at and accessory.shipped_at and accessory.installed_at
    assert login(net.b_manager).post(url("accessory_step", accessory.pk), {"to": "installed"}).status_code == 404
    client = login(net.a_consultant)

    # the delivery, through htmx: without the car's VIN it is refused on the form, nothing changes
    response = client.post(url("order_step", order.pk), {"step": "delivered", "delivery_mode": "home_delivery"}, **HX)
    assert "车架号" in html(response) and Order.objects.get(pk=order.pk).status == OrderStatus.CONTRACTED
    response = client.post(url("order_step", order.pk), {"step": "delivered", "delivery_mode": "home_delivery",
                                                         "vin": "lsvau2180n2123456", "plate": "沪A D12345"}, **HX)
    body = html(response)
    assert response.status_code == 200 and "<html" not in body and 'id="order-body"' in body
    assert 'id="order-notice"' in body
    order.refresh_from_db()
    assert order.status == OrderStatus.DELIVERED and order.delivery_mode == "home_delivery"
    # the buyer's car is on file, theirs, found by its plate or VIN
    assert (order.vehicle.vin, order.vehicle.plate, order.vehicle.customer) == (
        "LSVAU2180N2123456", "沪AD12345", order.customer)
    assert order.vehicle.purchase_date == timezone.localdate() and order.vehicle.dealer == order.dealer
    found = html(client.get(url("customer_list") + "?q=沪AD12345"))
    assert order.customer.name in found
    assert DeliveryUpdate.objects.filter(order=order).count() == 1

    assert client.post(url("order_delivery_update", order.pk), {"text": "车已到店，等待上牌"}).status_code == 302
    response = client.post(url("order_delivery_update", order.pk), {"text": ""})
    assert response.status_code == 200 and 'id="delivery-update-form"' in html(response)
    assert list(DeliveryUpdate.objects.filter(order=order).values_list("text", flat=True)) == [
        "车辆已交付，请在订单页确认收车", "车已到店，等待上牌"]
    assert client.post(url("order_remind_receipt", order.pk)).status_code == 302

    # the demo edition's rewards come with the balance paid (recorded with the contract above)
    assert order_actions(order) == ["order.create", "order.paid", "order.visited", "order.contracted",
                                    "reward.issue", "order.accessories", "accessory.confirmed", "accessory.shipped",
                                    "accessory.arrived", "accessory.installed", "order.delivered",
                                    "order.delivery_update", "order.receipt_reminder"]
    audit = AuditLog.objects.filter(object_type="orders.order", object_id=str(order.pk), action="order.visited").get()
    assert audit.actor_label == net.a_consultant.actor.label

    # the buyer confirms: rewards show, the step forms are gone
    order_confirm_receipt(token=order.token)
    page = html(client.get(url("order_detail", order.pk)))
    assert 'id="steps"' not in page and 'id="rewards"' in page
    assert zh(OrderStatus.RECEIVED.label) == "已确认收车"  # a status in the past tense, like 已交车
    for reward in Reward.objects.filter(order=order):
        assert reward.code in page


def test_the_reminder_before_delivery_is_refused_on_its_form(net, login, paid_order):
    order = paid_order()
    client = login(net.a_manager)
    response = client.post(url("order_remind_receipt", order.pk), **HX)
    assert response.status_code == 200 and message("order.receipt_early") in html(response)
    assert "order.receipt_reminder" not in order_actions(order)
    # in the user's language
    client.post("/i18n/setlang/", {"language": "en", "next": url("order_detail", order.pk)})
    response = client.post(url("order_step", order.pk), {"step": "delivered"})
    with translation.override("en"):
        english = escape(message_for("order.illegal_step", {"status": str(OrderStatus.PAID.label),
                                                            "step": "delivered"}))
    assert response.status_code == 200 and english in html(response)


def test_people_who_only_follow_orders_cannot_record_steps(net, login, paid_order):
    order = paid_order()
    for who in ("hq_service", "a_supervisor", "regional_manager", "a_agent"):  # the DCC agent calls the buyer
        client = login(getattr(net, who))
        assert client.get(url("order_detail", order.pk)).status_code == 200, who
        assert 'id="steps"' not in html(client.get(url("order_detail", order.pk))), who
        assert client.post(url("order_step", order.pk), {"step": "visited"}).status_code == 403, who
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PAID


# --- the dealer's figures never reach HQ -------------------------------------------------------


def test_hq_never_sees_the_contract_value_or_the_balance(net, login, paid_order, install_parts):
    order = paid_order(edition=True)
    dealer = login(net.a_manager)
    for data in ({"step": "visited"}, {"step": "contracted", "contract_value": "214389.00",
                                       "balance_paid": "213889.00"},
                 {"step": "delivered", "delivery_mode": "home_delivery", "vin": f"LVGTEST{order.pk:010d}"}):
        if data["step"] == "delivered":
            install_parts(order, net.a_manager.actor)
        assert dealer.post(url("order_step", order.pk), data).status_code == 302
    order_confirm_receipt(token=order.token)
    payment = order.payments.get()
    finance = login(net.hq_finance)
    response = finance.post(url("finance"), {
        "provider": "sandbox", "month": this_month(),
        "file": statement_file([f"{payment.trade_no},{payment.out_trade_no},payment,500.00,,,2026-11-20 10:00:00"])})
    statement = Statement.objects.get()
    assert response.status_code == 302
    assert finance.post(url("settlement_run"), {"month": this_month(), "confirm": "1",
                                                "expected_total": "500.00"}).status_code == 302
    assert Settlement.objects.count() == 1

    dealer_page = html(login(net.a_manager).get(url("order_detail", order.pk)))
    assert "214389.00" in dealer_page and "213889.00" in dealer_page  # the search below finds them if shown

    pages = {
        "hq_service": [url("order_list"), url("order_detail", order.pk), url("order_list") + "?attention=on",
                       url("audit_list")],
        "hq_marketer": [url("order_list"), url("order_detail", order.pk), url("audit_list")],
        "regional_manager": [url("order_list"), url("order_detail", order.pk), url("audit_list")],
        "hq_finance": [url("order_list"), url("order_detail", order.pk), url("finance"),
                       url("finance") + f"?month={this_month()}", url("statement_detail", statement.pk),
                       url("audit_list")],
    }
    for who, urls in pages.items():
        client = login(getattr(net, who))
        for address in urls:
            response = client.get(address)
            assert response.status_code == 200, (who, address)
            assert_no_deal(html(response), (who, address))
            if "orders/" in address and address != url("order_list"):
                assert 'id="dealer-deal"' not in html(response)
        # htmx fragments too
        assert_no_deal(html(client.get(url("order_detail", order.pk), **HX)), (who, "fragment"))
    # the transfer list HQ finance downloads carries deposits only
    sheet = load_workbook(io.BytesIO(login(net.hq_finance).get(url("transfer_list") + f"?month={this_month()}")
                                     .content)).worksheets[1]
    cells = " ".join(str(c.value) for row in sheet.iter_rows() for c in row)
    assert order.number in cells
    assert_no_deal(cells, "transfer list")


# --- refunds -------------------------------------------------------------------------------------


def test_a_refund_goes_from_the_buyer_to_the_dealer_to_customer_service(net, login, paid_order,
                                                                        django_capture_on_commit_callbacks):
    order, other = paid_order(name="退订客户"), paid_order()
    refund = refund_request(token=order.token, reason="计划有变")

    # customer service sees it in the queue, but cannot execute before the dealer confirms
    hq = login(net.hq_service)
    queue = html(hq.get(url("order_list") + "?attention=on"))
    assert order.number in queue and other.number not in queue
    page = html(hq.get(url("order_detail", order.pk)))
    assert "计划有变" in page and 'id="execute-form-' not in page and 'id="decide-form"' not in page
    response = hq.post(url("refund_execute", refund.pk))
    assert response.status_code == 200
    assert message("order.refund_wrong_state", status=zh(RefundStatus.REQUESTED.label)) in html(response)
    assert hq.post(url("refund_decide", refund.pk), {"decision": "approve"}).status_code == 403

    # a consultant may not decide; the manager may
    consultant = login(net.a_consultant)
    assert 'id="decide-form"' not in html(consultant.get(url("order_detail", order.pk)))
    assert consultant.post(url("refund_decide", refund.pk), {"decision": "approve"}).status_code == 403
    manager = login(net.a_manager)
    assert 'id="decide-form"' in html(manager.get(url("order_detail", order.pk)))
    response = manager.post(url("refund_decide", refund.pk), {"decision": "decline", "note": ""})
    assert response.status_code == 200 and message("lead.note_required") in html(response)
    refund.refresh_from_db()
    assert refund.status == RefundStatus.REQUESTED
    response = manager.post(url("refund_decide", refund.pk), {"decision": "approve", "cancelled_by": "dealer",
                                                               "note": "库存车已售"})
    assert response.status_code == 302
    refund.refresh_from_db()
    order.refresh_from_db()
    assert refund.status == RefundStatus.DEALER_CONFIRMED and refund.dealer_confirmed_by_id == net.a_manager.staff.pk
    assert order.cancelled_by == "dealer" and refund.dealer_note == "库存车已售"
    # deciding again after the decision: the refusal still shows, though the form is gone
    response = manager.post(url("refund_decide", refund.pk), {"decision": "decline", "note": "改主意"})
    assert response.status_code == 200 and 'id="order-errors"' in html(response)
    assert message("order.refund_wrong_state", status=zh(RefundStatus.DEALER_CONFIRMED.label)) in html(response)

    # customer service executes; the provider call runs through the outbox after commit
    hq = login(net.hq_service)
    page = html(hq.get(url("order_detail", order.pk)))
    assert f'id="execute-form-{refund.pk}"' in page and "库存车已售" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = hq.post(url("refund_execute", refund.pk))
    assert response.status_code == 302
    refund.refresh_from_db()
    order.refresh_from_db()
    assert refund.status == RefundStatus.SUCCEEDED and refund.refund_no
    assert order.status == OrderStatus.REFUNDED and order.refunded_at is not None
    assert order_actions(order) == ["order.create", "order.paid", "refund.request", "refund.dealer_confirm",
                                    "refund.execute", "refund.succeeded"]
    assert order.number not in html(hq.get(url("order_list") + "?attention=on"))
    page = html(hq.get(url("order_detail", order.pk)))
    assert f'id="execute-form-{refund.pk}"' not in page and refund.refund_no in page


def test_a_declined_refund_keeps_the_order(net, login, paid_order):
    order = paid_order()
    refund = refund_request(token=order.token)
    manager = login(net.a_gm)
    response = manager.post(url("refund_decide", refund.pk), {"decision": "decline", "note": "车辆已上牌"}, **HX)
    assert response.status_code == 200 and 'id="order-notice"' in html(response)
    refund.refresh_from_db()
    assert refund.status == RefundStatus.DEALER_DECLINED and Order.objects.get(pk=order.pk).status == OrderStatus.PAID


def test_customer_service_reviews_a_declined_refund_on_the_order_page(net, login, paid_order):
    from autodcc.messaging.models import Event, Message

    order, other = paid_order(name="复核客户"), paid_order()
    refund = refund_request(token=order.token, reason="计划有变")
    login(net.a_manager).post(url("refund_decide", refund.pk), {"decision": "decline", "note": "车辆已上牌"})
    refund.refresh_from_db()
    assert refund.status == RefundStatus.DEALER_DECLINED

    # customer service finds it in its queue, flagged for review
    hq = login(net.hq_service)
    queue = html(hq.get(url("order_list") + "?attention=on"))
    assert order.number in queue and other.number not in queue and "经销商拒绝退款：请复核" in queue
    page = html(hq.get(url("order_detail", order.pk)))
    assert 'id="review-form"' in page and 'id="review-decline"' in page and "车辆已上牌" in page
    # overruling needs a written reason: a clear Chinese error, nothing changed
    response = hq.post(url("refund_review", refund.pk), {"decision": "approve", "note": ""}, **HX)
    assert response.status_code == 200 and message("order.review_reason_required") in html(response)
    assert Refund.objects.get(pk=refund.pk).status == RefundStatus.DEALER_DECLINED
    response = hq.post(url("refund_review", refund.pk), {"decision": "approve", "note": "上牌前已申请，同意退款"})
    assert response.status_code == 302
    refund.refresh_from_db()
    assert refund.status == RefundStatus.DEALER_CONFIRMED and refund.reviewed_by_id == net.hq_service.staff.pk
    assert Message.objects.filter(event=Event.REFUND_APPROVED, related_id=str(order.pk)).count() == 1
    page = html(hq.get(url("order_detail", order.pk)))
    assert f'id="execute-form-{refund.pk}"' in page and "上牌前已申请，同意退款" in page and 'id="review-form"' not in page
    assert order_actions(order)[-3:] == ["refund.request", "refund.dealer_decline", "refund.overrule"]


def test_the_dealer_may_withdraw_its_decline_but_not_make_it_final(net, login, paid_order):
    order = paid_order()
    refund = refund_request(token=order.token)
    manager = login(net.a_manager)
    manager.post(url("refund_decide", refund.pk), {"decision": "decline", "note": "车辆已上牌"})
    page = html(manager.get(url("order_detail", order.pk)))
    assert 'id="review-approve"' in page and 'id="review-decline"' not in page
    assert manager.post(url("refund_review", refund.pk), {"decision": "decline", "note": "就是不退"}).status_code == 403
    for who in ("a_consultant", "a_agent", "hq_marketer", "hq_finance", "regional_manager"):
        client = login(getattr(net, who))
        assert 'id="review-form"' not in html(client.get(url("order_detail", order.pk))), who
        assert client.post(url("refund_review", refund.pk), {"decision": "approve", "note": "同意"}).status_code == 403
    for who in ("b_manager", "b_agent"):  # another dealer's staff: not found
        assert login(getattr(net, who)).post(url("refund_review", refund.pk),
                                             {"decision": "approve", "note": "同意"}).status_code == 404
    assert Refund.objects.get(pk=refund.pk).status == RefundStatus.DEALER_DECLINED
    manager = login(net.a_manager)  # the same test client, logged in again
    response = manager.post(url("refund_review", refund.pk), {"decision": "approve", "note": "客户补充了材料，同意退款"})
    assert response.status_code == 302 and Refund.objects.get(pk=refund.pk).status == RefundStatus.DEALER_CONFIRMED


# --- the list ------------------------------------------------------------------------------------


def test_the_list_filters_and_scopes_orders(net, login, paid_order, new_order):
    a_paid = paid_order(dealer="SH-001", name="王芳")
    a_open = new_order(dealer="SH-001", name="李娜")
    b_paid = paid_order(dealer="HZ-001", name="赵磊")
    late = paid_order(dealer="HZ-001", name="钱多")
    deliver(late, net.b_manager.actor, received=False)
    Order.objects.filter(pk=late.pk).update(delivered_at=timezone.now() - dt.timedelta(days=8))

    page = html(login(net.a_consultant).get(url("order_list")))
    assert a_paid.number in page and a_open.number in page
    assert b_paid.number not in page and late.number not in page
    assert 'name="dealer"' not in page  # one dealer: no dealer filter

    hq = login(net.hq_service)
    page = html(hq.get(url("order_list")))
    assert all(o.number in page for o in (a_paid, a_open, b_paid, late)) and 'name="dealer"' in page
    customer_phone = a_paid.customer.phone
    assert customer_phone not in page and customer_phone[-4:] in page  # masked

    def numbers(query):
        body = html(hq.get(url("order_list") + query, **HX))
        assert "<html" not in body
        return {o.number for o in (a_paid, a_open, b_paid, late) if o.number in body}

    assert numbers("?q=王芳") == {a_paid.number}
    assert numbers(f"?q={b_paid.number}") == {b_paid.number}
    assert numbers("?status=awaiting_payment") == {a_open.number}
    assert numbers(f"?dealer={net.dealer_b.pk}") == {b_paid.number, late.number}
    assert numbers(f"?month={this_month()}") == {a_paid.number, a_open.number, b_paid.number, late.number}
    assert numbers("?month=2001-01") == set()
    assert numbers("?month=nonsense") == {a_paid.number, a_open.number, b_paid.number, late.number}
    assert numbers("?attention=on") == {late.number}  # delivered 8 days ago, receipt not confirmed


# --- finance -------------------------------------------------------------------------------------


def test_finance_imports_a_statement_and_settles_the_month_once(net, login, paid_order):
    a1, a2 = paid_order(dealer="SH-001"), paid_order(dealer="SH-001")
    b1, missing = paid_order(dealer="HZ-001"), paid_order(dealer="HZ-001")
    for order, staff in ((a1, net.a_manager), (a2, net.a_manager), (b1, net.b_manager), (missing, net.b_manager)):
        deliver(order, staff.actor)
    pay = {o.number: o.payments.get() for o in (a1, a2, b1, missing)}
    rows = [f"{p.trade_no},{p.out_trade_no},payment,500.00,,,2026-11-20 10:00:00"
            for p in (pay[a1.number], pay[a2.number], pay[b1.number])]
    rows[1] = rows[1].replace(",500.00,", ",499.00,")  # a wrong amount for a2
    rows.append(rows[0])  # a duplicate line of a1
    rows.append("SBX1,DO99999999999P1,payment,500.00,,,2026-11-21 10:00:00")  # no such payment
    client = login(net.hq_finance)
    page = html(client.get(url("finance")))
    assert 'id="statement-form"' in page and "sandbox" in page and "alipay" in page and "wechat" in page

    # refusals show on the form
    response = client.post(url("finance"), {"provider": "sandbox", "month": "2026-13", "file": statement_file(rows)})
    assert response.status_code == 200 and 'data-field="month"' in html(response) and "errorlist" in html(response)
    bad = SimpleUploadedFile("bill.csv", b"foo,bar\n1,2\n", content_type="text/csv")
    response = client.post(url("finance"), {"provider": "sandbox", "month": this_month(), "file": bad})
    assert response.status_code == 200 and message("import.bad_header", value="out_trade_no") in html(response)
    assert not Statement.objects.exists()

    response = client.post(url("finance"), {"provider": "sandbox", "month": this_month(),
                                            "file": statement_file(rows)})
    statement = Statement.objects.get()
    assert response.status_code == 302 and response["Location"] == url("statement_detail", statement.pk)
    page = html(client.get(url("statement_detail", statement.pk)))
    assert 'id="matched-count">2<' in page and 'id="lines-count">5<' in page
    section = lambda name: page.split(f'<section id="{name}">')[1].split("</section>")[0]  # noqa: E731
    assert "DO99999999999P1" in section("unmatched")
    assert pay[a2.number].out_trade_no in section("mismatched") and "499.00" in section("mismatched")
    assert pay[a1.number].out_trade_no in section("duplicates")
    assert pay[missing.number].out_trade_no in section("missing")
    assert AuditLog.objects.filter(action="statement.import").count() == 1

    # the month's settlement: matched deposits only, per dealer
    page = html(client.get(url("finance") + f"?month={this_month()}"))
    candidates = page.split('id="candidates"')[1].split("</table>")[0]
    assert a1.number in candidates and b1.number in candidates
    assert a2.number not in candidates and missing.number not in candidates
    assert 'id="settle-form"' in page and 'id="transfer-download"' not in page
    assert 'name="expected_total" value="1000.00"' in page and "向 2 家经销商划款共 1000.00 元" in page
    # one click settles nothing: the amount must be confirmed, and be the amount that would move
    response = client.post(url("settlement_run"), {"month": this_month()})
    assert response.status_code == 302 and not Settlement.objects.exists()
    assert "请勾选确认" in html(client.get(response["Location"]))
    response = client.post(url("settlement_run"), {"month": this_month(), "confirm": "1", "expected_total": "500.00"})
    assert not Settlement.objects.exists() and "发生了变化" in html(client.get(response["Location"]))
    for absurd in ("1e999", "1e999999999", "-5", "NaN", "abc"):
        response = client.post(url("settlement_run"), {"month": this_month(), "confirm": "1", "expected_total": absurd})
        assert response.status_code == 302 and not Settlement.objects.exists(), absurd
    assert client.get(url("finance") + "?month=0000-01").status_code == 200  # a month that never was: this month
    response = client.post(url("settlement_run"), {"month": this_month(), "confirm": "1", "expected_total": "1000.00"})
    assert response.status_code == 302 and response["Location"] == url("finance") + f"?month={this_month()}"
    assert {s.dealer.code: s.total for s in Settlement.objects.all()} == {"SH-001": Decimal("500.00"),
                                                                          "HZ-001": Decimal("500.00")}
    page = html(client.get(response["Location"]))
    assert 'id="settle-form"' not in page and 'id="transfer-download"' in page
    assert a1.number in page.split('id="settlement"')[1]

    # settling again settles nothing twice
    assert client.post(url("settlement_run"), {"month": this_month(), "confirm": "1",
                                               "expected_total": "0.00"}).status_code == 302
    assert Settlement.objects.count() == 2 and SettlementLine.objects.count() == 2
    assert AuditLog.objects.filter(action="settlement.settle").count() == 2

    # a later statement matches a2: its dealer's month is already settled, so the page says the run
    # leaves it alone (one settlement per dealer and month) and offers no button that does nothing
    fixed = [f"{pay[a2.number].trade_no},{pay[a2.number].out_trade_no},payment,500.00,,,2026-11-22 10:00:00"]
    client.post(url("finance"), {"provider": "sandbox", "month": this_month(), "file": statement_file(fixed)})
    page = html(client.get(url("finance") + f"?month={this_month()}"))
    candidates = page.split('id="candidates"')[1].split("</table>")[0]
    assert a2.number in candidates and "data-blocked" in candidates and 'id="settle-form"' not in page
    assert Settlement.objects.count() == 2 and SettlementLine.objects.count() == 2

    from autodcc.network.models import Dealer

    Dealer.objects.filter(code="SH-001").update(account_name="上海浦东汽车销售有限公司", account_bank="招商银行上海张江支行",
                                                account_number="6214830212345678")
    response = client.get(url("transfer_list") + f"?month={this_month()}")
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    assert "filename*=UTF-8''%E5%88%92%E6%AC%BE%E6%B8%85%E5%8D%95" in response["Content-Disposition"]  # 划款清单
    book = load_workbook(io.BytesIO(response.content))
    transfers, lines = book.worksheets
    rows = [[c.value for c in row] for row in transfers.iter_rows(min_row=2)]
    assert [r[0] for r in rows] == ["HZ-001", "SH-001", "合计"]  # by dealer code, the total last
    assert rows[1][2:7] == ["上海浦东汽车销售有限公司", "招商银行上海张江支行", "6214830212345678", 1, 500]
    assert rows[0][2] == "（未登记账户）"
    assert rows[2][5:7] == [2, 1000] and transfers.cell(transfers.max_row, 1).font.bold
    assert lines.max_row == 3 and {lines.cell(r, 3).value for r in (2, 3)} == {a1.number, b1.number}
    assert client.get(url("transfer_list") + "?month=bad").status_code == 400


@pytest.mark.parametrize("who", ["hq_service", "hq_marketer", "regional_manager", "a_manager", "a_gm",
                                 "a_consultant", "b_manager"])
def test_finance_pages_are_for_hq_finance_only(net, login, who):
    statement = Statement.objects.create(provider="sandbox", month=timezone.localdate().replace(day=1),
                                         filename="x.csv", imported_by_label="finance")
    client = login(getattr(net, who))
    assert client.get(url("finance")).status_code == 403
    assert client.post(url("finance"), {"provider": "sandbox", "month": this_month()}).status_code == 403
    assert client.get(url("statement_detail", statement.pk)).status_code == 403
    assert client.post(url("settlement_run"), {"month": this_month()}).status_code == 403
    assert client.get(url("transfer_list") + f"?month={this_month()}").status_code == 403
    assert 'data-nav="finance"' not in html(client.get(url("home")))


def test_dealer_staff_get_404_for_another_dealers_order_and_refund(net, login, paid_order):
    order = paid_order(dealer="HZ-001")
    refund = refund_request(token=order.token)
    client = login(net.a_manager)
    assert client.get(url("order_detail", order.pk)).status_code == 404
    for name, pk in (("order_step", order.pk), ("order_delivery_update", order.pk),
                     ("order_remind_receipt", order.pk), ("order_accessories", order.pk),
                     ("refund_decide", refund.pk)):
        assert client.post(url(name, pk), {"step": "visited", "decision": "approve", "text": "x"}).status_code == 404
    assert order.number not in html(client.get(url("order_list")))
    refund.refresh_from_db()
    assert refund.status == RefundStatus.REQUESTED and Order.objects.get(pk=order.pk).status == OrderStatus.PAID
    # the region sees the order but records nothing
    region = login(net.regional_manager)
    assert region.get(url("order_detail", order.pk)).status_code == 200
    assert region.post(url("order_step", order.pk), {"step": "visited"}).status_code == 403
