from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CampaignsConfig(AppConfig):
    name = "autodcc.campaigns"
    verbose_name = _("Campaigns")

    def ready(self) -> None:
        from autodcc.campaigns import errors  # noqa: F401  (registers the error messages)
