"""Campaign codes as captures carry them (links' ``c=`` and ``utm_campaign``, the API, imports,
staff entry): which campaign a code names for a lead at a given dealer. Read from a per-process
table (one query a minute at most), so capturing a lead costs no statement for it."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from autodcc.core import memo

CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{1,23}$")
MEMO_KEY, MEMO_SECONDS = "campaign-codes", 60


@dataclass(frozen=True)
class Ref:
    id: int
    dealer_id: int | None
    region_id: int | None


def normal(code: str) -> str:
    return (code or "").strip().upper()


def clean(text: str) -> str:
    """What a capture keeps of the campaign it was sent: a code in capitals (so every spelling of
    one code counts together), anything else as written."""
    text = (text or "").strip()
    return text.upper() if CODE.match(text) else text


LINK_PARAMS = ("c", "utm_campaign")  # a short code, or the campaign of a tagged link


def from_link(params: Mapping[str, str]) -> str:
    """The campaign code a link carries (``?c=`` first, then ``utm_campaign``), cleaned; '' for none
    or for text that is not a code."""
    for name in LINK_PARAMS:
        value = clean(params.get(name, "") or "")
        if value and CODE.match(value):
            return value
    return ""


def _table() -> dict[str, Ref]:
    from autodcc.campaigns.models import Campaign

    return {normal(code): Ref(pk, dealer_id, region_id)
            for pk, code, dealer_id, region_id in Campaign.objects.values_list("pk", "code", "dealer_id", "region_id")}


def table() -> dict[str, Ref]:
    return memo.remember(MEMO_KEY, MEMO_SECONDS, _table)


def forget() -> None:
    memo.forget(MEMO_KEY)


def resolve(code: str, *, dealer_id: int, region_id: int | None) -> int | None:
    """The campaign ``code`` names for a lead at this dealer: the brand's, the dealer's region's or
    the dealer's own. Another dealer's (or region's) code, or an unknown one, names none: the lead
    is captured all the same and the code as sent stays on its capture."""
    ref = table().get(normal(code)) if code else None
    if ref is None:
        return None
    if ref.dealer_id is not None:
        return ref.id if ref.dealer_id == dealer_id else None
    if ref.region_id is not None:
        return ref.id if ref.region_id == region_id else None
    return ref.id
