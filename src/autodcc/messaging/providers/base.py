from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol


@dataclass(frozen=True)
class OutgoingMessage:
    message_id: int  # our id; providers that accept one use it to drop duplicates
    channel: str
    event: str
    body: str
    phone: str = ""  # E.164
    openid: str = ""
    template_id: str = ""
    data: dict[str, Any] = field(default_factory=dict)


class ProviderError(Exception):
    """The provider did not take the message; trying again later may work."""


class PermanentProviderError(ProviderError):
    """The provider refused the message for good (bad number, rejected content)."""


class Provider(Protocol):
    name: ClassVar[str]

    @classmethod
    def from_settings(cls) -> Provider: ...

    def send(self, message: OutgoingMessage) -> str:
        """Hand the message over; return the provider's message id or raise ProviderError."""
        ...
