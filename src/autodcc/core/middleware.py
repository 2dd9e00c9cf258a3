from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.functional import SimpleLazyObject
from django.utils.module_loading import import_string

from autodcc.core.actors import ANONYMOUS, Actor


def _resolver() -> Callable[..., Actor]:
    return import_string(getattr(settings, "AUTODCC_ACTOR_RESOLVER", "autodcc.network.actors.actor_for_user"))


class ActorMiddleware:
    """Puts ``request.actor`` on every request, resolved lazily from the logged-in user."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.resolve = _resolver()

    def __call__(self, request: HttpRequest) -> HttpResponse:
        def actor() -> Actor:
            user = getattr(request, "user", None)
            if user is None or not user.is_authenticated:
                return ANONYMOUS
            return self.resolve(user)

        request.actor = SimpleLazyObject(actor)  # type: ignore[attr-defined]
        return self.get_response(request)
