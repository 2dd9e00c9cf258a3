"""Template text: ``{variable}`` placeholders, ``{{``/``}}`` for literal braces, nothing else."""

from __future__ import annotations

import string
from collections.abc import Mapping
from typing import Any

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


def render(body: str, values: Mapping[str, Any]) -> str:
    for name in placeholders(body):
        if name not in values or values[name] is None:
            raise DomainError("template.missing_variable", value=name)
    return body.format_map({k: str(v) for k, v in values.items()})
