from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "autodcc.customers"
    label = "customers"
    verbose_name = _("Customers")

    def ready(self) -> None:
        from autodcc.customers import errors  # noqa: F401
