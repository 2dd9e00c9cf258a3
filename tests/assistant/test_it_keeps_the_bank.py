"""HQ keeps the question bank: new and changed entries (audited) answer at once (the index is
built again when the bank changes), a switched-off entry no longer answers, unanswered questions
are listed and one click starts a new entry from one. Only HQ service and HQ marketing edit it."""

import pytest
from django.urls import reverse

from autodcc.assistant import bank, services
from autodcc.assistant.models import Conversation, Entry, GapStatus, OpenQuestion, Sender
from autodcc.core.models import AuditLog

pytestmark = pytest.mark.django_db
PANEL = {"HTTP_X_ASSISTANT": "1"}
NEW = {"question": "车机可以安装第三方应用吗", "variants": "车机能装抖音吗\n能不能在中控装App",
       "answer": "车机内置应用商店，可安装经过适配的音乐、视频和导航应用；出于行车安全，行驶中视频类应用不可播放。",
       "links": "全部车型 /store/", "category": "product", "is_active": "on"}


def test_the_demo_bank_loads_once_with_its_categories(faq):
    assert Entry.objects.count() == len(bank.shipped_bank()) >= 80
    assert services.bank_load(actor=__import__("autodcc.core.actors", fromlist=["SYSTEM"]).SYSTEM) == 0
    assert Entry.objects.values("category").distinct().count() >= 10
    assert AuditLog.objects.filter(action="assistant.entry_create").count() == Entry.objects.count()


@pytest.mark.parametrize("who", ["hq_marketer", "hq_service"])
def test_hq_adds_an_entry_from_an_unanswered_question_and_it_answers_at_once(faq, client, net, login, who):
    client.post(reverse("store:assistant"), {"action": "ask", "text": "S7车机可以装抖音吗"}, **PANEL)
    assert Conversation.objects.get().status == "waiting"
    question = OpenQuestion.objects.get()
    hq = login(getattr(net, who))
    listed = hq.get(reverse("console:faq_questions")).content.decode()
    assert "S7车机可以装抖音吗" in listed and f"?from={question.pk}" in listed
    form = hq.get(reverse("console:faq_new") + f"?from={question.pk}").content.decode()
    assert 'value="S7车机可以装抖音吗"' in form  # the new entry starts from the question
    response = hq.post(reverse("console:faq_new"), {**NEW, "from": question.pk})
    assert response.status_code == 302
    entry = Entry.objects.get(question=NEW["question"])
    question.refresh_from_db()
    assert question.status == GapStatus.ADDED and question.entry == entry
    assert AuditLog.objects.filter(action="assistant.entry_create", object_id=str(entry.pk)).exists()
    assert "S7车机可以装抖音吗" not in hq.get(reverse("console:faq_questions")).content.decode()

    from django.test import Client

    consumer = Client()
    consumer.post(reverse("store:assistant"), {"action": "ask", "text": "车机里面可以装抖音吗"}, **PANEL)
    answer = Conversation.objects.latest("pk").messages.get(sender=Sender.BOT)
    assert answer.entry == entry


def test_a_change_is_audited_and_switching_off_stops_the_answers(faq, net, login, client):
    entry = Entry.objects.get(code="td-free")
    hq = login(net.hq_marketer)
    data = {"question": entry.question, "variants": entry.variants, "answer": entry.answer + "试驾前请带好驾照。",
            "links": entry.links, "category": entry.category}  # is_active left out: switched off
    assert hq.post(reverse("console:faq_edit", args=[entry.pk]), data).status_code == 302
    log = AuditLog.objects.get(action="assistant.entry_update", object_id=str(entry.pk))
    assert log.before["is_active"] is True and log.after["is_active"] is False
    assert "试驾前请带好驾照" in log.after["answer"]
    assert all(m.entry_id != entry.pk for m in bank.best("试驾收费吗"))
    page = hq.get(reverse("console:faq_edit", args=[entry.pk])).content.decode()
    assert "修改问答" in page  # the entry's history


def test_a_bad_entry_is_refused_with_reasons(faq, net, login):
    hq = login(net.hq_service)
    response = hq.post(reverse("console:faq_new"), {**NEW, "links": "点这里 javascript:alert(1)"})
    assert response.status_code == 200 and "链接第 1 行" in response.content.decode()
    response = hq.post(reverse("console:faq_new"), {**NEW, "answer": "  "})
    assert response.status_code == 200 and "这个字段是必填项" in response.content.decode()
    assert not Entry.objects.filter(question=NEW["question"]).exists()


def test_dismissing_an_unanswered_question_is_audited(faq, client, net, login):
    client.post(reverse("store:assistant"), {"action": "ask", "text": "今天股市怎么样"}, **PANEL)
    question = OpenQuestion.objects.get()
    login(net.hq_service).post(reverse("console:faq_question_dismiss", args=[question.pk]))
    question.refresh_from_db()
    assert question.status == GapStatus.DISMISSED
    assert AuditLog.objects.filter(action="assistant.question_dismiss", object_id=str(question.pk)).exists()


def test_the_try_box_shows_what_the_assistant_would_do(faq, net, login):
    page = login(net.hq_marketer).get(reverse("console:faq_list"), {"try": "付了订金还能退吗"}).content.decode()
    assert "订金可以退吗" in page and "<b>直接回答</b>" in page
    page = login(net.hq_marketer).get(reverse("console:faq_list"), {"try": "明天天气如何"}).content.decode()
    assert "<b>直接回答</b>" not in page


@pytest.mark.parametrize("who", ["hq_finance", "regional_manager", "a_gm", "a_agent", "a_consultant"])
def test_others_do_not_edit_the_bank(faq, net, login, who):
    staff = login(getattr(net, who))
    entry = Entry.objects.first()
    for url in (reverse("console:faq_list"), reverse("console:faq_new"), reverse("console:faq_edit", args=[entry.pk]),
                reverse("console:faq_questions")):
        assert staff.get(url).status_code == 403
    assert staff.post(reverse("console:faq_edit", args=[entry.pk]), NEW).status_code == 403
    entry.refresh_from_db()
    assert entry.question != NEW["question"]
