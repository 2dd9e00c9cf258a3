from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NetworkConfig(AppConfig):
    name = "autodcc.network"
    label = "network"
    verbose_name = _("Dealer network")

    def ready(self) -> None:
        from autodcc.network import errors  # noqa: F401
