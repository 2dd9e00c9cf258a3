"""Click-to-call behind one interface, chosen by ``TELEPHONY_PROVIDER``.

A call-centre platform rings the agent's phone first and then bridges the customer (回拨), so the
customer sees the dealer's number and the platform records the call under our reference. The
``console`` provider (the default) places no call: it logs the request and keeps the last ones in
memory, and the agent dials the number shown with a ``tel:`` link.
"""

from __future__ import annotations

import logging
from collections import deque
from dataclasses import dataclass
from typing import ClassVar, Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

log = logging.getLogger("autodcc.telephony")


@dataclass(frozen=True)
class CallRequest:
    reference: str  # ours: the platform files its recording under it
    agent_phone: str
    customer_phone: str


class Telephony(Protocol):
    name: ClassVar[str]
    bridges: ClassVar[bool]  # True: the platform rings both ends; False: the agent dials

    def dial(self, call: CallRequest) -> None: ...


class ConsoleTelephony:
    name: ClassVar[str] = "console"
    bridges: ClassVar[bool] = False
    placed: ClassVar[deque[CallRequest]] = deque(maxlen=200)

    def dial(self, call: CallRequest) -> None:
        self.placed.append(call)
        log.info("[call %s] agent %s → customer %s", call.reference, call.agent_phone or "-", call.customer_phone)


_CHOICES: dict[str, type[Telephony]] = {"console": ConsoleTelephony}


def provider() -> Telephony:
    name = getattr(settings, "TELEPHONY_PROVIDER", "console")
    try:
        return _CHOICES[name]()
    except KeyError:
        raise ImproperlyConfigured(
            f"TELEPHONY_PROVIDER={name!r} is not a telephony provider; choose one of: {', '.join(_CHOICES)}") from None
