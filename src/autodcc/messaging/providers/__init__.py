"""Message providers behind one interface, chosen per channel from the environment
(``MESSAGING_SMS_PROVIDER``, ``MESSAGING_WECHAT_PROVIDER``, ``MESSAGING_PUSH_PROVIDER``)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from autodcc.messaging.providers.base import OutgoingMessage, PermanentProviderError, Provider, ProviderError
from autodcc.messaging.providers.console import ConsoleProvider
from autodcc.messaging.providers.sms_gateway import SmsGatewayProvider
from autodcc.messaging.providers.wechat import WeChatTemplateProvider

__all__ = ["OutgoingMessage", "PermanentProviderError", "Provider", "ProviderError", "for_channel"]

_CHOICES: dict[str, dict[str, type[Provider]]] = {
    "sms": {"console": ConsoleProvider, "gateway": SmsGatewayProvider},
    "wechat": {"console": ConsoleProvider, "wechat": WeChatTemplateProvider},
    "push": {"console": ConsoleProvider},
}


def configured_name(channel: str) -> str:
    return getattr(settings, f"MESSAGING_{channel.upper()}_PROVIDER", "console")


def for_channel(channel: str) -> Provider:
    name = configured_name(channel)
    try:
        cls = _CHOICES[channel][name]
    except KeyError:
        choices = ", ".join(_CHOICES.get(channel, {}))
        raise ImproperlyConfigured(
            f"MESSAGING_{channel.upper()}_PROVIDER={name!r} is not a provider for {channel}; choose one of: {choices}"
        ) from None
    return cls.from_settings()
