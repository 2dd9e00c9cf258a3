from __future__ import annotations

import logging
from collections import deque
from typing import ClassVar

from autodcc.messaging.providers.base import OutgoingMessage

log = logging.getLogger("autodcc.messages")


class ConsoleProvider:
    """Development provider: writes each message to the log and keeps the last ones in memory."""

    name: ClassVar[str] = "console"
    sent: ClassVar[deque[OutgoingMessage]] = deque(maxlen=500)

    @classmethod
    def from_settings(cls) -> ConsoleProvider:
        return cls()

    def send(self, message: OutgoingMessage) -> str:
        self.sent.append(message)
        log.info("[%s → %s] %s", message.channel, message.phone or message.openid, message.body)
        return f"console-{message.message_id}"
