from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MessagingConfig(AppConfig):
    name = "autodcc.messaging"
    label = "messaging"
    verbose_name = _("Messaging")

    def ready(self) -> None:
        from autodcc.messaging import errors, handlers  # noqa: F401
