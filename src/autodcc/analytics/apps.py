from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    name = "autodcc.analytics"
    verbose_name = _("Store analytics")

    def ready(self) -> None:
        from autodcc.analytics import buffer, errors  # noqa: F401  (error messages; flush after responses)
