"""Revisits and surveys (CARE-4): the brand's plan puts revisit calls on the dealer's list on
schedule; a survey goes by link (answered once, on time) or is filled in by the caller; a low
score opens a follow-up for the dealer's manager."""

import datetime as dt

import pytest
from django.utils import timezone

from autodcc.aftercare import revisits
from autodcc.aftercare.models import RevisitStep, RevisitTask, Survey, SurveyAnswer, TaskKind
from autodcc.aftercare.tasks import run_daily
from autodcc.core.actors import SYSTEM
from autodcc.core.errors import DomainError, Forbidden, Invalid, NotFound
from autodcc.core.models import AuditLog
from autodcc.messaging.models import Event, Message, MessageStatus
from autodcc.messaging.services import optout_add

TODAY = timezone.localdate()


def answers(survey, scores=5, nps=9, comment="很满意"):
    out = {}
    for q in survey.template.questions.filter(is_active=True):
        out[f"q{q.pk}"] = comment if q.kind == "comment" else (nps if q.kind == "nps" else scores)
    return out


def test_the_plan_puts_each_revisit_on_the_dealers_list_once(net, delivered):
    vehicle = delivered(on=TODAY - dt.timedelta(days=7))
    made = run_daily(today=TODAY.isoformat())["revisits"]
    labels = set(RevisitTask.objects.filter(vehicle=vehicle).values_list("label", flat=True))
    assert labels == {"交车后第1天回访", "交车后第7天回访"} and made == 2
    assert run_daily(today=TODAY.isoformat())["revisits"] == 0
    steps = [(s.offset, s.unit) for s in revisits.plan_for(net.dealer_a.brand)]
    assert steps == [(1, "day"), (7, "day"), (30, "day"), (3, "month"), (6, "month"), (12, "month")]
    old = delivered(on=revisits.rules.add_months(TODAY, -6) - dt.timedelta(days=3))  # only the last two weeks' steps
    revisits.revisits_generate(today=TODAY)
    assert set(RevisitTask.objects.filter(vehicle=old).values_list("label", flat=True)) == {"购车6个月回访"}
    task = RevisitTask.objects.filter(vehicle=vehicle).first()
    assert task.dealer == net.dealer_a and task.customer == vehicle.customer


def test_a_survey_link_is_answered_once_and_a_low_score_opens_a_follow_up(net, delivered):
    vehicle = delivered(on=TODAY - dt.timedelta(days=1))
    revisits.revisits_generate(today=TODAY)
    task = RevisitTask.objects.get(vehicle=vehicle)
    survey = revisits.survey_send(actor=net.a_agent.actor, task=task)
    assert revisits.survey_send(actor=net.a_agent.actor, task=task) == survey  # a double click sends one link
    message = Message.objects.get(event=Event.SURVEY_INVITATION)
    assert survey.token in message.body and message.recipient_phone == vehicle.customer.phone
    bad = answers(survey, scores=9)
    with pytest.raises(Invalid):
        revisits.survey_answer(token=survey.token, answers=bad)
    assert not SurveyAnswer.objects.exists()
    revisits.survey_answer(token=survey.token, answers=answers(survey, scores=2, nps=3, comment="交车等了两个小时"))
    with pytest.raises(DomainError) as twice:
        revisits.survey_answer(token=survey.token, answers=answers(survey))
    assert twice.value.code == "survey.answered"
    survey.refresh_from_db()
    assert survey.low_score and SurveyAnswer.objects.filter(survey=survey).count() == 5
    follow_up = RevisitTask.objects.get(kind=TaskKind.FOLLOW_UP)
    assert follow_up.assignee == net.a_manager.staff and follow_up.source_survey == survey
    assert AuditLog.objects.filter(action="care.follow_up_open").exists()
    with pytest.raises(Forbidden):
        revisits.task_close(actor=net.a_agent.actor, task=follow_up, status="done")
    revisits.task_close(actor=net.a_manager.actor, task=follow_up, status="done", note="已致歉并安排回店")


def test_a_link_expires_and_comments_are_checked(net, delivered):
    vehicle = delivered(on=TODAY - dt.timedelta(days=1))
    revisits.revisits_generate(today=TODAY)
    survey = revisits.survey_send(actor=net.a_agent.actor, task=RevisitTask.objects.get(vehicle=vehicle))
    for comment, code in (("好" * 10_240, "text.too_long"), ("不错\x00", "text.control_characters")):
        with pytest.raises(Invalid) as refused:
            revisits.survey_answer(token=survey.token, answers=answers(survey, comment=comment))
        assert [e.code for e in refused.value.errors] == [code]
    Survey.objects.filter(pk=survey.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    with pytest.raises(DomainError) as expired:
        revisits.survey_answer(token=survey.token, answers=answers(survey))
    assert expired.value.code == "survey.expired"
    with pytest.raises(NotFound):
        revisits.survey_answer(token="nope", answers={})


def test_the_caller_fills_in_the_survey_and_the_call_is_done(net, delivered):
    vehicle = delivered(on=TODAY - dt.timedelta(days=1))
    revisits.revisits_generate(today=TODAY)
    task = RevisitTask.objects.get(vehicle=vehicle)
    survey = revisits.survey_fill(actor=net.a_agent.actor, task=task, answers=answers(Survey(template=task.step.survey)))
    task.refresh_from_db()
    assert survey.channel == "call" and survey.answered_by_label == net.a_agent.actor.label and task.status == "done"
    with pytest.raises(DomainError):
        revisits.survey_fill(actor=net.a_agent.actor, task=task, answers={})
    with pytest.raises(NotFound):
        revisits.survey_fill(actor=net.b_agent.actor, task=task, answers={})
    with pytest.raises(Forbidden):
        revisits.task_close(actor=net.a_consultant.actor, task=task, status="done")


def test_an_owner_who_opted_out_gets_no_survey_text(net, delivered):
    vehicle = delivered(on=TODAY - dt.timedelta(days=1))
    optout_add(actor=SYSTEM, raw_phone=vehicle.customer.phone, scope="all")
    revisits.revisits_generate(today=TODAY)
    survey = revisits.survey_send(actor=net.a_agent.actor, task=RevisitTask.objects.get(vehicle=vehicle))
    assert Message.objects.get(event=Event.SURVEY_INVITATION).status == MessageStatus.SUPPRESSED
    assert revisits.link_suppressed(survey)  # the page tells the caller to fill it in on the phone


def test_hq_maintains_plans_and_templates(net):
    with pytest.raises(Forbidden):
        revisits.template_create(actor=net.a_manager.actor, name="售后满意度")
    template = revisits.template_create(actor=net.hq_service.actor, name="售后满意度", intro="请为本次保养打分")
    question = revisits.question_add(actor=net.hq_service.actor, template=template, kind="score10", text="维修质量")
    with pytest.raises(DomainError):
        revisits.question_add(actor=net.hq_service.actor, template=template, kind="xx", text="维修质量")
    revisits.question_set_active(actor=net.hq_service.actor, question=question, active=False)
    step = revisits.step_add(actor=net.hq_marketer.actor, brand=net.dealer_a.brand, offset=2, unit="month",
                             label="购车2个月回访", survey=template)
    with pytest.raises(DomainError) as taken:
        revisits.step_add(actor=net.hq_marketer.actor, brand=net.dealer_a.brand, offset=2, unit="month", label="x")
    assert taken.value.code == "care.step_taken"
    revisits.step_remove(actor=net.hq_marketer.actor, step=step)
    assert not RevisitStep.objects.filter(pk=step.pk).exists()
    assert {"care.survey_template_create", "care.survey_question_add", "care.survey_question_update",
            "care.revisit_step_add", "care.revisit_step_remove"} <= set(AuditLog.objects.values_list("action", flat=True))
