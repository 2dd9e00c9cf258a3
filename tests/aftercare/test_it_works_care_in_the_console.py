"""The after-sales pages as staff use them: the advisor's tabs, the car page's booking, visit and
mileage forms (refusals in Chinese, nothing lost), the revisit call with its survey, the report
with its Excel file, HQ's settings; and the owner's survey page on the store."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from autodcc.aftercare import revisits, services
from autodcc.aftercare.models import RevisitTask, Survey, SurveyAnswer, TaskKind, VehicleCare
from autodcc.core.models import AuditLog

TODAY = timezone.localdate()


@pytest.fixture
def soon(delivered):
    """A car whose first service falls due in four days."""
    return delivered(on=services.rules.add_months(TODAY, -6) + dt.timedelta(days=4), name="林车主")


def test_the_advisor_sees_the_car_in_each_tab_as_it_moves(net, login, advisors, soon):
    client = login(advisors["a_advisor"])
    page = client.get(reverse("console:care_maintenance")).content.decode()
    assert "林车主" in page and soon.customer.phone not in page and soon.customer.phone[-4:] in page  # masked
    services.reminders_send(today=TODAY)
    for tab in ("due", "reminded"):
        page = client.get(reverse("console:care_maintenance") + f"?tab={tab}").content.decode()
        assert ("林车主" in page) == (tab == "reminded"), tab
    url = reverse("console:care_book", args=[soon.pk])
    when = timezone.localtime() + dt.timedelta(days=2)
    response = client.post(url, {"book-scheduled_at": when.strftime("%Y-%m-%dT%H:%M"), "book-note": "首保"})
    assert response.status_code == 302
    assert "林车主" in client.get(reverse("console:care_maintenance") + "?tab=booked").content.decode()
    response = client.post(reverse("console:care_visit", args=[soon.pk]),
                           {"visit-visited_on": TODAY.isoformat(), "visit-mileage_km": "4800", "visit-notes": "机油机滤"})
    assert response.status_code == 302
    care = VehicleCare.objects.get(vehicle=soon)
    assert care.service_no == 2 and care.next_due_on > TODAY + dt.timedelta(days=200)
    assert "林车主" in client.get(reverse("console:care_maintenance") + "?tab=done").content.decode()
    export = client.get(reverse("console:care_maintenance") + "?tab=done&format=xlsx")
    rows = [[c.value for c in r] for r in load_workbook(io.BytesIO(export.content)).active.iter_rows()]
    assert rows[1][0] == "林车主" and "****" in rows[1][1]
    assert AuditLog.objects.filter(action="file.download", object_type="list.maintenance").exists()


def test_the_car_page_refuses_bad_input_in_chinese_and_keeps_what_was_typed(net, login, advisors, soon):
    client = login(advisors["a_advisor"])
    services.visit_record(actor=advisors["a_advisor"].actor, vehicle=soon, visited_on=TODAY, mileage_km=3000)
    url = reverse("console:care_visit", args=[soon.pk])
    for data, words in (({"visit-mileage_km": "2000", "visit-notes": "补录"}, "少于"),
                        ({"visit-mileage_km": "3500", "visit-notes": "长" * 10_240}, "过长"),
                        ({"visit-mileage_km": "3500", "visit-notes": "机油\x00"}, "控制字符"),
                        ({"visit-mileage_km": "abc", "visit-notes": "补录"}, "整数")):
        response = client.post(url, {"visit-visited_on": (TODAY - dt.timedelta(days=1)).isoformat(), **data})
        page = response.content.decode()
        assert response.status_code == 200 and words in page, (data, words)
        assert "补录" in page or "长" in page or "机油" in page  # what was typed stays in the form
    assert soon.service_visits.count() == 1
    response = client.post(reverse("console:care_mileage", args=[soon.pk]), {"mileage-km": "10"})
    assert "少于" in response.content.decode()
    page = client.get(reverse("console:care_vehicle", args=[soon.pk])).content.decode()
    assert "下次保养" in page and "保养记录" in page


def test_a_revisit_call_sends_the_survey_and_the_owner_answers_on_the_store(net, login, client, delivered):
    vehicle = delivered(on=TODAY - dt.timedelta(days=1), name="周车主")
    revisits.revisits_generate(today=TODAY)
    task = RevisitTask.objects.get(vehicle=vehicle)
    staff = login(net.a_agent)
    page = staff.get(reverse("console:care_revisits")).content.decode()
    assert "周车主" in page and "交车后第1天回访" in page
    page = staff.get(reverse("console:care_revisit", args=[task.pk])).content.decode()
    assert "上海浦东店" in page  # the script names the dealer
    assert staff.post(reverse("console:care_revisit_send", args=[task.pk])).status_code == 302
    survey = Survey.objects.get(task=task)
    staff.logout()
    store = reverse("store:survey", args=[survey.token])
    page = client.get(store).content.decode()
    assert "您对销售顾问的服务满意吗" in page and "周车主" not in page
    questions = list(survey.template.questions.all())
    answers = {f"q{q.pk}": ("交车很顺利" if q.kind == "comment" else "9" if q.kind == "nps" else "5") for q in questions}
    missing = dict(answers)
    missing.pop(f"q{questions[0].pk}")
    response = client.post(store, missing)
    assert response.status_code == 400 and "请为" in response.content.decode()
    assert "交车很顺利" in response.content.decode()  # kept
    nul = {**answers, f"q{questions[-1].pk}": "好\x00"}
    assert "控制字符" in client.post(store, nul).content.decode()
    response = client.post(store, answers)
    assert response.status_code == 200 and "感谢" in response.content.decode()
    again = client.post(store, {**answers, f"q{questions[0].pk}": "1"})
    assert again.status_code == 200 and "已提交" in again.content.decode()
    assert SurveyAnswer.objects.filter(survey=survey).count() == len(questions)
    assert not RevisitTask.objects.filter(kind=TaskKind.FOLLOW_UP).exists()


def test_the_caller_fills_in_a_low_score_and_the_manager_follows_it_up(net, login, delivered):
    vehicle = delivered(on=TODAY - dt.timedelta(days=1), name="吴车主")
    revisits.revisits_generate(today=TODAY)
    task = RevisitTask.objects.get(vehicle=vehicle)
    questions = list(task.step.survey.questions.all())
    answers = {f"q{q.pk}": ("等了太久" if q.kind == "comment" else "3" if q.kind == "nps" else "2") for q in questions}
    agent = login(net.a_agent)
    assert agent.post(reverse("console:care_revisit_fill", args=[task.pk]), answers).status_code == 302
    follow_up = RevisitTask.objects.get(kind=TaskKind.FOLLOW_UP)
    assert agent.get(reverse("console:care_revisit", args=[follow_up.pk])).status_code == 403
    manager = login(net.a_manager)
    page = manager.get(reverse("console:care_revisits") + "?tab=follow_up").content.decode()
    assert "吴车主" in page
    page = manager.get(reverse("console:care_revisit", args=[follow_up.pk])).content.decode()
    assert "等了太久" in page
    response = manager.post(reverse("console:care_revisit_close", args=[follow_up.pk]),
                            {"close-status": "done", "close-note": "已致歉，安排免费洗车"})
    assert response.status_code == 302
    report = manager.get(reverse("console:care_report")).content.decode()
    assert "上海浦东店" in report and 'data-figure="low">1<' in report
    other = login(net.b_manager).get(reverse("console:care_report")).content.decode()
    assert 'data-figure="surveys">0<' in other and "上海浦东店" not in other  # another dealer's answers stay sealed
    region = login(net.regional_manager).get(reverse("console:care_report")).content.decode()
    assert 'data-figure="surveys">1<' in region
    manager = login(net.a_manager)
    export = manager.get(reverse("console:care_report") + "?format=xlsx")
    book = load_workbook(io.BytesIO(export.content))
    assert book.sheetnames[:2] == ["按经销商", "按销售顾问"]
    assert [c.value for c in book.worksheets[0][2]][:2] == ["上海浦东店", 1]


def test_hq_edits_schedules_plans_and_templates_in_the_console(net, login, delivered):
    vehicle = delivered()
    care = VehicleCare.objects.get(vehicle=vehicle)
    client = login(net.hq_service)
    page = client.get(reverse("console:care_settings")).content.decode()
    assert "保养规则" in page and net.dealer_a.brand in page
    m = care.car_model_id
    response = client.post(reverse("console:care_settings"), {
        "action": "schedule", "car_model": m, f"s{m}-first_months": "3", f"s{m}-first_km": "3000",
        f"s{m}-every_months": "6", f"s{m}-every_km": "8000", f"s{m}-offer": "首保免工时费"})
    assert response.status_code == 302
    assert VehicleCare.objects.get(vehicle=vehicle).next_due_on == services.rules.add_months(TODAY, 3)
    response = client.post(reverse("console:care_settings"), {
        "action": "schedule", "car_model": m, f"s{m}-first_months": "0", f"s{m}-first_km": "3000",
        f"s{m}-every_months": "6", f"s{m}-every_km": "8000", f"s{m}-offer": ""})
    assert response.status_code == 200 and "errorlist" in response.content.decode()
    response = client.post(reverse("console:care_settings"), {"action": "template", "tpl-name": "保养满意度",
                                                              "tpl-intro": "请为本次保养打分"})
    assert response.status_code == 302
    template_url = response["Location"]
    client.post(template_url, {"question-kind": "score5", "question-text": "您对保养质量满意吗？"})
    assert "您对保养质量满意吗" in client.get(template_url).content.decode()
    response = client.post(reverse("console:care_settings"), {
        "action": "step", "step-brand": net.dealer_a.brand, "step-offset": "2", "step-unit": "month",
        "step-label": "购车2个月回访", "step-script": ""})
    assert response.status_code == 302
    assert "购车2个月回访" in client.get(reverse("console:care_settings")).content.decode()
    assert login(net.a_manager).get(reverse("console:care_settings")).status_code == 403
    assert login(net.a_manager).get(template_url).status_code == 403


def test_the_caller_reveals_the_number_to_call_and_it_is_audited(net, login, delivered):
    vehicle = delivered(on=TODAY - dt.timedelta(days=1), name="郑车主", phone="13912345999")
    revisits.revisits_generate(today=TODAY)
    task = RevisitTask.objects.get(vehicle=vehicle)
    agent = login(net.a_agent)
    page = agent.get(reverse("console:care_revisit", args=[task.pk])).content.decode()
    assert "139****5999" in page and "13912345999" not in page
    page = agent.post(reverse("console:care_revisit_call", args=[task.pk])).content.decode()
    assert 'href="tel:+8613912345999"' in page
    entry = AuditLog.objects.get(action="care.dial")
    assert entry.actor_label == net.a_agent.actor.label and entry.object_id == str(task.pk)
    assert login(net.a_consultant).post(reverse("console:care_revisit_call", args=[task.pk])).status_code == 403
