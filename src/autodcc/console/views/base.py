"""What every console view shares: staff-only access, capability checks, lists with filters,
domain errors shown on forms."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from autodcc.core.actors import Actor
from autodcc.core.errors import DomainError, Forbidden, NotFound, add_to_form

PAGE_SIZE = 25


def staff_view(capability: str | None = None) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Login required; the user must be staff and, when given, hold ``capability`` somewhere.
    Object-level scope is the view's job (``get_for_actor`` → 404)."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            actor: Actor = request.actor  # type: ignore[attr-defined]
            if not actor.is_staff or (capability and not actor.can(capability)):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorate


def paginate(request: HttpRequest, queryset: QuerySet) -> Any:
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def render_list(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    """Full page normally; only the results partial when htmx refreshes the list."""
    if getattr(request, "htmx", False) and not request.htmx.boosted:  # type: ignore[attr-defined]
        return render(request, f"{template}#results", context)
    return render(request, template, context)


def shows_dealer(actor: Actor) -> bool:
    """Whether lists name each row's dealer: for people who see more than one dealer."""
    return actor.is_hq or bool(actor.region_ids) or len(actor.dealer_ids) > 1


def is_htmx(request: HttpRequest) -> bool:
    """An htmx request that swaps part of the page (not a boosted navigation)."""
    return bool(getattr(request, "htmx", False)) and not request.htmx.boosted  # type: ignore[attr-defined]


def run_service(form: forms.Form, service: Callable[[], Any]) -> Any:
    """Run a service for a form: its result; a refusal lands on ``form`` and gives None;
    not-found is a 404, forbidden a 403."""
    try:
        return service()
    except NotFound:
        raise Http404 from None
    except Forbidden:
        raise PermissionDenied from None
    except DomainError as exc:
        add_to_form(form, exc)
        return None


def querystring_without_page(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()
