"""Reads of after-sales care: the service advisor's list by tab, a car's care page, the revisit
list, and the survey report (per dealer, consultant and question)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from autodcc.aftercare.models import (
    MaintenanceReminder,
    MaintenanceSchedule,
    MileageReading,
    QuestionKind,
    RevisitTask,
    ServiceAppointment,
    ServiceVisit,
    SurveyAnswer,
    TaskKind,
    TaskStatus,
    VehicleCare,
)
from autodcc.core.actors import Actor

TABS = ("due", "reminded", "booked", "overdue", "done", "unmatched", "all")
DUE_AHEAD_DAYS = 30  # the "due" tab looks a month ahead
DONE_BACK_DAYS = 30


def vehicle_file(vehicle: Any) -> dict[str, Any]:
    """What a car's care page shows: its care state and model schedule, the booked service, the
    visits, the reported mileages and the reminders sent."""
    care = VehicleCare.objects.select_related("car_model").filter(vehicle=vehicle).first()
    schedule = MaintenanceSchedule.objects.filter(car_model_id=care.car_model_id).first() if care else None
    return {
        "care": care,
        "schedule": schedule,
        # why there is no next service: the car's model is unknown (staff choose it), or HQ has
        # set no schedule for it yet, or the purchase date is unknown and no service is recorded
        "unmatched": care is None or care.car_model_id is None,
        "appointment": ServiceAppointment.objects.filter(vehicle=vehicle, status="booked").first(),
        "visits": ServiceVisit.objects.filter(vehicle=vehicle).select_related("dealer"),
        "readings": MileageReading.objects.filter(vehicle=vehicle)[:20],
        "reminders": MaintenanceReminder.objects.filter(vehicle=vehicle).select_related("message"),
    }


def revisit_file(task: RevisitTask) -> dict[str, Any]:
    """What a revisit call's page shows beside the task: the surveys sent, the answers a follow-up
    stems from, the car's care state."""
    source = None
    if task.source_survey_id:
        source = SurveyAnswer.objects.filter(survey=task.source_survey).select_related("question")
    return {"surveys": task.surveys.select_related("template"), "source_answers": source,
            "care": VehicleCare.objects.filter(vehicle=task.vehicle).first()}


def brands() -> list[str]:
    """The brands of the network (revisit plans are per brand)."""
    from autodcc.network.models import Dealer

    return sorted(set(Dealer.objects.exclude(brand="").values_list("brand", flat=True)))


def schedules_by_model() -> list[tuple[Any, MaintenanceSchedule | None]]:
    """Every car model with its maintenance schedule (None: not set yet)."""
    from autodcc.catalog.models import CarModel

    schedules = {s.car_model_id: s for s in MaintenanceSchedule.objects.all()}
    return [(model, schedules.get(model.pk)) for model in CarModel.objects.select_related("series")]


def care_list(*, actor: Actor, tab: str, q: str = "", today: dt.date | None = None) -> QuerySet[VehicleCare]:
    """The cars of the actor's dealers by where they stand: due within a month (not yet reminded
    or booked), reminded, booked, overdue (past due, not booked), serviced in the last month, with
    no next service (the model unknown, one HQ has set no schedule for, or the purchase date unknown
    and no service recorded: every car is in a working tab, not only in "all")."""
    today = today or timezone.localdate()
    qs = (VehicleCare.objects.visible_to(actor)
          .select_related("vehicle__customer", "vehicle__dealer", "car_model")
          .annotate(has_schedule=Exists(MaintenanceSchedule.objects.filter(car_model_id=OuterRef("car_model_id")))))
    if tab == "due":
        qs = qs.filter(next_due_on__gte=today, next_due_on__lte=today + dt.timedelta(days=DUE_AHEAD_DAYS),
                       reminded_at__isnull=True, booked_for__isnull=True)
    elif tab == "reminded":
        qs = qs.filter(reminded_at__isnull=False, booked_for__isnull=True, next_due_on__gte=today)
    elif tab == "booked":
        qs = qs.filter(booked_for__isnull=False).order_by("booked_for", "pk")
    elif tab == "overdue":
        qs = qs.filter(next_due_on__lt=today, booked_for__isnull=True)
    elif tab == "done":
        qs = qs.filter(last_service_on__gte=today - dt.timedelta(days=DONE_BACK_DAYS)).order_by("-last_service_on", "pk")
    elif tab == "unmatched":  # no next service: the model unknown, no schedule for it, or no purchase date
        qs = qs.filter(Q(car_model__isnull=True) | Q(has_schedule=False) | Q(next_due_on__isnull=True)
                       ).order_by("-vehicle__created_at", "pk")
    text = (q or "").strip().upper().replace(" ", "")
    if text:
        match = Q(vehicle__plate__icontains=text) | Q(vehicle__customer__name__icontains=q.strip())
        if len(text) >= 6 and text.isalnum():
            match |= Q(vehicle__vin__endswith=text)
        qs = qs.filter(match)
    return qs


def tab_counts(*, actor: Actor, today: dt.date | None = None) -> dict[str, int]:
    return {tab: care_list(actor=actor, tab=tab, today=today).count() for tab in TABS if tab != "all"}


REVISIT_TABS = ("today", "upcoming", "closed", "follow_up")


def revisit_list(*, actor: Actor, tab: str, today: dt.date | None = None) -> QuerySet[RevisitTask]:
    today = today or timezone.localdate()
    qs = RevisitTask.objects.visible_to(actor).select_related("customer", "vehicle", "dealer", "consultant",
                                                              "assignee", "step")
    if not actor.can("care.follow_up"):
        qs = qs.filter(kind=TaskKind.REVISIT)
    if tab == "follow_up":
        return qs.filter(kind=TaskKind.FOLLOW_UP).order_by("status", "due_on", "pk")
    if tab == "closed":
        return qs.exclude(status=TaskStatus.OPEN).order_by("-done_at", "-pk")
    qs = qs.filter(status=TaskStatus.OPEN, kind=TaskKind.REVISIT)
    return qs.filter(due_on__lte=today) if tab == "today" else qs.filter(due_on__gt=today)


# --- the survey report -----------------------------------------------------------------------------------


@dataclass
class Figures:
    """Scores of a group of answered surveys: the 1–5 average, NPS (promoters − detractors, %)."""

    label: str
    surveys: set[int] = field(default_factory=set)
    score5: list[int] = field(default_factory=list)
    score10: list[int] = field(default_factory=list)
    nps: list[int] = field(default_factory=list)
    low: set[int] = field(default_factory=set)

    def add(self, survey_id: int, kind: str, score: int | None, low: bool) -> None:
        self.surveys.add(survey_id)
        if low:
            self.low.add(survey_id)
        if score is None:
            return
        {QuestionKind.SCORE5: self.score5, QuestionKind.SCORE10: self.score10,
         QuestionKind.NPS: self.nps}.get(kind, []).append(score)

    @property
    def count(self) -> int:
        return len(self.surveys)

    @property
    def average5(self) -> float | None:
        return round(sum(self.score5) / len(self.score5), 2) if self.score5 else None

    @property
    def average10(self) -> float | None:
        return round(sum(self.score10) / len(self.score10), 2) if self.score10 else None

    @property
    def nps_value(self) -> int | None:
        if not self.nps:
            return None
        promoters = sum(1 for s in self.nps if s >= 9)
        detractors = sum(1 for s in self.nps if s <= 6)
        return round(100 * (promoters - detractors) / len(self.nps))


@dataclass
class QuestionFigures:
    text: str
    kind: str
    kind_label: str
    scores: list[int] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.scores) if self.kind != QuestionKind.COMMENT else len(self.comments)

    @property
    def average(self) -> float | None:
        return round(sum(self.scores) / len(self.scores), 2) if self.scores else None

    @property
    def nps_value(self) -> int | None:
        if self.kind != QuestionKind.NPS or not self.scores:
            return None
        return Figures("", nps=self.scores).nps_value


@dataclass
class Report:
    since: dt.date
    until: dt.date
    total: Figures
    dealers: list[Figures]
    consultants: list[Figures]
    questions: list[QuestionFigures]


def survey_report(*, actor: Actor, since: dt.date, until: dt.date) -> Report:
    """Answered surveys of the actor's dealers in the period, by dealer, consultant and question."""
    start = timezone.make_aware(dt.datetime.combine(since, dt.time.min))
    end = timezone.make_aware(dt.datetime.combine(until + dt.timedelta(days=1), dt.time.min))
    rows = (SurveyAnswer.objects.visible_to(actor)
            .filter(survey__answered_at__gte=start, survey__answered_at__lt=end)
            .values_list("survey_id", "survey__low_score", "survey__dealer_id", "survey__dealer__short_name",
                         "survey__dealer__name", "survey__consultant_id", "survey__consultant__name", "question_id",
                         "question__text", "question__kind", "question__sort", "score", "text")
            .order_by("question__template_id", "question__sort", "question_id"))
    total = Figures("")
    dealers: dict[int, Figures] = {}
    consultants: dict[Any, Figures] = {}
    questions: dict[int, QuestionFigures] = {}
    labels = dict(QuestionKind.choices)
    for (survey_id, low, dealer_id, short, dealer_name, staff_id, staff_name, qid, qtext, kind, _sort, score,
         text) in rows:
        total.add(survey_id, kind, score, low)
        dealers.setdefault(dealer_id, Figures(short or dealer_name)).add(survey_id, kind, score, low)
        consultants.setdefault(staff_id, Figures(staff_name or "—")).add(survey_id, kind, score, low)
        question = questions.setdefault(qid, QuestionFigures(qtext, kind, str(labels.get(kind, kind))))
        if score is not None:
            question.scores.append(score)
        elif text:
            question.comments.append(text)
    order = lambda f: (-(f.average5 or 0), f.label)  # noqa: E731
    return Report(since, until, total, sorted(dealers.values(), key=order), sorted(consultants.values(), key=order),
                  list(questions.values()))
