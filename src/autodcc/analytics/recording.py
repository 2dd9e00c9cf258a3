"""What becomes an event: the browser's page views (checked strictly: a request with anything
wrong stores nothing) and the conversions the store's views report where their service succeeded.
Both go to the buffer, never straight to the database."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qs, urlsplit

from django.urls import Resolver404, resolve

from autodcc.analytics import buffer, consent
from autodcc.analytics.models import CLIENT_KINDS, EventKind, PageType
from autodcc.campaigns import codes
from autodcc.core.errors import DomainError

MAX_BODY = 16 * 1024
MAX_EVENTS = 20
LIMITS = {"kind": 16, "url": 300, "referrer": 500}
CONTROL = re.compile(r"[\x00-\x1f\x7f]")
TOKEN = re.compile(r"[^0-9A-Za-z_.\-]")
STORE_PREFIX = "/store/"

# the store's URL names → page types (``PageType.OTHER`` for the rest of the store)
PAGES = {
    "home": PageType.HOME, "series": PageType.SERIES, "trim": PageType.TRIM, "compare": PageType.COMPARE,
    "calculator": PageType.CALCULATOR, "recommend": PageType.RECOMMEND, "booking": PageType.BOOKING,
    "booking_status": PageType.BOOKING, "enquiry": PageType.ENQUIRY, "enquiry_thanks": PageType.ENQUIRY,
    "order_start": PageType.ORDER, "order": PageType.ORDER, "draw": PageType.DRAW, "draw_round": PageType.DRAW,
    "mine": PageType.MINE,
}


def _token(value: str, limit: int = 64) -> str:
    """A source or medium as kept: letters, digits, ``_.-``, lower case, at most ``limit`` long."""
    return TOKEN.sub("", value.strip().lower())[:limit]


def page_of(path: str, query: Mapping[str, list[str]]) -> tuple[str, str]:
    """The page type and its subject (a series or trim slug, the compared trims) of a store path."""
    try:
        match = resolve(path)
    except Resolver404:
        return PageType.OTHER, ""
    if match.namespace != "store":
        return PageType.OTHER, ""
    page = PAGES.get(match.url_name or "", PageType.OTHER)
    subject = ""
    if page in (PageType.SERIES, PageType.TRIM):
        subject = str(match.kwargs.get("slug", ""))
    elif page == PageType.COMPARE:
        subject = ",".join(dict.fromkeys(_token(s) for s in query.get("trims", []) if _token(s)))
    elif page == PageType.CALCULATOR:
        subject = _token((query.get("trim") or [""])[0])
    elif match.url_name == "order_start":
        subject = str(match.kwargs.get("trim_slug", ""))
    return page, subject[:120]


def _text(event: Mapping[str, Any], name: str) -> str:
    value = event.get(name, "")
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise DomainError("analytics.field_type", field=name, name=name)
    if len(value) > LIMITS[name]:
        raise DomainError("analytics.field_too_long", field=name, name=name, limit=LIMITS[name])
    if CONTROL.search(value):
        raise DomainError("analytics.control_chars", field=name, name=name)
    return value


def _host(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "")[:100]
    except ValueError:
        return ""


def parse(body: bytes, *, host: str) -> list[dict[str, Any]]:
    """The browser's batch as event fields (without visitor, visit and time); a DomainError names
    the first problem, and then nothing of the batch is kept."""
    if len(body) > MAX_BODY:
        raise DomainError("analytics.body_too_large", limit=MAX_BODY)
    if b"\x00" in body:
        raise DomainError("analytics.control_chars", field="body", name="body")
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise DomainError("analytics.not_json") from None
    if not isinstance(data, dict) or set(data) != {"events"} or not isinstance(data["events"], list):
        raise DomainError("analytics.shape")
    events = data["events"]
    if not events:
        raise DomainError("analytics.shape")
    if len(events) > MAX_EVENTS:
        raise DomainError("analytics.too_many", limit=MAX_EVENTS)
    out = []
    for event in events:
        if not isinstance(event, dict) or not set(event) <= set(LIMITS):
            raise DomainError("analytics.shape")
        kind = _text(event, "kind")
        if kind not in CLIENT_KINDS:
            raise DomainError("analytics.kind_unknown", value=kind[:16])
        url, referrer = _text(event, "url"), _text(event, "referrer")
        try:
            parts = urlsplit(url)
        except ValueError:  # e.g. a broken IPv6 host
            raise DomainError("analytics.url_foreign", field="url") from None
        if parts.scheme or parts.netloc or not parts.path.startswith(STORE_PREFIX):
            raise DomainError("analytics.url_foreign", field="url")
        query = parse_qs(parts.query)
        page, subject = page_of(parts.path, query)
        ref_host = _host(referrer)
        if ref_host and ref_host == host:
            ref_host = ""  # a link inside the store is not a source
        flat = {k: v[0] for k, v in query.items()}
        out.append({
            "kind": kind, "page": page, "subject": subject, "path": parts.path[:300], "referrer": ref_host,
            "source": _token(flat.get("utm_source", "")) or ref_host[:64], "medium": _token(flat.get("utm_medium", "")),
            "campaign": codes.from_link(flat),
        })
    return out


def collect(events: list[dict[str, Any]], state: consent.State, *, now: float | None = None) -> int:
    """Buffer the parsed ``events`` for a visitor who agreed; 0 (nothing kept) without consent."""
    if not consent.enabled() or not state.recording:
        return 0
    at = time.time() if now is None else now
    buffer.add([{**e, "at": at, "visitor": state.visitor, "visit": state.visit} for e in events])
    return len(events)


def conversion(state: consent.State, kind: str, *, subject: str = "", campaign: str = "",
               now: float | None = None) -> bool:
    """A conversion the store's view saw succeed (an enquiry, a booking, an order): buffered for a
    visitor who agreed, else nothing. Costs no database statement."""
    if kind not in (EventKind.ENQUIRY, EventKind.BOOKING, EventKind.ORDER):
        raise ValueError(kind)
    if not consent.enabled() or not state.recording:
        return False
    buffer.add([{"at": time.time() if now is None else now, "visitor": state.visitor, "visit": state.visit,
                 "kind": kind, "page": "", "subject": subject[:120], "path": "", "referrer": "", "source": "",
                 "medium": "", "campaign": campaign[:64]}])
    return True


def consent_given(state: consent.State, *, now: float | None = None) -> None:
    """The record of a yes (the notice's version and purposes, with the visitor's id)."""
    buffer.add([{"at": time.time() if now is None else now, "visitor": state.visitor, "visit": state.visit,
                 "kind": EventKind.CONSENT, "page": "", "subject": consent.VERSION, "path": "", "referrer": "",
                 "source": "", "medium": "", "campaign": ""}])


def forget_visitor(visitor: str) -> int:
    """The visitor withdrew: their stored events go (the rollups keep only counts)."""
    from autodcc.analytics.models import Event

    if not consent.ID.match(visitor or ""):
        return 0
    buffer.flush()  # what is still buffered goes in first, so it is deleted too
    deleted, _ = Event.objects.filter(visitor=visitor).delete()
    return deleted
