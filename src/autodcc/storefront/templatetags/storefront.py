"""Filters for the store's templates: money, pictures, query strings."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlencode

from django import template
from django.urls import reverse

register = template.Library()


def _decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return None


@register.filter
def money(value: Any) -> str:
    """``Decimal("2952.4")`` → ``2,952.40``: exact amounts, always two decimals."""
    number = _decimal(value)
    return "" if number is None else f"{number:,.2f}"


@register.filter
def yuan(value: Any) -> str:
    """A price: ``219900`` → ``219,900``; keeps the fen only when there are any."""
    number = _decimal(value)
    if number is None:
        return ""
    return f"{number:,.0f}" if number == number.to_integral_value() else f"{number:,.2f}"


@register.filter
def picture(file: Any) -> str:
    """The store's address of a catalogue picture (an ImageField's file), or ''."""
    name = getattr(file, "name", "") or ""
    return reverse("store:picture", args=[name]) if name else ""


@register.simple_tag
def query(base: dict[str, Any] | None = None, **changes: Any) -> str:
    """``?a=1&b=2`` from ``base`` with ``changes`` applied (a None or '' value drops the key)."""
    params: dict[str, Any] = dict(base or {})
    params.update(changes)
    clean = [(k, v) for k, v in params.items() if v not in (None, "")]
    return "?" + urlencode(clean, doseq=True) if clean else "?"


@register.inclusion_tag("storefront/_analytics.html", takes_context=True)
def analytics_box(context: Any) -> dict[str, Any]:
    """The analytics consent banner (until the visitor chooses) and the beacon script, when the
    store's analytics are on. Reads the visitor's cookies only: no query, no session."""
    from autodcc.analytics import consent

    request = context.get("request")
    if request is None or not consent.enabled():
        return {"enabled": False}
    state = consent.read(request.COOKIES)
    on_choice_page = getattr(request.resolver_match, "url_name", "") == "analytics_consent"
    return {"enabled": True, "choice": state.choice or ("-" if on_choice_page else ""), "request": request,
            "csrf_token": context.get("csrf_token"), "csp_nonce": context.get("csp_nonce")}
