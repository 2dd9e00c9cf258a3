"""Routing by rule: each category's rule sends a complaint to the dealer concerned (its order's or
lead's) or to an HQ department; one for the dealer without a dealer falls to HQ customer service;
HQ edits the rules, audited."""

import pytest

from autodcc.core.actors import SYSTEM
from autodcc.core.models import AuditLog, OutboxEvent
from autodcc.feedback import rules, services
from autodcc.feedback.models import CategoryRule, ComplaintEntry, Queue
from autodcc.messaging.models import Message


def test_the_rules_route_by_category_pure():
    assert rules.route(Queue.DEALER, 7) == Queue.DEALER
    assert rules.route(Queue.DEALER, None) == Queue.HQ_SERVICE
    assert rules.route(Queue.HQ_MARKETING, 7) == Queue.HQ_MARKETING
    assert rules.route(Queue.HQ_MARKETING, None) == Queue.HQ_MARKETING


def test_the_shipped_rules_are_in_the_database(db):
    assert {r.category: r.target for r in CategoryRule.objects.all()} == {
        "product": "hq_service", "sales_service": "dealer", "after_sales": "dealer", "delivery": "dealer",
        "online_store": "hq_marketing", "other": "hq_service"}


def test_a_delivery_complaint_about_an_order_goes_to_the_orders_dealer(net, paid_order, file_complaint):
    order = paid_order(dealer="HZ-001")
    complaint = file_complaint("delivery", order_obj=order, phone=order.customer.phone)
    assert (complaint.queue, complaint.dealer) == (Queue.DEALER, net.dealer_b)
    assert complaint.order == order and complaint.customer == order.customer
    assert complaint.number.startswith("TS")
    kinds = list(ComplaintEntry.objects.filter(complaint=complaint).values_list("kind", flat=True))
    assert kinds == ["filed", "routed"]
    assert AuditLog.objects.filter(action="complaint.file", object_id=str(complaint.pk), dealer_id=net.dealer_b.pk).exists()
    # the dealer's managers hear of it (no service advisor at the dealer): an SMS through the outbox
    told = Message.objects.filter(event="complaint_new", related_id=str(complaint.pk))
    assert {m.recipient_staff_id for m in told} == {net.b_manager.staff.pk}
    assert OutboxEvent.objects.filter(topic="messaging.deliver", payload__message_id=told.first().pk).exists()


def test_a_sales_complaint_about_a_lead_goes_to_the_leads_dealer(net, enquiry, file_complaint):
    from autodcc.leads import services as leads

    lead = leads.lead_capture(actor=SYSTEM, data=enquiry(dealer="SH-001", phone="13912345678")).lead
    complaint = file_complaint("sales_service", lead=lead.number, phone="13912345678")
    assert (complaint.queue, complaint.dealer, complaint.lead) == (Queue.DEALER, net.dealer_a, lead)
    assert complaint.customer == lead.customer  # the same person, by mobile number


def test_a_product_complaint_goes_to_hq_even_with_a_dealer(net, paid_order, file_complaint):
    order = paid_order(dealer="SH-001")
    complaint = file_complaint("product", order_obj=order, phone=order.customer.phone)
    assert (complaint.queue, complaint.dealer) == (Queue.HQ_SERVICE, net.dealer_a)
    online = file_complaint("online_store")
    assert (online.queue, online.dealer) == (Queue.HQ_MARKETING, None)


def test_a_dealers_complaint_without_a_dealer_falls_to_hq_customer_service(net, file_complaint):
    complaint = file_complaint("after_sales")
    assert (complaint.queue, complaint.dealer) == (Queue.HQ_SERVICE, None)
    told = Message.objects.filter(event="complaint_new", related_id=str(complaint.pk))
    assert {m.recipient_staff_id for m in told} == {net.hq_service.staff.pk}


def test_hq_edits_a_rule_and_new_complaints_follow_it(net, file_complaint):
    services.rule_save(actor=net.hq_service.actor, category="delivery", target="hq_marketing",
                       first_response_minutes=60, resolution_minutes=600, escalate_again_minutes=120)
    assert AuditLog.objects.filter(action="complaint_rule.save").count() == 1
    complaint = file_complaint("delivery", dealer="SH-001")
    assert complaint.queue == Queue.HQ_MARKETING and complaint.dealer == net.dealer_a


@pytest.mark.parametrize("who", ["a_manager", "a_gm", "regional_manager", "hq_finance"])
def test_only_hq_service_and_marketing_edit_the_rules(net, who):
    from autodcc.core.errors import Forbidden

    with pytest.raises(Forbidden):
        services.rule_save(actor=getattr(net, who).actor, category="delivery", target="dealer",
                           first_response_minutes=60, resolution_minutes=600, escalate_again_minutes=120)
