"""The API's one error shape, for schema and domain errors alike, in the caller's language:

    {"error": {"code": "...", "message": "...", "field": "..." | null,
               "errors": [{"code", "field", "message"}, ...]}}

with the HTTP status of the error (400 invalid input, 401, 403, 404, 413 body too large, 429 too
many requests). Every operation declares these answers in the OpenAPI document (``ERRORS``).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from ninja import Schema

from autodcc.core.errors import DomainError, Invalid


class FieldError(Schema):
    code: str
    field: str | None = None
    message: str


class ErrorBody(Schema):
    code: str
    message: str
    field: str | None = None
    errors: list[FieldError] | None = None


class ErrorOut(Schema):
    error: ErrorBody


ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 413: ErrorOut, 429: ErrorOut}


def with_errors(responses: dict[int, Any]) -> dict[int, Any]:
    """An operation's own answers and the error answers every operation may give."""
    return {**ERRORS, **responses}


def body(code: str, message: str, *, field: str | None = None,
         errors: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "field": field, "errors": errors}}


def from_domain(exc: DomainError) -> dict[str, Any]:
    if isinstance(exc, Invalid):
        errors = [e.as_dict() for e in exc.errors]
        return body("invalid", _("Some values are not valid; see each field."), errors=errors,
                    field=errors[0]["field"] if len(errors) == 1 else None)
    return body(exc.code, exc.message, field=exc.field)


def _field(loc: tuple[Any, ...] | list[Any]) -> str | None:
    """``("body", "payload", "name")`` → ``name``; a header or a query parameter by its own name."""
    parts = [str(p) for p in loc if p not in {"body", "payload", "query", "header", "path", "filters"}]
    return ".".join(parts) or None


def _schema_message(error: dict[str, Any], field: str | None) -> tuple[str, str]:
    kind = str(error.get("type", "invalid"))
    ctx = error.get("ctx") or {}
    # API callers send field names, so the message names the field as sent ("字段“name”为必填项")
    label = _("Field “%(name)s”") % {"name": field} if field else _("The request")
    if kind == "missing":
        return "required", _("%(label)s is required.") % {"label": label}
    if kind == "string_too_long":
        return "text.too_long", _("%(label)s is too long: at most %(limit)s characters.") % {
            "label": label, "limit": ctx.get("max_length")}
    if kind in {"greater_than_equal", "less_than_equal", "greater_than", "less_than"}:
        bound = next((ctx[k] for k in ("ge", "le", "gt", "lt") if k in ctx), "")
        return "out_of_range", _("%(label)s is out of range (limit %(bound)s).") % {"label": label, "bound": bound}
    if kind == "json_invalid":
        return "json_invalid", _("The body is not valid JSON.")
    if kind.startswith(("int_", "bool_", "date", "float_", "decimal_", "string_", "model_", "dict_", "list_")):
        return "type", _("%(label)s has a value of the wrong kind.") % {"label": label}
    return "invalid", _("%(label)s is not valid.") % {"label": label}


def from_schema(errors: list[dict[str, Any]]) -> dict[str, Any]:
    """Pydantic's errors, each with a code, its field and a message in the caller's language."""
    out = []
    for error in errors:
        field = _field(error.get("loc") or ())
        code, message = _schema_message(error, field)
        out.append({"code": code, "field": field, "message": message})
    return body("invalid", _("Some values are not valid; see each field."), errors=out,
                field=out[0]["field"] if len(out) == 1 else None)
