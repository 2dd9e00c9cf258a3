from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrdersConfig(AppConfig):
    name = "autodcc.orders"
    label = "orders"
    verbose_name = _("Orders")

    def ready(self) -> None:
        from autodcc.core import audit
        from autodcc.orders import errors, handlers, policy  # noqa: F401

        audit.register_dealer_only(*policy.DEALER_ONLY_AUDIT_TYPES)
