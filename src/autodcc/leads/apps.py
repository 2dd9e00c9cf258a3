from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LeadsConfig(AppConfig):
    name = "autodcc.leads"
    label = "leads"
    verbose_name = _("Leads")

    def ready(self) -> None:
        from autodcc.leads import errors, handlers  # noqa: F401
