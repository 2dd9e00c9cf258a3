"""The JSON API (django-ninja). OpenAPI at /api/openapi.json, docs at /api/docs.

Every error, whatever raised it, is answered in one shape (``api.errors``) in the caller's
language; nothing a client sends makes it answer 5xx."""

from __future__ import annotations

from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError

from autodcc.api import errors, feedback, leads, network
from autodcc.api.limits import THROTTLES
from autodcc.core.errors import DomainError

api = NinjaAPI(title="autodcc API", version="1", urls_namespace="api", throttle=THROTTLES)


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return api.create_response(request, errors.from_domain(exc), status=exc.status)


@api.exception_handler(ValidationError)
def schema_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return api.create_response(request, errors.from_schema(exc.errors), status=400)


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, errors.body("not_found", _("Not found.")), status=404)


@api.exception_handler(AuthenticationError)
def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(request, errors.body("unauthenticated", _("Log in or send a valid API key.")),
                               status=401)


@api.exception_handler(RequestDataTooBig)
def too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    return api.create_response(request, errors.body("too_large", _("The request body is too large.")), status=413)


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    """What django-ninja refuses itself: a body that is not JSON (400), a forbidden method…"""
    if exc.status_code == 400:
        message = _("The body is not valid JSON.")
        return api.create_response(request, errors.body("invalid", message, errors=[
            {"code": "json_invalid", "field": None, "message": message}]), status=400)
    return api.create_response(request, errors.body(f"http_{exc.status_code}", str(exc.message)),
                               status=exc.status_code)


@api.exception_handler(Throttled)
def throttled(request: HttpRequest, exc: Throttled) -> HttpResponse:
    response = api.create_response(request, errors.body("too_many", _("Too many requests; try again in %(seconds)s "
                                                                       "seconds.") % {"seconds": exc.wait or 1}),
                                   status=429)
    response["Retry-After"] = str(int(exc.wait or 1))
    return response


@api.get("/health", auth=None, tags=["system"])
def health(request: HttpRequest) -> dict[str, str]:
    return {"status": "ok"}


api.add_router("/", network.router)
api.add_router("/", leads.router)
api.add_router("/", feedback.router)
