"""Domain errors and the one catalogue of their user-facing messages.

Services raise ``DomainError(code, field=..., **params)``. The message for a code is looked up in
the catalogue below (apps add theirs with :func:`register`), translated at display time, and the
faces map the error in one place each: forms through :func:`add_to_form`, the API through its
exception handler, plain views through :func:`response_status`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

_CATALOGUE: dict[str, Promise] = {}


def register(messages: Mapping[str, Promise]) -> None:
    for code, message in messages.items():
        if code in _CATALOGUE and _CATALOGUE[code] != message:
            raise ValueError(f"error code {code!r} registered twice with different messages")
        _CATALOGUE[code] = message


def message_for(code: str, params: Mapping[str, Any] | None = None) -> str:
    template = _CATALOGUE.get(code)
    if template is None:
        raise KeyError(f"no message registered for error code {code!r}")
    text = str(template)
    return text % dict(params) if params else text


class DomainError(Exception):
    """A business rule refused the operation. ``status`` is the HTTP status faces use."""

    status = 400

    def __init__(self, code: str, *, field: str | None = None, **params: Any) -> None:
        if code not in _CATALOGUE:
            raise KeyError(f"no message registered for error code {code!r}")
        self.code = code
        self.field = field
        self.params = params
        super().__init__(code)

    @property
    def message(self) -> str:
        return message_for(self.code, self.params)

    def __str__(self) -> str:
        return self.message

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "field": self.field, "message": self.message}


class NotFound(DomainError):
    status = 404


class Forbidden(DomainError):
    status = 403


class Conflict(DomainError):
    status = 409


class Invalid(DomainError):
    """Several field errors at once (a form or a spreadsheet row)."""

    def __init__(self, errors: list[DomainError]) -> None:
        self.errors = errors
        first = errors[0]
        super().__init__(first.code, field=first.field, **first.params)

    def as_dict(self) -> dict[str, Any]:
        return {"code": "invalid", "errors": [e.as_dict() for e in self.errors]}


def add_to_form(form: Any, exc: DomainError) -> None:
    """Show a domain error on a Django form, on its field when the form has it."""
    errors = exc.errors if isinstance(exc, Invalid) else [exc]
    for error in errors:
        field = error.field if error.field in getattr(form, "fields", {}) else None
        form.add_error(field, error.message)


register(
    {
        "not_found": _("Not found."),
        "forbidden": _("You do not have permission to do this."),
        "required": _("%(label)s is required."),
        "phone.invalid": _("“%(value)s” is not a valid mainland China phone number."),
        "phone.not_mobile": _("“%(value)s” is not a mainland China mobile number (11 digits starting with 1)."),
        "city.unknown": _("Unknown city “%(value)s”: use a city name or its 6-digit administrative code."),
        "transition.illegal": _("Cannot change %(object)s from “%(source)s” to “%(target)s”."),
        "stale": _("This record was changed by someone else meanwhile; reload and try again."),
        "text.too_long": _("%(label)s is too long: %(length)s characters, at most %(limit)s."),
        "text.control_characters": _("%(label)s contains invisible control characters; remove them."),
    }
)
