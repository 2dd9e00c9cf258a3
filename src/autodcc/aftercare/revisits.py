"""Revisits and surveys (CARE-4): each brand's revisit plan (so many days or months after the
purchase), the revisit calls it puts on the dealer's list, survey templates HQ maintains, surveys
sent by link or filled in by the caller, and a follow-up for the dealer's manager when a score is
low. One audited function per operation.

These calls are the dealer's customer-relations revisits (满意度回访), made by its DCC or service
staff on the brand's plan, never by the consultant whose work is rated; the consultant's own
post-delivery care calls (the lead's D+1/7/30 tasks, per dealer) stay on the lead."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from autodcc.aftercare import rules
from autodcc.aftercare.models import (
    LOW_SCORE,
    SCORE_RANGE,
    SURVEY_VALID_DAYS,
    OffsetUnit,
    QuestionKind,
    RevisitStep,
    RevisitTask,
    Survey,
    SurveyAnswer,
    SurveyChannel,
    SurveyQuestion,
    SurveyTemplate,
    TaskKind,
    TaskStatus,
)
from autodcc.aftercare.services import clean_text
from autodcc.core import audit
from autodcc.core.actors import SYSTEM, Actor, consumer
from autodcc.core.errors import DomainError, Forbidden, Invalid, NotFound

COMMENT_LIMIT = 1000
GENERATE_WINDOW_DAYS = 14  # a revisit missed by a stopped scheduler is still planned within two weeks

# the plan a brand starts with (day 1, 7, 30, then 3, 6 and 12 months)
DEFAULT_STEPS = [(1, OffsetUnit.DAY, "交车后第1天回访"), (7, OffsetUnit.DAY, "交车后第7天回访"),
                 (30, OffsetUnit.DAY, "交车后30天回访"), (3, OffsetUnit.MONTH, "购车3个月回访"),
                 (6, OffsetUnit.MONTH, "购车6个月回访"), (12, OffsetUnit.MONTH, "购车12个月回访")]
DEALER_MARK = "【门店】"  # in a call script, the dealer's name
DEFAULT_SCRIPT = ("您好，我是【门店】的客服。感谢您选择我们，想占用您一分钟了解一下用车情况和对我们服务的评价，"
                  "您现在方便吗？")
DEFAULT_SURVEY = ("交车满意度回访", "感谢您抽出一分钟为我们的服务打分，您的意见对我们非常重要。", [
    (QuestionKind.SCORE5, "您对销售顾问的服务满意吗？"),
    (QuestionKind.SCORE5, "您对交车过程满意吗？"),
    (QuestionKind.SCORE5, "您对门店环境和接待满意吗？"),
    (QuestionKind.NPS, "您有多大可能向亲友推荐我们的门店？"),
    (QuestionKind.COMMENT, "还有什么想告诉我们的？"),
])


def default_survey() -> SurveyTemplate:
    template = SurveyTemplate.objects.filter(name=DEFAULT_SURVEY[0]).first()
    if template is None:
        template = SurveyTemplate.objects.create(name=DEFAULT_SURVEY[0], intro=DEFAULT_SURVEY[1])
        SurveyQuestion.objects.bulk_create([SurveyQuestion(template=template, kind=k, text=t, sort=n)
                                            for n, (k, t) in enumerate(DEFAULT_SURVEY[2], start=1)])
    return template


def plan_for(brand: str) -> list[RevisitStep]:
    """The brand's revisit plan; the default plan, saved, the first time a brand needs one."""
    steps = list(RevisitStep.objects.filter(brand=brand).select_related("survey"))
    if steps or not brand:
        return sorted(steps, key=lambda s: s.days_hint)
    survey = default_survey()
    for offset, unit, label in DEFAULT_STEPS:
        RevisitStep.objects.get_or_create(brand=brand, offset=offset, unit=unit,
                                          defaults={"label": label, "survey": survey, "script": DEFAULT_SCRIPT})
    return sorted(RevisitStep.objects.filter(brand=brand).select_related("survey"), key=lambda s: s.days_hint)


def _require(actor: Actor, capability: str, dealer: Any = None) -> None:
    if not actor.can(capability, dealer=dealer):
        raise Forbidden("forbidden")


# --- HQ: plans and templates -------------------------------------------------------------------------


@transaction.atomic
def step_add(*, actor: Actor, brand: str, offset: int, unit: str, label: str, survey: SurveyTemplate | None = None,
             script: str = "") -> RevisitStep:
    _require(actor, "care.configure")
    if unit not in OffsetUnit.values or not isinstance(offset, int) or not (
            1 <= offset <= (365 if unit == OffsetUnit.DAY else 36)):
        raise DomainError("care.step_invalid", field="offset")
    label = clean_text(label, label=gettext_lazy("Name"), limit=40, field="label")
    if not label:
        raise DomainError("care.label_missing", field="label")
    script = clean_text(script, label=gettext_lazy("Call script"), limit=2000, field="script")
    plan_for(brand)
    try:
        with transaction.atomic():
            step = RevisitStep.objects.create(brand=brand, offset=offset, unit=unit, label=label, survey=survey,
                                              script=script)
    except IntegrityError:
        raise DomainError("care.step_taken", field="offset") from None
    audit.record(actor=actor, action="care.revisit_step_add", obj=step, after=audit.snapshot(step))
    return step


@transaction.atomic
def step_remove(*, actor: Actor, step: RevisitStep) -> None:
    _require(actor, "care.configure")
    audit.record(actor=actor, action="care.revisit_step_remove", obj=step, before=audit.snapshot(step))
    step.delete()  # the calls it planned keep their name and date


@transaction.atomic
def template_create(*, actor: Actor, name: str, intro: str = "") -> SurveyTemplate:
    _require(actor, "care.configure")
    name = clean_text(name, label=gettext_lazy("Name"), limit=60, field="name")
    if not name:
        raise DomainError("care.template_name_missing", field="name")
    intro = clean_text(intro, label=gettext_lazy("Introduction"), limit=200, field="intro")
    template = SurveyTemplate.objects.create(name=name, intro=intro)
    audit.record(actor=actor, action="care.survey_template_create", obj=template, after=audit.snapshot(template))
    return template


@transaction.atomic
def question_add(*, actor: Actor, template: SurveyTemplate, kind: str, text: str) -> SurveyQuestion:
    _require(actor, "care.configure")
    if kind not in QuestionKind.values:
        raise DomainError("care.question_kind", field="kind", value=str(kind)[:20])
    text = clean_text(text, label=gettext_lazy("Question"), limit=200, field="text")
    if not text:
        raise DomainError("care.question_missing", field="text")
    sort = (template.questions.order_by("-sort").values_list("sort", flat=True).first() or 0) + 1
    question = SurveyQuestion.objects.create(template=template, kind=kind, text=text, sort=sort)
    audit.record(actor=actor, action="care.survey_question_add", obj=template,
                 after={"question": text, "kind": kind})
    return question


@transaction.atomic
def question_set_active(*, actor: Actor, question: SurveyQuestion, active: bool) -> SurveyQuestion:
    """A question is retired, never deleted: the answers it has keep their meaning in the report."""
    _require(actor, "care.configure")
    if question.is_active != active:
        question.is_active = active
        question.save(update_fields=["is_active"])
        audit.record(actor=actor, action="care.survey_question_update", obj=question.template,
                     after={"question": question.text, "active": active})
    return question


# --- the daily revisit list ---------------------------------------------------------------------------


def revisits_generate(*, today: dt.date | None = None) -> int:
    """Put on each dealer's list the revisits its brand's plan calls for by today (within the
    last two weeks, so a stopped scheduler catches up); once per car and step."""
    from autodcc.customers.models import Vehicle
    from autodcc.network.models import Dealer

    today = today or timezone.localdate()
    made = 0
    for brand in Dealer.objects.exclude(brand="").values_list("brand", flat=True).distinct():
        for step in plan_for(brand):
            first, last = today - dt.timedelta(days=GENERATE_WINDOW_DAYS), today
            # the purchase dates whose revisit falls in the window (a month step: a few days either
            # side, checked exactly below)
            if step.unit == OffsetUnit.DAY:
                bought = (first - dt.timedelta(days=step.offset), last - dt.timedelta(days=step.offset))
            else:
                bought = (rules.add_months(first, -step.offset) - dt.timedelta(days=3),
                          rules.add_months(last, -step.offset) + dt.timedelta(days=3))
            cars = (Vehicle.objects.filter(dealer__brand=brand, purchase_date__range=bought)
                    .exclude(revisit_tasks__step=step).select_related("customer"))
            for car in cars:
                due = rules.add_offset(car.purchase_date, step.offset, step.unit)
                if not first <= due <= last:
                    continue
                try:
                    with transaction.atomic():
                        task = RevisitTask.objects.create(dealer_id=car.dealer_id, vehicle=car, customer=car.customer,
                                                          step=step, label=step.label, due_on=due,
                                                          consultant=_consultant_of(car))
                        audit.record(actor=SYSTEM, action="care.revisit_planned", obj=task,
                                     after={"label": task.label, "due_on": due, "vehicle": str(car)})
                except IntegrityError:
                    continue  # planned meanwhile by another run
                made += 1
    return made


def _consultant_of(vehicle: Any) -> Any:
    """The sales consultant who sold the car (the delivered order's lead), if known."""
    from autodcc.orders.models import Order

    order = Order.objects.filter(vehicle_id=vehicle.pk).select_related("lead").first()
    return order.lead.consultant if order is not None and order.lead.consultant_id else None


def _task_for(actor: Actor, task: Any) -> RevisitTask:
    found = (RevisitTask.objects.visible_to(actor).select_for_update(of=("self",))
             .select_related("dealer", "customer", "vehicle", "step__survey", "source_survey")
             .filter(pk=getattr(task, "pk", task)).first())
    if found is None:
        raise NotFound("not_found")
    _require(actor, "care.follow_up" if found.kind == TaskKind.FOLLOW_UP else "care.revisit", found.dealer)
    return found


@transaction.atomic
def task_dial(*, actor: Actor, task: Any) -> Any:
    """The caller reveals the owner's number (audited) and calls it through the same click-to-call
    line as a lead's holder (LEAD-15): bridged by the platform, or dialled from the page."""
    from autodcc.leads import telephony
    from autodcc.leads.services.calling import Dial
    from autodcc.network.models import Staff

    task = _task_for(actor, task)
    staff = Staff.objects.filter(pk=actor.staff_id).first() if actor.staff_id else None
    reference = f"RV{task.pk}-{timezone.localtime():%m%d%H%M%S}"
    call = telephony.CallRequest(reference=reference, agent_phone=getattr(staff, "phone", "") or "",
                                 customer_phone=task.customer.phone)
    line = telephony.provider()
    audit.record(actor=actor, action="care.dial", obj=task, after={"call": reference})
    transaction.on_commit(lambda: line.dial(call))
    return Dial(phone=task.customer.phone, reference=reference, bridged=line.bridges)


@transaction.atomic
def task_close(*, actor: Actor, task: Any, status: str, note: str = "") -> RevisitTask:
    """The call is done (or the owner could not be reached), with what was said."""
    task = _task_for(actor, task)
    if status not in (TaskStatus.DONE, TaskStatus.UNREACHABLE):
        raise DomainError("care.task_closed", field="status")
    note = clean_text(note, label=gettext_lazy("Note"), limit=COMMENT_LIMIT, field="note")
    if task.status != TaskStatus.OPEN:
        if task.status == status:
            return task  # a double click
        raise DomainError("care.task_closed")
    task.status, task.note, task.done_at, task.done_by_label = status, note, timezone.now(), actor.label
    task.save(update_fields=["status", "note", "done_at", "done_by_label"])
    audit.record(actor=actor, action="care.revisit_done", obj=task, after={"status": status, "note": note})
    return task


# --- surveys ------------------------------------------------------------------------------------------


def _new_survey(task: RevisitTask, channel: str, template: SurveyTemplate) -> Survey:
    now = timezone.now()
    return Survey.objects.create(template=template, dealer=task.dealer, vehicle=task.vehicle, customer=task.customer,
                                 consultant=task.consultant, task=task, channel=channel, sent_at=now,
                                 expires_at=now + dt.timedelta(days=SURVEY_VALID_DAYS))


def _template_of(task: RevisitTask) -> SurveyTemplate:
    template = task.step.survey if task.step_id and task.step.survey_id else None
    if template is None:
        raise DomainError("care.no_survey")
    if not template.questions.filter(is_active=True).exists():
        raise DomainError("care.template_empty")
    return template


@transaction.atomic
def survey_send(*, actor: Actor, task: Any) -> Survey:
    """The survey's link by SMS (through the outbox: an owner who opted out of all messages gets
    none); answered once, on the phone, without logging in, within two weeks."""
    from autodcc.core import links
    from autodcc.messaging.models import Event
    from autodcc.messaging.services import message_send

    task = _task_for(actor, task)
    template = _template_of(task)
    pending = task.surveys.filter(channel=SurveyChannel.LINK, answered_at__isnull=True,
                                  expires_at__gt=timezone.now()).first()
    if pending is not None:
        return pending  # sent already (a double click): one link per call
    survey = _new_survey(task, SurveyChannel.LINK, template)
    dealer = task.dealer
    message_send(event=Event.SURVEY_INVITATION, to_phone=task.customer.phone, dealer=dealer, related=survey,
                 context={"name": task.customer.name, "dealer": dealer.short_name or dealer.name,
                          "link": links.absolute("store:survey", survey.token)})
    audit.record(actor=actor, action="care.survey_send", obj=task, after={"survey": template.name})
    return survey


def link_suppressed(survey: Survey) -> bool:
    """Whether the survey's SMS was held back by the owner's opt-out (the caller fills it in instead)."""
    from autodcc.messaging.models import Message, MessageStatus

    return Message.objects.filter(related_type=survey._meta.label_lower, related_id=str(survey.pk),
                                  status=MessageStatus.SUPPRESSED).exists()


def _parse(question: SurveyQuestion, raw: Any) -> tuple[int | None, str]:
    if question.kind == QuestionKind.COMMENT:
        return None, clean_text(str(raw or ""), label=question.text, limit=COMMENT_LIMIT, field=f"q{question.pk}")
    low, high = SCORE_RANGE[question.kind]
    text = str(raw if raw is not None else "").strip()
    if text == "":
        raise DomainError("survey.score_missing", field=f"q{question.pk}", question=question.text)
    try:
        score = int(text)
    except ValueError:
        raise DomainError("survey.score_range", field=f"q{question.pk}", question=question.text, low=low,
                          high=high) from None
    if not low <= score <= high:
        raise DomainError("survey.score_range", field=f"q{question.pk}", question=question.text, low=low, high=high)
    return score, ""


def _save_answers(survey: Survey, answers: Mapping[str, Any], actor: Actor) -> Survey:
    questions = list(survey.template.questions.filter(is_active=True))
    errors, parsed = [], []
    for question in questions:
        try:
            parsed.append((question, *_parse(question, answers.get(f"q{question.pk}"))))
        except DomainError as exc:
            errors.append(exc)
    if errors:
        raise Invalid(errors)
    SurveyAnswer.objects.bulk_create([SurveyAnswer(survey=survey, question=q, score=score, text=text)
                                      for q, score, text in parsed])
    low = [(q, score) for q, score, _text in parsed if score is not None and score <= LOW_SCORE[q.kind]]
    survey.answered_at, survey.answered_by_label, survey.low_score = timezone.now(), actor.label, bool(low)
    survey.save(update_fields=["answered_at", "answered_by_label", "low_score"])
    audit.record(actor=actor, action="care.survey_answer",
                 obj=survey, after={"scores": {q.text: score for q, score, _t in parsed if score is not None},
                                    "low_score": bool(low)})
    if low:
        _follow_up(survey, low)
    return survey


def _follow_up(survey: Survey, low: list[tuple[SurveyQuestion, int]]) -> RevisitTask:
    """A low score opens a call for the dealer's manager (sales manager first, else the GM)."""
    from autodcc.core.roles import Role
    from autodcc.network.models import Staff

    manager = (Staff.objects.filter(grants__dealer_id=survey.dealer_id, grants__role=Role.SALES_MANAGER).first()
               or Staff.objects.filter(grants__dealer_id=survey.dealer_id, grants__role=Role.DEALER_GM).first())
    what = "；".join(f"{q.text} {score}" for q, score in low)
    task = RevisitTask.objects.create(kind=TaskKind.FOLLOW_UP, dealer_id=survey.dealer_id, vehicle=survey.vehicle,
                                      customer=survey.customer, label=gettext("Low score: call back"),
                                      source_survey=survey, due_on=timezone.localdate() + dt.timedelta(days=1),
                                      consultant=survey.consultant, assignee=manager, note=what[:1000])
    audit.record(actor=SYSTEM, action="care.follow_up_open", obj=task,
                 after={"scores": what, "assignee": manager.name if manager else None})
    return task


def survey_for_token(token: str) -> Survey:
    found = (Survey.objects.select_related("template", "dealer", "customer")
             .filter(token=token, channel=SurveyChannel.LINK).first())
    if found is None:
        raise NotFound("not_found")
    return found


@transaction.atomic
def survey_answer(*, token: str, answers: Mapping[str, Any]) -> Survey:
    """The owner answers the link's survey: once (a second submit changes nothing), before it expires."""
    survey = (Survey.objects.select_for_update().select_related("template")
              .filter(token=token, channel=SurveyChannel.LINK).first())
    if survey is None:
        raise NotFound("not_found")
    if survey.answered_at is not None:
        raise DomainError("survey.answered")
    if survey.expires_at <= timezone.now():
        raise DomainError("survey.expired")
    return _save_answers(survey, answers, consumer("survey"))


@transaction.atomic
def survey_fill(*, actor: Actor, task: Any, answers: Mapping[str, Any]) -> Survey:
    """The caller fills in the survey with the owner on the phone; the call is then done."""
    task = _task_for(actor, task)
    template = _template_of(task)
    if task.status != TaskStatus.OPEN:
        raise DomainError("care.task_closed")
    survey = _new_survey(task, SurveyChannel.CALL, template)
    _save_answers(survey, answers, actor)  # a refused answer rolls the survey back with it
    task.status, task.done_at, task.done_by_label = TaskStatus.DONE, timezone.now(), actor.label
    task.save(update_fields=["status", "done_at", "done_by_label"])
    audit.record(actor=actor, action="care.revisit_done", obj=task, after={"status": task.status,
                                                                          "survey": template.name})
    return survey
