"""One adapter per platform; ``get(name)`` finds it."""

from __future__ import annotations

from autodcc.channels.connectors.autohome import AutohomeConnector
from autodcc.channels.connectors.base import Connector, Inbound, Mapped, Refused, Reply, Verified
from autodcc.channels.connectors.dongchedi import DongchediConnector
from autodcc.channels.connectors.tmall import TmallConnector
from autodcc.channels.connectors.yiche import YicheConnector

CONNECTORS: dict[str, Connector] = {c.name: c for c in (TmallConnector(), AutohomeConnector(), YicheConnector(),
                                                        DongchediConnector())}


def get(name: str) -> Connector | None:
    return CONNECTORS.get(name)


__all__ = ["CONNECTORS", "Connector", "Inbound", "Mapped", "Refused", "Reply", "Verified", "get"]
