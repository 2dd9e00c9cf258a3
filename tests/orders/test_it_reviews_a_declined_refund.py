"""ORD-5: the dealer's managers hear of a refund request; a decline goes to HQ customer service,
who overrules it (with a written reason) or confirms it; the buyer hears the final decision by
SMS; every step is audited and a refund never exceeds what was paid."""

from decimal import Decimal

import pytest

from autodcc.core.errors import Conflict, DomainError, Forbidden, NotFound
from autodcc.core.models import AuditLog
from autodcc.messaging.models import Event, Message
from autodcc.orders.models import Order, OrderStatus, Refund, RefundStatus
from autodcc.orders.services import refund_dealer_decide, refund_execute, refund_request, refund_review


def messages(order, event):
    return list(Message.objects.filter(event=event, related_id=str(order.pk)).order_by("pk"))


def actions(order):
    return list(AuditLog.objects.filter(object_type="orders.order", object_id=str(order.pk))
                .order_by("pk").values_list("action", flat=True))


@pytest.fixture
def declined(net, paid_order):
    """A paid order whose refund the dealer's manager declined."""
    order = paid_order(name="钱多多")
    refund = refund_request(token=order.token, reason="计划有变")
    refund_dealer_decide(actor=net.a_manager.actor, refund=refund, approve=False, note="车辆已上牌")
    refund.refresh_from_db()
    return order, refund


def test_the_dealers_managers_are_told_of_a_request(net, paid_order):
    order = paid_order()
    refund_request(token=order.token, reason="计划有变")
    told = messages(order, Event.REFUND_REQUESTED)
    assert {m.recipient_staff_id for m in told} == {net.a_manager.staff.pk, net.a_gm.staff.pk}
    assert all(order.number in m.body and "500.00" in m.body and "计划有变" in m.body for m in told)
    assert all(m.dealer_id == net.dealer_a.pk and m.recipient_phone for m in told)
    assert f"/console/orders/{order.pk}/" in told[0].body  # the order page, where they decide


def test_a_confirmed_decline_reaches_the_buyer_with_the_reason(net, declined):
    order, refund = declined
    assert refund.status == RefundStatus.DEALER_DECLINED
    assert not messages(order, Event.REFUND_DECLINED)  # not final yet: customer service reviews it
    with pytest.raises(Conflict):  # still in flight: no second request meanwhile
        refund_request(token=order.token)
    with pytest.raises(Forbidden):  # the dealer cannot make its own decline final
        refund_review(actor=net.a_manager.actor, refund=refund, approve=False, note="无法退订")

    refund_review(actor=net.hq_service.actor, refund=refund, approve=False, note="车辆已按您的要求上牌，无法退订")
    refund_review(actor=net.hq_service.actor, refund=refund, approve=False)  # again: nothing more
    refund.refresh_from_db()
    assert refund.status == RefundStatus.REJECTED and refund.reviewed_by == net.hq_service.staff
    assert refund.review_note == "车辆已按您的要求上牌，无法退订" and refund.dealer_note == "车辆已上牌"
    sms = messages(order, Event.REFUND_DECLINED)
    assert len(sms) == 1 and "车辆已按您的要求上牌，无法退订" in sms[0].body and order.number in sms[0].body
    assert "车辆已上牌" not in sms[0].body.replace("车辆已按您的要求上牌", "")  # the dealer's note stays internal
    assert sms[0].recipient_phone == order.customer.phone and not messages(order, Event.REFUND_APPROVED)
    assert actions(order)[-3:] == ["refund.request", "refund.dealer_decline", "refund.decline_confirmed"]
    row = AuditLog.objects.get(action="refund.decline_confirmed")
    assert row.before["status"] == RefundStatus.DEALER_DECLINED and row.after["status"] == RefundStatus.REJECTED
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PAID
    # the decision is final; the buyer may ask again
    assert refund_request(token=order.token).status == RefundStatus.REQUESTED


def test_a_decline_is_confirmed_only_with_the_reason_for_the_buyer(net, declined):
    order, refund = declined
    with pytest.raises(DomainError) as exc:
        refund_review(actor=net.hq_service.actor, refund=refund, approve=False, note="")
    assert exc.value.code == "order.decline_reason_required"
    assert Refund.objects.get(pk=refund.pk).status == RefundStatus.DEALER_DECLINED
    assert not messages(order, Event.REFUND_DECLINED)


def test_customer_service_overrules_with_a_reason_and_refunds_what_was_paid(net, declined,
                                                                           django_capture_on_commit_callbacks):
    order, refund = declined
    with pytest.raises(DomainError) as exc:
        refund_review(actor=net.hq_service.actor, refund=refund, approve=True, note="  ")
    assert exc.value.code == "order.review_reason_required"
    refund_review(actor=net.hq_service.actor, refund=refund, approve=True, note="上牌前客户已提出退订，按规则全额退还")
    refund.refresh_from_db()
    assert refund.status == RefundStatus.DEALER_CONFIRMED and refund.reviewed_at is not None
    approved = messages(order, Event.REFUND_APPROVED)
    assert len(approved) == 1 and "500.00" in approved[0].body and not messages(order, Event.REFUND_DECLINED)
    row = AuditLog.objects.get(action="refund.overrule")
    assert row.after["review_note"] == "上牌前客户已提出退订，按规则全额退还" and row.actor_user_id == net.hq_service.user.pk
    with django_capture_on_commit_callbacks(execute=True):
        refund_execute(actor=net.hq_service.actor, refund=refund)
    refund.refresh_from_db()
    order.refresh_from_db()
    assert refund.status == RefundStatus.SUCCEEDED and refund.amount == Decimal("500.00")
    assert order.status == OrderStatus.REFUNDED
    assert actions(order)[-5:] == ["refund.request", "refund.dealer_decline", "refund.overrule", "refund.execute",
                                   "refund.succeeded"]


def test_an_overrule_never_refunds_more_than_was_paid(net, declined):
    order, refund = declined
    Refund.objects.filter(pk=refund.pk).update(amount=Decimal("600.00"))
    with pytest.raises(DomainError) as exc:
        refund_review(actor=net.hq_service.actor, refund=refund, approve=True, note="全额退还")
    assert exc.value.code == "order.refund_too_much"
    assert Refund.objects.get(pk=refund.pk).status == RefundStatus.DEALER_DECLINED
    assert not messages(order, Event.REFUND_APPROVED)


def test_only_a_declined_refund_is_reviewed(net, paid_order):
    order = paid_order()
    refund = refund_request(token=order.token)
    with pytest.raises(DomainError) as exc:
        refund_review(actor=net.hq_service.actor, refund=refund, approve=True, note="直接退")
    assert exc.value.code == "order.refund_wrong_state"


@pytest.mark.parametrize("who,outcome", [
    ("hq_service", "approved"), ("a_manager", "approved"), ("a_gm", "approved"),
    ("hq_marketer", Forbidden), ("hq_finance", Forbidden), ("regional_manager", Forbidden),
    ("a_supervisor", Forbidden), ("a_agent", Forbidden), ("a_consultant", Forbidden),
    ("b_manager", NotFound), ("b_agent", NotFound),
])
def test_who_may_overrule_a_decline(net, declined, who, outcome):
    """HQ customer service overrules; the dealer's own deciders may still change their mind;
    nobody else, and another dealer's staff do not even find it."""
    order, refund = declined
    actor = getattr(net, who).actor
    if outcome == "approved":
        refund_review(actor=actor, refund=refund, approve=True, note="复核后同意退款")
        assert Refund.objects.get(pk=refund.pk).status == RefundStatus.DEALER_CONFIRMED
    else:
        with pytest.raises(outcome):
            refund_review(actor=actor, refund=refund, approve=True, note="复核后同意退款")
        assert Refund.objects.get(pk=refund.pk).status == RefundStatus.DEALER_DECLINED
        assert not messages(order, Event.REFUND_APPROVED)
