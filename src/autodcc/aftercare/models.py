"""After-sales care (CARE-2, CARE-4): maintenance schedules per model, each owner's car's next
service, reminders, service appointments and visits; revisit plans per brand, revisit calls,
survey templates, the surveys sent or filled in and their answers, follow-ups of low scores."""

from __future__ import annotations

import secrets

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from autodcc.core.tenancy import TenantQuerySet


def new_token() -> str:
    return secrets.token_urlsafe(18)


# --- maintenance (CARE-2) ---------------------------------------------------------------------


class MaintenanceSchedule(models.Model):
    """A model's service intervals: the first service at N months or N km, whichever comes first,
    then every M months or K km. HQ maintains them."""

    car_model = models.OneToOneField("catalog.CarModel", on_delete=models.CASCADE, related_name="maintenance_schedule",
                                     verbose_name=_("model"))
    first_months = models.PositiveSmallIntegerField(_("first service after (months)"), default=6)
    first_km = models.PositiveIntegerField(_("first service after (km)"), default=5000)
    every_months = models.PositiveSmallIntegerField(_("then every (months)"), default=12)
    every_km = models.PositiveIntegerField(_("then every (km)"), default=10000)
    offer = models.CharField(_("service offer"), max_length=60, blank=True,
                             help_text=_("Sent with the reminder to owners who agreed to marketing messages."))
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("maintenance schedule")
        verbose_name_plural = _("maintenance schedules")
        constraints = [models.CheckConstraint(
            condition=Q(first_months__gt=0, first_km__gt=0, every_months__gt=0, every_km__gt=0),
            name="maintenance_intervals_positive")]

    def __str__(self) -> str:
        return str(self.car_model)


class DueReason(models.TextChoices):
    TIME = "time", _("by time")
    KM = "km", _("by mileage")


class VehicleCare(models.Model):
    """Where an owner's car stands in its maintenance cycle: the next service (number, date, the
    mileage it is due at and which came first), the owner's driving rate, whether the reminder of
    this service went out and whether it is booked. Recomputed whenever an input changes."""

    TENANT_DEALER_FIELD = "vehicle__dealer"

    vehicle = models.OneToOneField("customers.Vehicle", on_delete=models.CASCADE, related_name="care",
                                   verbose_name=_("vehicle"))
    car_model = models.ForeignKey("catalog.CarModel", on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="+", verbose_name=_("model"))
    service_no = models.PositiveSmallIntegerField(_("service number"), default=1)
    next_due_on = models.DateField(_("next service due"), null=True, blank=True, db_index=True)
    due_reason = models.CharField(_("due"), max_length=8, choices=DueReason.choices, blank=True)
    due_km = models.PositiveIntegerField(_("due at (km)"), null=True, blank=True)
    km_per_day = models.DecimalField(_("km per day"), max_digits=7, decimal_places=1, null=True, blank=True)
    last_service_on = models.DateField(_("last service"), null=True, blank=True)
    last_service_km = models.PositiveIntegerField(_("mileage at the last service"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("reminded"), null=True, blank=True)
    booked_for = models.DateTimeField(_("booked for"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        verbose_name = _("vehicle care")
        verbose_name_plural = _("vehicle care")
        ordering = ["next_due_on", "pk"]

    def __str__(self) -> str:
        return str(self.vehicle)


class ReadingSource(models.TextChoices):
    PURCHASE = "purchase", _("At delivery")
    REPORTED = "reported", _("Reported by the owner")
    VISIT = "visit", _("At a service visit")


class MileageReading(models.Model):
    """A mileage on a day: what the car showed at delivery, at a visit, or what the owner said."""

    TENANT_DEALER_FIELD = "vehicle__dealer"

    vehicle = models.ForeignKey("customers.Vehicle", on_delete=models.CASCADE, related_name="mileage_readings")
    read_on = models.DateField(_("date"))
    km = models.PositiveIntegerField(_("mileage (km)"))
    source = models.CharField(_("source"), max_length=10, choices=ReadingSource.choices)
    by_label = models.CharField(max_length=150)
    created_at = models.DateTimeField(default=timezone.now)

    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["-read_on", "-km", "-pk"]
        indexes = [models.Index(fields=["vehicle", "read_on"])]


class AppointmentStatus(models.TextChoices):
    BOOKED = "booked", _("Booked")
    DONE = "done", _("Came for the service")
    CANCELLED = "cancelled", _("Cancelled")


class ServiceAppointment(models.Model):
    TENANT_DEALER_FIELD = "dealer"

    vehicle = models.ForeignKey("customers.Vehicle", on_delete=models.CASCADE, related_name="service_appointments")
    dealer = models.ForeignKey("network.Dealer", on_delete=models.PROTECT, related_name="+", verbose_name=_("dealer"))
    service_no = models.PositiveSmallIntegerField(_("service number"))
    scheduled_at = models.DateTimeField(_("appointment"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=AppointmentStatus.choices,
                              default=AppointmentStatus.BOOKED)
    booked_by_label = models.CharField(max_length=150)
    created_at = models.DateTimeField(default=timezone.now)

    objects = TenantQuerySet.as_manager()

    class Meta:
        verbose_name = _("service appointment")
        verbose_name_plural = _("service appointments")
        ordering = ["-scheduled_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["vehicle"], condition=Q(status="booked"),
                                               name="one_open_service_appointment_per_vehicle")]


class ServiceVisit(models.Model):
    """A service done: when, at what mileage, where, what was done."""

    TENANT_DEALER_FIELD = "dealer"

    vehicle = models.ForeignKey("customers.Vehicle", on_delete=models.CASCADE, related_name="service_visits")
    dealer = models.ForeignKey("network.Dealer", on_delete=models.PROTECT, related_name="+", verbose_name=_("dealer"))
    service_no = models.PositiveSmallIntegerField(_("service number"))
    visited_on = models.DateField(_("date"))
    mileage_km = models.PositiveIntegerField(_("mileage (km)"))
    notes = models.TextField(_("work done"), blank=True)
    appointment = models.OneToOneField(ServiceAppointment, on_delete=models.SET_NULL, null=True, blank=True,
                                       related_name="visit")
    by_label = models.CharField(max_length=150)
    created_at = models.DateTimeField(default=timezone.now)

    objects = TenantQuerySet.as_manager()

    class Meta:
        verbose_name = _("service visit")
        verbose_name_plural = _("service visits")
        ordering = ["-visited_on", "-pk"]
        constraints = [models.UniqueConstraint(fields=["vehicle", "visited_on"], name="one_service_visit_per_day")]


class ReminderOutcome(models.TextChoices):
    QUEUED = "queued", _("Sent")
    SUPPRESSED = "suppressed", _("Not sent (opted out)")
    NO_ADDRESS = "no_address", _("No mobile or WeChat on file")


class MaintenanceReminder(models.Model):
    """The reminder of one service of one car: at most one (the unique key makes the scheduled
    task idempotent)."""

    TENANT_DEALER_FIELD = "vehicle__dealer"

    vehicle = models.ForeignKey("customers.Vehicle", on_delete=models.CASCADE, related_name="maintenance_reminders")
    service_no = models.PositiveSmallIntegerField(_("service number"))
    due_on = models.DateField(_("due"))
    channel = models.CharField(_("channel"), max_length=16, blank=True)
    with_offer = models.BooleanField(_("with the service offer"), default=False)
    outcome = models.CharField(_("outcome"), max_length=12, choices=ReminderOutcome.choices)
    message = models.ForeignKey("messaging.Message", on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="+")
    sent_at = models.DateTimeField(_("sent"), default=timezone.now)

    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["-sent_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["vehicle", "service_no"], name="one_reminder_per_service")]


# --- revisits and surveys (CARE-4) -------------------------------------------------------------


class SurveyTemplate(models.Model):
    name = models.CharField(_("name"), max_length=60)
    intro = models.CharField(_("introduction"), max_length=200, blank=True)
    is_active = models.BooleanField(_("in use"), default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("survey template")
        verbose_name_plural = _("survey templates")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name


class QuestionKind(models.TextChoices):
    SCORE5 = "score5", _("Score 1–5")
    SCORE10 = "score10", _("Score 0–10")
    NPS = "nps", _("Recommendation (NPS, 0–10)")
    COMMENT = "comment", _("Comment")


# a score at or below this opens a follow-up for the dealer's manager
LOW_SCORE = {QuestionKind.SCORE5: 2, QuestionKind.SCORE10: 4, QuestionKind.NPS: 6}
SCORE_RANGE = {QuestionKind.SCORE5: (1, 5), QuestionKind.SCORE10: (0, 10), QuestionKind.NPS: (0, 10)}


class SurveyQuestion(models.Model):
    template = models.ForeignKey(SurveyTemplate, on_delete=models.CASCADE, related_name="questions")
    kind = models.CharField(_("kind"), max_length=10, choices=QuestionKind.choices)
    text = models.CharField(_("question"), max_length=200)
    sort = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["template", "sort", "pk"]

    def __str__(self) -> str:
        return self.text

    @property
    def scale(self) -> list[int]:
        low, high = SCORE_RANGE.get(self.kind, (0, -1))
        return list(range(low, high + 1))


class OffsetUnit(models.TextChoices):
    DAY = "day", _("days")
    MONTH = "month", _("months")


class RevisitStep(models.Model):
    """One revisit of a brand's plan: so long after the purchase, with its call script and survey."""

    brand = models.CharField(_("brand"), max_length=40, db_index=True)
    offset = models.PositiveSmallIntegerField(_("after"))
    unit = models.CharField(_("unit"), max_length=6, choices=OffsetUnit.choices)
    label = models.CharField(_("name"), max_length=40)
    survey = models.ForeignKey(SurveyTemplate, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                               verbose_name=_("survey"))
    script = models.TextField(_("call script"), blank=True)

    class Meta:
        verbose_name = _("revisit step")
        verbose_name_plural = _("revisit plan")
        ordering = ["brand", "unit", "offset"]
        constraints = [
            models.UniqueConstraint(fields=["brand", "offset", "unit"], name="one_revisit_step_per_period"),
            models.CheckConstraint(condition=Q(offset__gt=0), name="revisit_offset_positive"),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def days_hint(self) -> int:
        return self.offset if self.unit == OffsetUnit.DAY else self.offset * 30


class TaskKind(models.TextChoices):
    REVISIT = "revisit", _("Revisit")
    FOLLOW_UP = "follow_up", _("Low-score follow-up")


class TaskStatus(models.TextChoices):
    OPEN = "open", _("To do")
    DONE = "done", _("Done")
    UNREACHABLE = "unreachable", _("Could not be reached")


class RevisitTask(models.Model):
    """A call the dealer makes: a revisit of its plan, or a manager's follow-up of a low score."""

    TENANT_DEALER_FIELD = "dealer"

    kind = models.CharField(_("kind"), max_length=10, choices=TaskKind.choices, default=TaskKind.REVISIT)
    dealer = models.ForeignKey("network.Dealer", on_delete=models.PROTECT, related_name="+", verbose_name=_("dealer"))
    vehicle = models.ForeignKey("customers.Vehicle", on_delete=models.CASCADE, related_name="revisit_tasks")
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="+")
    step = models.ForeignKey(RevisitStep, on_delete=models.SET_NULL, null=True, blank=True, related_name="tasks")
    label = models.CharField(_("revisit"), max_length=60)
    source_survey = models.ForeignKey("Survey", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    due_on = models.DateField(_("due"), db_index=True)
    consultant = models.ForeignKey("network.Staff", on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("sales consultant"))
    assignee = models.ForeignKey("network.Staff", on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="+", verbose_name=_("assignee"))
    status = models.CharField(_("status"), max_length=12, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    done_by_label = models.CharField(max_length=150, blank=True)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = TenantQuerySet.as_manager()

    class Meta:
        verbose_name = _("revisit task")
        verbose_name_plural = _("revisit tasks")
        ordering = ["due_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["vehicle", "step"], condition=Q(step__isnull=False),
                                    name="one_revisit_per_vehicle_and_step"),
            models.UniqueConstraint(fields=["source_survey"], condition=Q(source_survey__isnull=False),
                                    name="one_follow_up_per_survey"),
        ]

    def __str__(self) -> str:
        return f"{self.label} {self.vehicle}"


class SurveyChannel(models.TextChoices):
    LINK = "link", _("Link by SMS")
    CALL = "call", _("Filled in on the phone")


SURVEY_VALID_DAYS = 14


class Survey(models.Model):
    """One survey of one owner: sent as a link (answered once, before it expires) or filled in by
    the caller."""

    TENANT_DEALER_FIELD = "dealer"

    template = models.ForeignKey(SurveyTemplate, on_delete=models.PROTECT, related_name="surveys")
    dealer = models.ForeignKey("network.Dealer", on_delete=models.PROTECT, related_name="+", verbose_name=_("dealer"))
    vehicle = models.ForeignKey("customers.Vehicle", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="+")
    consultant = models.ForeignKey("network.Staff", on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("sales consultant"))
    task = models.ForeignKey(RevisitTask, on_delete=models.SET_NULL, null=True, blank=True, related_name="surveys")
    token = models.CharField(max_length=32, unique=True, default=new_token)
    channel = models.CharField(_("channel"), max_length=8, choices=SurveyChannel.choices)
    sent_at = models.DateTimeField(_("sent"), default=timezone.now)
    expires_at = models.DateTimeField(_("valid until"))
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True, db_index=True)
    answered_by_label = models.CharField(max_length=150, blank=True)
    low_score = models.BooleanField(_("low score"), default=False)

    objects = TenantQuerySet.as_manager()

    class Meta:
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        ordering = ["-sent_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.template} {self.customer}"


class SurveyAnswer(models.Model):
    TENANT_DEALER_FIELD = "survey__dealer"

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(SurveyQuestion, on_delete=models.PROTECT, related_name="answers")
    score = models.SmallIntegerField(_("score"), null=True, blank=True)
    text = models.TextField(_("comment"), blank=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["survey", "question__sort", "question_id"]
        constraints = [models.UniqueConstraint(fields=["survey", "question"], name="one_answer_per_question")]
