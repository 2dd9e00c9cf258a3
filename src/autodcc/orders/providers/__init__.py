"""Payment providers behind one interface: Alipay, WeChat Pay v3 and the sandbox."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from autodcc.core.errors import DomainError
from autodcc.orders.providers.base import Checkout, NotificationRejected, Notified, PaymentProvider, ProviderError

__all__ = ["LABELS", "Checkout", "NotificationRejected", "Notified", "PaymentProvider", "ProviderError", "get",
           "label", "names"]

LABELS = {
    "sandbox": _("Sandbox (test payment, no money moves)"),
    "alipay": _("Alipay"),
    "wechat": _("WeChat Pay"),
}


def label(name: str) -> str:
    return str(LABELS.get(name, name))


def _classes() -> dict[str, type]:
    from autodcc.orders.providers.alipay import AlipayProvider
    from autodcc.orders.providers.sandbox import SandboxProvider
    from autodcc.orders.providers.wechat import WeChatPayProvider

    return {"sandbox": SandboxProvider, "alipay": AlipayProvider, "wechat": WeChatPayProvider}


def names() -> list[str]:
    """The providers the buyer can choose (``PAYMENT_PROVIDERS``, sandbox by default)."""
    return list(settings.PAYMENT_PROVIDERS)


def get(name: str) -> PaymentProvider:
    classes = _classes()
    if name not in classes:
        raise DomainError("order.provider_unknown", field="provider", value=name)
    return classes[name].from_settings()
