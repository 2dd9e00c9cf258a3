from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChannelsConfig(AppConfig):
    name = "autodcc.channels"
    label = "channels"
    verbose_name = _("Channel connectors")

    def ready(self) -> None:
        from autodcc.channels import errors, feedback  # noqa: F401  (error messages, the feedback handler)
        from autodcc.orders import providers

        providers.LABELS.setdefault("tmall", _("Tmall store"))  # the orders' payments name Tmall
