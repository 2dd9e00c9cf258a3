from __future__ import annotations

from typing import Any

from django import template

from autodcc.core import phone

register = template.Library()


@register.filter
def can(actor: Any, capability: str) -> bool:
    """``{% if actor|can:"network.create_dealer" %}``: the capability anywhere in scope."""
    return bool(actor) and actor.can(capability)


@register.simple_tag(takes_context=True)
def audit_changes(context: template.Context, entry: Any) -> list[Any]:
    """``{% audit_changes entry as changes %}``: label, before and after, ready to show; related
    rows' names are looked up once per page."""
    from autodcc.console import auditing

    return auditing.changes(entry, context.render_context.setdefault("audit_names", {}))


@register.filter
def audit_action(action: str) -> str:
    from autodcc.console import auditing

    return auditing.action_label(action)


@register.filter
def audit_actor(label: str) -> str:
    from autodcc.console import auditing

    return auditing.actor_display(label)


@register.filter
def masked(e164: str) -> str:
    return phone.mask(e164) if e164 else ""


@register.filter
def whole_minutes(delta: Any) -> int:
    """A ``timedelta`` in whole minutes, rounded up (a lockout's remaining wait)."""
    seconds = int(delta.total_seconds()) if delta is not None else 0
    return -(-seconds // 60)


@register.filter
def placeholders(body: str) -> Any:
    """A message template's text with each ``{variable}`` marked as such and explained on hover."""
    import re

    from django.utils.html import escape
    from django.utils.safestring import mark_safe

    from autodcc.messaging.models import VARIABLE_LABELS

    def mark(match: re.Match[str]) -> str:
        name = match.group(1)
        return f'<code title="{escape(str(VARIABLE_LABELS.get(name, "")))}">{{{name}}}</code>'

    return mark_safe(re.sub(r"\{(\w+)\}", mark, str(escape(body))))  # the text is escaped first
