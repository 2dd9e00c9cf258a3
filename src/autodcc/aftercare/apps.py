from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AftercareConfig(AppConfig):
    name = "autodcc.aftercare"
    verbose_name = _("After-sales care")

    def ready(self) -> None:
        from autodcc.aftercare import errors  # noqa: F401  (registers the error messages)
