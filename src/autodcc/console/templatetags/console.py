from __future__ import annotations

from typing import Any

from django import template

from autodcc.core import phone

register = template.Library()


@register.filter
def can(actor: Any, capability: str) -> bool:
    """``{% if actor|can:"network.create_dealer" %}``: the capability anywhere in scope."""
    return bool(actor) and actor.can(capability)


@register.filter
def masked(e164: str) -> str:
    return phone.mask(e164) if e164 else ""


@register.filter
def audit_value(value: Any) -> str:
    """An audit value for display: phone numbers masked, nothing shown as an em dash."""
    if value is None or value == "":
        return "—"
    text = str(value)
    if text.startswith("+86") and text[1:].isdigit():
        return phone.mask(text)
    return text
