import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from autodcc.core.errors import Conflict, DomainError, Forbidden, NotFound
from autodcc.core.models import AuditLog
from autodcc.orders import policy
from autodcc.orders.models import LineMatch, OrderStatus, RefundStatus, Reward, Settlement, SettlementLine
from autodcc.orders.services import (
    accessory_order_place,
    order_confirm_receipt,
    order_record_step,
    refund_dealer_decide,
    refund_execute,
    refund_request,
)
from autodcc.orders.services.reconciliation import settlement_run, statement_import, transfer_list_xlsx

CONTRACT, BALANCE = Decimal("214389.00"), Decimal("213889.00")


def deliver(order, actor, install_parts=None):
    order_record_step(actor=actor, order=order, step="visited")
    order_record_step(actor=actor, order=order, step="contracted", contract_value=CONTRACT, balance_paid=BALANCE)
    if install_parts:  # an edition leaves with its package fitted (ORD-6)
        install_parts(order, actor)
    order_record_step(actor=actor, order=order, step="delivered", delivery_mode="home_delivery", vin=f"LVGTEST{order.pk:010d}")
    return order_confirm_receipt(token=order.token)


def test_the_dealer_records_milestones_and_hq_never_sees_the_price(net, paid_order, install_parts):
    order = paid_order(edition=True)
    received = deliver(order, net.a_consultant.actor, install_parts)
    assert received.status == OrderStatus.RECEIVED and received.deposit_due_to_dealer
    assert set(Reward.objects.filter(order=order).values_list("kind", flat=True)) == {"voucher", "fuel_card"}
    assert order_confirm_receipt(token=order.token).rewards.count() == 2  # twice: nothing more
    dealer_view = policy.order_view(net.a_manager.actor, received)
    hq_view = policy.order_view(net.hq_service.actor, received)
    assert dealer_view["contract_value"] == CONTRACT and dealer_view["balance_paid"] == BALANCE
    assert "contract_value" not in hq_view and "balance_paid" not in hq_view
    assert str(CONTRACT) not in str(hq_view)
    # the audit trail shows HQ the steps, not the deal
    from autodcc.network.selectors import audit_list

    hq_rows = list(audit_list(actor=net.hq_service.actor).values_list("object_type", "after"))
    assert ("orders.dealerdeal" not in {t for t, _ in hq_rows}) and str(CONTRACT) not in str(hq_rows)
    assert any(t == "orders.dealerdeal" for t, _ in audit_list(actor=net.a_manager.actor).values_list(
        "object_type", "after"))


def test_steps_are_in_order_and_only_for_the_dealer(net, paid_order, new_order):
    order = paid_order()
    with pytest.raises(DomainError):
        order_record_step(actor=net.a_consultant.actor, order=order, step="delivered")
    with pytest.raises(NotFound):
        order_record_step(actor=net.b_manager.actor, order=order, step="visited")
    with pytest.raises(Forbidden):
        order_record_step(actor=net.hq_service.actor, order=order, step="visited")
    with pytest.raises(DomainError):
        order_record_step(actor=net.a_consultant.actor, order=order, step="contracted", contract_value=Decimal("100"))
    unpaid = new_order()
    with pytest.raises(DomainError):
        order_record_step(actor=net.a_consultant.actor, order=unpaid, step="visited")


def test_accessories_respect_the_lead_time(net, paid_order):
    order = paid_order(edition=True)
    order_record_step(actor=net.a_manager.actor, order=order, step="contracted", contract_value=CONTRACT)
    with pytest.raises(DomainError) as exc:
        accessory_order_place(actor=net.a_manager.actor, order=order,
                              promised_on=timezone.localdate() + dt.timedelta(days=5))
    assert exc.value.code == "order.promise_too_early"
    placed = accessory_order_place(actor=net.a_manager.actor, order=order,
                                   promised_on=timezone.localdate() + dt.timedelta(days=12))
    assert [p["part_no"] for p in placed.parts] == ["ACC-7701", "ACC-7702", "ACC-7703"]


def test_a_refund_needs_the_dealer_then_goes_through_the_provider(net, paid_order, django_capture_on_commit_callbacks):
    order = paid_order()
    refund = refund_request(token=order.token, reason="计划有变")
    assert refund.amount == Decimal("500.00")
    with pytest.raises(Conflict):
        refund_request(token=order.token)
    with pytest.raises(DomainError):  # customer service cannot refund before the dealer confirms
        refund_execute(actor=net.hq_service.actor, refund=refund)
    with pytest.raises(Forbidden):
        refund_dealer_decide(actor=net.a_consultant.actor, refund=refund, approve=True)
    refund_dealer_decide(actor=net.a_manager.actor, refund=refund, approve=True)
    with django_capture_on_commit_callbacks(execute=True):
        refund_execute(actor=net.hq_service.actor, refund=refund)
    refund.refresh_from_db()
    order.refresh_from_db()
    assert refund.status == RefundStatus.SUCCEEDED and refund.refund_no and order.status == OrderStatus.REFUNDED
    with pytest.raises(DomainError):  # nothing left to refund
        refund_request(token=order.token)
    actions = list(AuditLog.objects.filter(object_type="orders.order", object_id=str(order.pk))
                   .order_by("id").values_list("action", flat=True))
    assert actions == ["order.create", "order.paid", "refund.request", "refund.dealer_confirm", "refund.execute",
                       "refund.succeeded"]


def test_a_dealer_can_decline_a_refund_with_a_reason(net, paid_order):
    order = paid_order()
    refund = refund_request(token=order.token)
    with pytest.raises(DomainError):
        refund_dealer_decide(actor=net.a_manager.actor, refund=refund, approve=False)
    refund_dealer_decide(actor=net.a_manager.actor, refund=refund, approve=False, note="车辆已上牌，无法退订")
    refund.refresh_from_db()
    assert refund.status == RefundStatus.DEALER_DECLINED  # customer service reviews it (ORD-5)


def statement_csv(rows):
    text = "trade_no,out_trade_no,type,amount,refund_amount,out_refund_no,time\n" + "\n".join(rows) + "\n"
    return io.BytesIO(text.encode())


def test_reconciliation_reports_every_mismatch_and_settles_once(net, paid_order):
    finance = net.hq_finance.actor
    a1, a2 = paid_order(dealer="SH-001"), paid_order(dealer="SH-001")
    b1, missing = paid_order(dealer="HZ-001"), paid_order(dealer="HZ-001")
    for order, staff in ((a1, net.a_manager), (a2, net.a_manager), (b1, net.b_manager), (missing, net.b_manager)):
        deliver(order, staff.actor)
    pay = {o.number: o.payments.get() for o in (a1, a2, b1, missing)}
    month = timezone.localdate().strftime("%Y-%m")
    rows = [f"{p.trade_no},{p.out_trade_no},payment,500.00,,,2026-11-20 10:00:00" for p in
            (pay[a1.number], pay[a2.number], pay[b1.number])]
    rows[1] = rows[1].replace(",500.00,", ",499.00,")  # a wrong amount for a2
    rows.append(rows[0])  # a duplicate of a1
    rows.append("SBX1,DO99999999999P1,payment,500.00,,,2026-11-21 10:00:00")  # an extra line: no such payment
    statement = statement_import(actor=finance, provider="sandbox", month=month, upload=statement_csv(rows),
                                 filename="sandbox-bill.csv")
    report = statement.report
    assert report["matched"] == 2  # a1 and b1
    assert [x["out_no"] for x in report["amount_mismatch"]] == [pay[a2.number].out_trade_no]
    assert [x["out_no"] for x in report["duplicates"]] == [pay[a1.number].out_trade_no]
    assert [x["out_no"] for x in report["unmatched"]] == ["DO99999999999P1"]
    assert report["missing_from_statement"]["payments"] == [pay[missing.number].out_trade_no]
    assert statement.lines.filter(match=LineMatch.MATCHED).count() == 2

    settled = settlement_run(actor=finance, month=month)
    totals = {s.dealer.code: s.total for s in settled}
    assert totals == {"SH-001": Decimal("500.00"), "HZ-001": Decimal("500.00")}  # only matched deposits
    assert set(SettlementLine.objects.values_list("order__number", flat=True)) == {a1.number, b1.number}
    assert settlement_run(actor=finance, month=month) == []  # re-running the month settles nothing twice
    assert Settlement.objects.count() == 2 and SettlementLine.objects.count() == 2
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(transfer_list_xlsx(month))).worksheets[1]  # the orders behind the transfers
    assert sheet.max_row == 3 and {sheet.cell(r, 3).value for r in (2, 3)} == {a1.number, b1.number}
    with pytest.raises(Forbidden):
        settlement_run(actor=net.hq_service.actor, month=month)


def test_the_contract_is_the_deposit_plus_the_balance(net, paid_order, login):
    """ORD-4: the dealer's record of the deal holds together — no more balance than the contract
    less the deposit, never a negative one; the order page shows what is still due."""
    order = paid_order()
    order_record_step(actor=net.a_consultant.actor, order=order, step="visited")
    order_record_step(actor=net.a_consultant.actor, order=order, step="contracted", contract_value=CONTRACT)
    with pytest.raises(DomainError) as too_much:
        order_record_step(actor=net.a_manager.actor, order=order, step="contracted", contract_value=CONTRACT,
                          balance_paid=CONTRACT)
    assert too_much.value.code == "order.balance_above_contract" and f"{BALANCE:.2f}" in too_much.value.message
    with pytest.raises(DomainError) as negative:
        order_record_step(actor=net.a_manager.actor, order=order, step="contracted", balance_paid=Decimal("-1"))
    assert negative.value.code == "order.balance_negative"
    order_record_step(actor=net.a_manager.actor, order=order, step="contracted", balance_paid=Decimal("100000.00"))
    page = login(net.a_manager).get(reverse("console:order_detail", args=[order.pk])).content.decode()
    assert f"{BALANCE:.2f}" in page and f"{BALANCE - Decimal('100000.00'):.2f}" in page
    order_record_step(actor=net.a_manager.actor, order=order, step="contracted", balance_paid=BALANCE)
    page = login(net.a_manager).get(reverse("console:order_detail", args=[order.pk])).content.decode()
    assert 'id="deal-balance-due"' in page and "badge ok" in page.split('id="deal-balance-due"')[1][:200]
