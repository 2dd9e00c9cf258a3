"""Routing and the SLA clock, as plain functions over plain values.

* Routing: a category's rule names the dealer concerned (the order's or lead's, or the one the
  consumer or caller named) or an HQ department; a complaint for the dealer without a dealer
  falls to HQ customer service.
* The clock runs in opening hours: the handling dealer's, or HQ's office hours for an HQ
  department (``core.workhours``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from autodcc.core import workhours
from autodcc.core.workhours import OpeningHours
from autodcc.feedback.models import Category, Queue

# HQ departments work office hours on working days (official holidays off, make-up days on)
HQ_HOURS = OpeningHours(dt.time(9, 0), dt.time(18, 0), "12345")
LINK_DAYS = 7  # the consumer's confirmation link stays valid this long
MAX_MINUTES = 60 * 24 * 60  # a rule's clock: at most 60 days of opening minutes

# the rules a new installation starts with (HQ edits them in the console)
DEFAULT_RULES: dict[str, tuple[str, int, int, int]] = {  # category → target, first response, resolution, again
    Category.PRODUCT: (Queue.HQ_SERVICE, 240, 2700, 540),
    Category.SALES: (Queue.DEALER, 120, 1080, 540),
    Category.AFTER_SALES: (Queue.DEALER, 120, 1080, 540),
    Category.DELIVERY: (Queue.DEALER, 120, 1080, 540),
    Category.ONLINE_STORE: (Queue.HQ_MARKETING, 240, 1620, 540),
    Category.OTHER: (Queue.HQ_SERVICE, 240, 2700, 540),
}


@dataclass(frozen=True)
class Rule:
    target: str
    first_response_minutes: int
    resolution_minutes: int
    escalate_again_minutes: int


def route(target: str, dealer_id: int | None) -> str:
    """The queue a complaint goes to under a rule's ``target``."""
    if target == Queue.DEALER and dealer_id is None:
        return Queue.HQ_SERVICE
    return target


def hours_for(queue: str, dealer: object | None) -> OpeningHours:
    if queue == Queue.DEALER and dealer is not None:
        return OpeningHours.of(dealer)
    return HQ_HOURS


def deadlines(start: dt.datetime, rule: Rule, hours: OpeningHours) -> tuple[dt.datetime, dt.datetime]:
    """(first response due, resolution due) for a complaint filed at ``start``."""
    return (workhours.add_open_minutes(start, rule.first_response_minutes, hours),
            workhours.add_open_minutes(start, rule.resolution_minutes, hours))
