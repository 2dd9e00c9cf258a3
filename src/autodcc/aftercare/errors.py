from django.utils.translation import gettext_lazy as _

from autodcc.core.errors import register

register(
    {
        "care.mileage_backwards": _("%(km)s km is less than the %(last)s km already recorded on %(day)s: check the odometer reading."),
        "care.mileage_invalid": _("Give the mileage in whole kilometres (0 to 2,000,000)."),
        "care.date_future": _("The date cannot be in the future."),
        "care.date_before_purchase": _("The date is before the car was bought (%(day)s)."),
        "care.visit_twice": _("A service visit on %(day)s is already recorded for this car."),
        "care.no_schedule": _("No maintenance schedule for this car's model: HQ sets one first."),
        "care.appointment_past": _("The appointment must be in the future."),
        "care.already_booked": _("This car already has a service appointment (%(when)s)."),
        "care.interval_invalid": _("Every interval must be at least 1 (months up to 60, kilometres up to 100,000)."),
        "care.offer_too_long": _("The service offer is at most 60 characters."),
        "care.step_invalid": _("A revisit comes 1 to 365 days or 1 to 36 months after the purchase."),
        "care.step_taken": _("The plan already has a revisit at that time."),
        "care.label_missing": _("Give the revisit a name."),
        "care.template_name_missing": _("Give the survey a name."),
        "care.question_missing": _("Write the question."),
        "care.question_kind": _("Unknown question kind “%(value)s”."),
        "care.template_empty": _("This survey has no questions yet."),
        "care.task_closed": _("This call has already been closed."),
        "care.no_survey": _("This revisit has no survey."),
        "survey.answered": _("This survey has already been answered. Thank you!"),
        "survey.expired": _("This survey link has expired."),
        "survey.score_missing": _("Please choose a score for “%(question)s”."),
        "survey.score_range": _("The score for “%(question)s” must be between %(low)s and %(high)s."),
    }
)
