"""A conversation belongs to the customer once the mobile is known (given in the chat, or proven
on “my orders”): customer service sees the customer's leads and orders beside it, the customer page
lists it, and a dealer's staff see it only on their own customers' pages."""

import pytest
from django.urls import reverse

from autodcc.assistant.models import Conversation
from autodcc.core.actors import SYSTEM
from autodcc.leads import services as leads

pytestmark = pytest.mark.django_db
PANEL = {"HTTP_X_ASSISTANT": "1"}


def test_the_conversation_is_kept_on_the_customer_with_leads_and_orders_beside(faq, client, net, login, paid_order):
    order = paid_order(phone="13912340001", name="陈静")
    client.post(reverse("store:assistant"), {"action": "ask", "text": "交车延期了怎么办，我要找人工"}, **PANEL)
    client.post(reverse("store:assistant"), {"action": "phone", "phone": "13912340001"}, **PANEL)
    conversation = Conversation.objects.get()
    assert conversation.customer == order.customer
    agent = login(net.hq_service)
    page = agent.get(reverse("console:chat_detail", args=[conversation.pk])).content.decode()
    beside = page[page.index('id="beside"'):]
    assert "陈静" in beside and order.number in beside and "139****0001" in beside
    assert "13912340001" not in page  # masked
    customer_page = agent.get(reverse("console:customer_detail", args=[order.customer_id])).content.decode()
    assert f'data-chat="{conversation.pk}"' in customer_page and "交车延期了怎么办" in customer_page


def test_a_mobile_proven_on_my_orders_is_known_from_the_first_question(faq, client, paid_order):
    import time

    order = paid_order(phone="13912340002")
    session = client.session
    session["store_mine"] = {"phone": "+8613912340002", "until": time.time() + 600}
    session.save()
    client.post(reverse("store:assistant"), {"action": "ask", "text": "订金多久能退回来"}, **PANEL)
    assert Conversation.objects.get().customer == order.customer


def test_dealer_staff_see_conversations_only_of_their_own_customers(faq, client, net, login, enquiry):
    lead = leads.lead_capture(actor=SYSTEM, data=enquiry(dealer="SH-001", phone="13912340003")).lead
    client.post(reverse("store:assistant"), {"action": "ask", "text": "转人工"}, **PANEL)
    client.post(reverse("store:assistant"), {"action": "phone", "phone": "13912340003"}, **PANEL)
    conversation = Conversation.objects.get()
    own = login(net.a_agent).get(reverse("console:customer_detail", args=[lead.customer_id])).content.decode()
    assert f'data-chat="{conversation.pk}"' in own
    assert reverse("console:chat_detail", args=[conversation.pk]) not in own  # the queue is customer service's
    for other in (net.b_agent, net.b_manager):
        response = login(other).get(reverse("console:customer_detail", args=[lead.customer_id]))
        assert response.status_code == 404


def test_a_mobile_of_no_customer_yet_is_linked_when_the_customer_appears(faq, client, net, login, enquiry):
    client.post(reverse("store:assistant"), {"action": "ask", "text": "转人工"}, **PANEL)
    client.post(reverse("store:assistant"), {"action": "phone", "phone": "13912340004"}, **PANEL)
    conversation = Conversation.objects.get()
    assert conversation.customer is None
    lead = leads.lead_capture(actor=SYSTEM, data=enquiry(dealer="SH-001", phone="13912340004")).lead
    page = login(net.hq_service).get(reverse("console:chat_detail", args=[conversation.pk])).content.decode()
    assert reverse("console:customer_detail", args=[lead.customer_id]) in page
    assert reverse("console:lead_detail", args=[lead.pk]) in page
