"""The visitor's analytics consent, kept in first-party cookies (nothing on the server unless the
visitor agrees).

``adcc_consent`` holds the choice and the version of the notice it answered (``yes.<version>`` or
``no.<version>``); ``adcc_vid`` the pseudonymous visitor id, set only with a yes; ``adcc_visit``
the visit id that the page's script keeps for 30 minutes of activity. A choice made for an older
notice, or a yes whose visitor id was cleared, counts as no choice: the banner asks again.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass

from django.conf import settings

CONSENT_COOKIE = "adcc_consent"
VISITOR_COOKIE = "adcc_vid"
VISIT_COOKIE = "adcc_visit"
VERSION = "analytics-2026-12"  # the privacy notice's analytics section this consent answers
PURPOSES = ("store_analytics",)
MAX_AGE = 180 * 24 * 3600  # asked again after half a year
VISIT_SECONDS = 30 * 60
ID = re.compile(r"^[0-9a-f]{16,32}$")


@dataclass(frozen=True)
class State:
    choice: str  # "yes", "no" or "" (not asked yet, or asked for an older notice)
    visitor: str = ""
    visit: str = ""

    @property
    def recording(self) -> bool:
        return self.choice == "yes" and bool(self.visitor)


def enabled() -> bool:
    return bool(getattr(settings, "STORE_ANALYTICS", True))


def read(cookies: Mapping[str, str]) -> State:
    raw = cookies.get(CONSENT_COOKIE, "")
    choice, _dot, version = raw.partition(".")
    if version != VERSION or choice not in ("yes", "no"):
        return State("")
    if choice == "no":
        return State("no")
    visitor = cookies.get(VISITOR_COOKIE, "")
    if not ID.match(visitor):
        return State("")  # a yes whose visitor id is gone (cookie cleared): ask again
    visit = cookies.get(VISIT_COOKIE, "")
    return State("yes", visitor, visit if ID.match(visit) else "")


def new_visitor_id() -> str:
    return secrets.token_hex(16)


def cookie_value(choice: str) -> str:
    return f"{choice}.{VERSION}"
