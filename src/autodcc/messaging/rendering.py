"""Template text: ``{variable}`` placeholders, ``{{``/``}}`` for literal braces, nothing else.

Messages go to consumers and staff in the brand's language (``LANGUAGE_CODE``), whatever language
the person whose action sent them uses: values are turned into text under that language, so lazy
translations and datetimes (shown as month, day and time) read the same as the template."""

from __future__ import annotations

import datetime as dt
import string
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext

from autodcc.core.errors import DomainError
from autodcc.messaging.models import EVENT_VARIABLES

_FORMATTER = string.Formatter()


def placeholders(body: str) -> list[str]:
    try:
        parsed = list(_FORMATTER.parse(body))
    except ValueError:
        raise DomainError("template.bad_syntax", field="body", value=body[:30]) from None
    names: list[str] = []
    for _literal, name, spec, conversion in parsed:
        if name is None:
            continue
        if not name.isidentifier() or spec or conversion:
            raise DomainError("template.bad_syntax", field="body", value="{" + name + "}")
        names.append(name)
    return names


def check(event: str, body: str) -> None:
    allowed = EVENT_VARIABLES.get(event, ())
    for name in placeholders(body):
        if name not in allowed:
            raise DomainError("template.unknown_variable", field="body", value=name, event=event,
                              allowed=", ".join("{" + a + "}" for a in allowed))


def text(value: Any) -> str:
    """``value`` as message text; call it under :func:`message_language`."""
    if isinstance(value, dt.datetime):
        local = timezone.localtime(value) if timezone.is_aware(value) else value
        return gettext("{month}/{day} {time}").format(month=f"{local:%m}", day=f"{local:%d}", time=f"{local:%H:%M}")
    return str(value)


def message_language() -> translation.override:
    return translation.override(settings.LANGUAGE_CODE)


def render(body: str, values: Mapping[str, Any]) -> str:
    for name in placeholders(body):
        if name not in values or values[name] is None:
            raise DomainError("template.missing_variable", value=name)
    with message_language():
        return body.format_map({k: text(v) for k, v in values.items()})
