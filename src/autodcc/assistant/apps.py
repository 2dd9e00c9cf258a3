from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssistantConfig(AppConfig):
    name = "autodcc.assistant"
    verbose_name = _("FAQ assistant")

    def ready(self) -> None:
        from autodcc.assistant import errors  # noqa: F401  (registers the error messages)
