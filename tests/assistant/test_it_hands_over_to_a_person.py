"""A consumer asks in the store: the assistant answers from the bank; asking for a person, or a
question it is not sure of, puts the conversation in customer service's live queue, where an HQ
customer-service agent replies (the consumer sees it in the panel) and closes it. No one else
reaches the queue."""

import pytest
from django.urls import reverse

from autodcc.assistant.models import Conversation, GapStatus, Message, OpenQuestion, Sender, Status
from autodcc.core.models import AuditLog

pytestmark = pytest.mark.django_db
PANEL = {"HTTP_X_ASSISTANT": "1"}


def ask(client, text, **extra):
    return client.post(reverse("store:assistant"), {"action": "ask", "text": text}, **{**PANEL, **extra})


def test_the_assistant_answers_from_the_bank_in_the_panel(faq, client):
    response = ask(client, "交了订金不想买了可以退吗")
    assert response.status_code == 200
    html = response.content.decode()
    assert "可以退" in html and 'href="/store/mine/"' in html  # the answer with its link
    conversation = Conversation.objects.get()
    assert conversation.status == Status.BOT
    answer = conversation.messages.get(sender=Sender.BOT)
    assert answer.entry.code == "deposit-refundable" and answer.confidence >= 0.4
    assert client.session["store_assistant"] == conversation.token


def test_a_question_it_is_unsure_of_goes_to_the_queue_and_to_the_list_for_hq(faq, client):
    ask(client, "你们S7的车机能装抖音吗")
    conversation = Conversation.objects.get()
    assert conversation.status == Status.WAITING and conversation.handover_reason == "unsure"
    assert not conversation.messages.filter(sender=Sender.BOT).exists()  # no guess
    assert OpenQuestion.objects.get().text == "你们S7的车机能装抖音吗"
    ask(client, "明天去店里要带什么")  # with a person now: the message waits for them, no bot answer
    assert not conversation.messages.filter(sender=Sender.BOT).exists()
    assert AuditLog.objects.filter(action="assistant.handover", object_id=str(conversation.pk)).exists()


def test_the_same_unanswered_question_is_counted_not_repeated(faq, client, settings):
    from django.test import Client

    for _ in range(3):
        other = Client()
        ask(other, "你们S7的车机能装抖音吗？")
    question = OpenQuestion.objects.get()
    assert question.times == 3 and question.status == GapStatus.OPEN


def test_customer_service_sees_replies_and_closes(faq, client, net, login):
    ask(client, "订金怎么退")
    response = client.post(reverse("store:assistant"), {"action": "person"}, **PANEL)
    assert "排队" in response.content.decode() or "人工客服" in response.content.decode()
    conversation = Conversation.objects.get()
    assert conversation.status == Status.WAITING and conversation.handover_reason == "asked"

    from django.test import Client

    agent = Client()
    agent.force_login(net.hq_service.user, backend="django.contrib.auth.backends.ModelBackend")
    queue = agent.get(reverse("console:chat_queue")).content.decode()
    assert f'data-chat="{conversation.pk}"' in queue
    page = agent.get(reverse("console:chat_detail", args=[conversation.pk])).content.decode()
    assert "订金怎么退" in page
    response = agent.post(reverse("console:chat_detail", args=[conversation.pk]),
                          {"action": "reply", "text": "您好，我是客服小林，请把订单号发给我。"})
    assert response.status_code == 302
    conversation.refresh_from_db()
    assert conversation.status == Status.LIVE and conversation.agent_id == net.hq_service.staff.pk
    log = client.get(reverse("store:assistant_log")).content.decode()
    assert "我是客服小林" in log and 'data-sender="agent"' in log
    ask(client, "订单号是 LC2026")
    assert "订单号是 LC2026" in agent.get(reverse("console:chat_detail", args=[conversation.pk]),
                                       HTTP_HX_REQUEST="true").content.decode()
    agent.post(reverse("console:chat_detail", args=[conversation.pk]), {"action": "close"})
    conversation.refresh_from_db()
    assert conversation.status == Status.CLOSED and conversation.closed_at
    assert set(AuditLog.objects.filter(object_id=str(conversation.pk), object_type="assistant.conversation")
               .values_list("action", flat=True)) == {"assistant.handover", "assistant.reply", "assistant.close"}
    # asking again after the close starts a new conversation with the assistant
    ask(client, "试驾要带驾照吗")
    assert Conversation.objects.count() == 2 and Conversation.objects.latest("pk").status == Status.BOT


@pytest.mark.parametrize("who", ["hq_marketer", "hq_finance", "regional_manager", "a_gm", "a_manager",
                                 "a_supervisor", "a_agent", "a_consultant", "b_agent"])
def test_no_one_else_reaches_the_queue_or_a_conversation(faq, client, net, login, who):
    ask(client, "转人工")
    conversation = Conversation.objects.get()
    staff = login(getattr(net, who))
    assert staff.get(reverse("console:chat_queue")).status_code == 403
    assert staff.get(reverse("console:chat_detail", args=[conversation.pk])).status_code == 403
    assert staff.post(reverse("console:chat_detail", args=[conversation.pk]),
                      {"action": "reply", "text": "你好"}).status_code == 403
    assert staff.post(reverse("console:chat_detail", args=[conversation.pk]), {"action": "close"}).status_code == 403
    assert not Message.objects.filter(sender=Sender.AGENT).exists()
    conversation.refresh_from_db()
    assert conversation.status == Status.WAITING


def test_the_page_works_without_scripts(faq, client):
    response = client.post(reverse("store:assistant"), {"action": "ask", "text": "落地价怎么算"})
    assert response.status_code == 302 and response["Location"] == reverse("store:assistant")
    page = client.get(reverse("store:assistant")).content.decode()
    assert "购置税" in page and 'id="assistant-open"' not in page  # no floating button on its own page


def test_every_store_page_offers_the_assistant(faq, client):
    for url in (reverse("store:home"), reverse("store:calculator"), reverse("store:enquiry"), reverse("store:mine")):
        html = client.get(url).content.decode()
        assert 'id="assistant-open"' in html and "storefront/assistant.js" in html, url


def test_a_question_asked_with_a_call_for_a_person_is_kept_for_hq(faq, client):
    ask(client, "交车一直拖着不给日期，我要找人工")
    assert OpenQuestion.objects.get().text == "交车一直拖着不给日期，我要找人工"
    from django.test import Client

    other = Client()
    ask(other, "转人工")  # nothing asked: nothing to add to the bank
    assert OpenQuestion.objects.count() == 1


def test_the_queue_marks_conversations_awaiting_a_reply(faq, client, net, login):
    ask(client, "转人工")
    conversation = Conversation.objects.get()
    agent = login(net.hq_service)
    agent.post(reverse("console:chat_detail", args=[conversation.pk]), {"action": "reply", "text": "您好"})
    live = agent.get(reverse("console:chat_queue")).content.decode().split('id="live"')[1]
    assert "待回复" not in live
    ask(client, "我想问下保养")
    live = agent.get(reverse("console:chat_queue"), HTTP_HX_REQUEST="true").content.decode().split('id="live"')[1]
    assert "待回复" in live
