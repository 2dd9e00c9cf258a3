from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "autodcc.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from autodcc.core import errors  # noqa: F401  (registers the kernel's messages)
