"""What a consumer or an agent types wrong gets a clear Chinese message, keeps what was typed and
stores nothing: an empty message, 10 kB of text, a NUL byte, a malformed mobile. Never a 5xx."""

import pytest
from django.urls import reverse

from autodcc.assistant.models import Conversation, Message, Sender

pytestmark = pytest.mark.django_db
PANEL = {"HTTP_X_ASSISTANT": "1"}


@pytest.mark.parametrize(("text", "words"), [
    ("", "请输入您的问题"),
    ("   ", "请输入您的问题"),
    ("车" * 10240, "您的消息太长：共 10240 个字，最多 500 个字"),
    ("订金\x00可以退吗", "不可见的控制字符"),
])
@pytest.mark.parametrize("headers", [PANEL, {}])
def test_a_bad_question_is_refused_in_chinese(faq, client, text, words, headers):
    response = client.post(reverse("store:assistant"), {"action": "ask", "text": text}, **headers)
    assert response.status_code == 400
    html = response.content.decode()
    assert words in html and 'id="assistant-error"' in html
    assert not Message.objects.exists() and not Conversation.objects.exists()
    if text.strip() and "\x00" not in text:
        assert f'value="{text}"' in html  # what was typed stays in the box


def test_a_malformed_mobile_is_refused_and_the_conversation_goes_on(faq, client):
    client.post(reverse("store:assistant"), {"action": "person"}, **PANEL)
    response = client.post(reverse("store:assistant"), {"action": "phone", "phone": "12345"}, **PANEL)
    assert response.status_code == 400 and "不是有效的中国大陆手机号码" in response.content.decode()
    conversation = Conversation.objects.get()
    assert conversation.phone == "" and conversation.status == "waiting"
    response = client.post(reverse("store:assistant"), {"action": "phone", "phone": "139 1234 5678"}, **PANEL)
    assert response.status_code == 200 and "139****5678" in response.content.decode()
    conversation.refresh_from_db()
    assert conversation.phone == "+8613912345678"


@pytest.mark.parametrize(("text", "words"), [
    ("", "这个字段是必填项"),
    ("好" * 10240, "您的消息太长"),
    ("您好\x00", "空字符"),
])
def test_a_bad_reply_is_refused_in_chinese(faq, client, net, login, text, words):
    client.post(reverse("store:assistant"), {"action": "person"}, **PANEL)
    conversation = Conversation.objects.get()
    agent = login(net.hq_service)
    response = agent.post(reverse("console:chat_detail", args=[conversation.pk]), {"action": "reply", "text": text})
    assert response.status_code == 400 and words in response.content.decode()
    assert not conversation.messages.filter(sender=Sender.AGENT).exists()


def test_a_garbled_poll_or_panel_request_is_not_an_error(client, db):
    assert client.get(reverse("store:assistant_log")).status_code == 200  # no conversation yet
    assert client.get(reverse("store:assistant") + "?panel=1").status_code == 200
    assert client.post(reverse("store:assistant"), {"action": "nonsense"}, **PANEL).status_code == 400
