"""What every connector shares: the raw request it verifies, the refusals, the lead it maps to,
and the fallbacks a mapping takes (recorded, never silent)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, ClassVar

from django.conf import settings

from autodcc.core import geo
from autodcc.core.errors import DomainError
from autodcc.leads.services import LeadInput
from autodcc.network import directory

MAX_BODY = 64 * 1024  # a push larger than this is malformed (a lead is a few hundred bytes)
MAX_ID = 80  # the capture keeps the platform's id in ``source_ref`` (80 characters)


@dataclass
class Inbound:
    """A push as received: query string, form fields, headers (lower-case names), raw body."""

    query: dict[str, str] = field(default_factory=dict)
    form: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    content_type: str = ""

    def header(self, name: str) -> str:
        return self.headers.get(name.lower(), "").strip()


class Refused(Exception):
    """A push refused before anything is kept. ``reason``: config, method, signature, timestamp,
    malformed."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail[:200]


@dataclass
class Verified:
    """A push whose signature and timestamp hold: the platform's lead as a dict, and the system
    parameters worth keeping (the signature itself is not)."""

    item: dict[str, Any]
    params: dict[str, str] = field(default_factory=dict)


@dataclass
class Mapped:
    platform_id: str
    data: LeadInput
    notes: list[dict[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class Reply:
    status: int
    content_type: str
    body: bytes


class Connector:
    """One platform: its credentials (``settings.CHANNELS[name]``), signature, mapping, replies."""

    name: ClassVar[str]
    channel: ClassVar[str]  # the lead channel its captures count under
    feedback_statuses: ClassVar[frozenset[str]] = frozenset()  # the statuses the platform takes back
    pulls: ClassVar[tuple[str, ...]] = ()  # the streams pulled on a schedule

    def config(self) -> dict[str, Any]:
        return dict(settings.CHANNELS.get(self.name, {}))

    @property
    def configured(self) -> bool:
        return bool(self.config().get("secret"))

    @property
    def gives_feedback(self) -> bool:
        """Whether status feedback is sent now: the platform takes some, and it is set up."""
        config = self.config()
        return bool(self.feedback_statuses and self.configured and config.get("feedback", True)
                    and config.get("api_base"))

    def takes_feedback_for(self, platform_id: str) -> bool:
        return True

    def verify(self, inbound: Inbound) -> Verified:
        raise NotImplementedError

    def map(self, item: dict[str, Any]) -> Mapped:
        raise NotImplementedError

    def reply_ok(self, inbound: Inbound | None, platform_id: str, outcome: str, lead_number: str = "") -> Reply:
        raise NotImplementedError

    def reply_error(self, inbound: Inbound | None, reason: str, detail: str) -> Reply:
        raise NotImplementedError

    # --- shared by the mappings ---------------------------------------------------------------

    def lead_input(self, *, platform_id: str, name: Any, phone: Any, city: Any = "", dealer: Any = "",
                   campaign: Any = "", model_interest: str = "", message: str = "",
                   city_text: str = "") -> Mapped:
        """The capture's input for a platform lead, with the dealer and the city checked against our
        network: an unknown dealer code or city is dropped with a note (the lead is then allocated
        by the city, or by the dealer's city), never refused for it."""
        if not platform_id:
            raise Refused("malformed", "the platform's lead id is missing")
        if len(platform_id) > MAX_ID:
            raise Refused("malformed", f"the platform's lead id is longer than {MAX_ID} characters")
        notes: list[dict[str, str]] = []
        code = _text(dealer)
        if code:
            found = directory.find_dealer(code)
            if found is None:
                notes.append({"code": "dealer_unknown", "value": code[:40]})
                code = ""
            elif not found.is_active:
                notes.append({"code": "dealer_closed", "value": found.code})
        place = _text(city)
        if place:
            try:
                geo.lookup_city(place)
            except DomainError:
                notes.append({"code": "city_unknown", "value": place[:40]})
                place = ""
        if not place and city_text:
            guessed = city_in_text(city_text)
            if guessed:
                place = guessed
                notes.append({"code": "city_from_address", "value": guessed})
        config = self.config()
        data = LeadInput(
            name=_text(name), phone=_text(phone), channel=self.channel, city=place, dealer=code,
            campaign=_text(campaign), source_ref=platform_id, model_interest=model_interest, message=message,
            consent_version=config.get("consent_version") or "平台授权",
            consent_share_with_dealer=True, consent_marketing=False,
        )
        return Mapped(platform_id, data, notes)


def _text(value: Any) -> str:
    if value is None:
        return ""
    return str(value).strip()


def city_in_text(text: str) -> str:
    """The first of our cities named in a free-text address (``浙江省杭州市西湖区…`` → 杭州市)."""
    if not text:
        return ""
    names = _city_names()
    best = ""
    for i in range(len(text)):
        for size in (5, 4, 3, 2):
            piece = text[i:i + size]
            if piece in names and len(piece) > len(best):
                best = piece
        if best:
            return names[best]
    return ""


_NAMES: dict[str, str] = {}


def _city_names() -> dict[str, str]:
    """City names (with and without 市) → the city's code; provinces are not cities."""
    if not _NAMES:
        for info in geo.all_cities().values():
            if info.level == "province":
                continue
            _NAMES.setdefault(info.name, info.adcode)
            if info.name.endswith("市") and len(info.name) > 2:
                _NAMES.setdefault(info.name[:-1], info.adcode)
    return _NAMES


def lenient_json(text: str) -> dict[str, Any]:
    """A JSON object, or the JavaScript-style one platforms send (``{store_id:'',store_code:'SH-001'}``)."""
    text = (text or "").strip()
    if not text:
        return {}
    try:
        value = json.loads(text)
    except ValueError:
        fixed = re.sub(r"'([^'\\]*)'", lambda m: json.dumps(m.group(1), ensure_ascii=False), text)
        fixed = re.sub(r"([{,]\s*)([A-Za-z_][A-Za-z0-9_]*)\s*:", r'\1"\2":', fixed)
        value = json.loads(fixed)  # ValueError when it is not even that
    if not isinstance(value, dict):
        raise ValueError("not an object")
    return value


def join(*parts: Any) -> str:
    return " ".join(_text(p) for p in parts if _text(p))
