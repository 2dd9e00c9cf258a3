from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    name = "autodcc.feedback"
    verbose_name = _("Feedback and complaints")

    def ready(self) -> None:
        from autodcc.feedback import errors  # noqa: F401  (registers the error messages)
