from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TestDrivesConfig(AppConfig):
    name = "autodcc.testdrives"
    label = "testdrives"
    verbose_name = _("Test drives")

    def ready(self) -> None:
        from autodcc.testdrives import errors  # noqa: F401
