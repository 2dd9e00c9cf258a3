"""API authentication: a bearer API key (channel partners, dealers' systems) or a staff session."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer, django_auth

from autodcc.network.actors import actor_for_token
from autodcc.network.services import api_token_authenticate


class ApiKey(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        from autodcc.api import limits

        limits.refuse_guessing(request)  # too many wrong keys from this address lately: 429
        found = api_token_authenticate(token)
        if found is None:
            limits.count_failure(request)
            return None
        request.api_token = found  # type: ignore[attr-defined]
        request.actor = actor_for_token(found)  # type: ignore[attr-defined]
        return found


def staff_session(request: HttpRequest) -> Any:
    user = django_auth(request)
    if user and getattr(request, "actor", None) is not None and request.actor.is_staff:  # type: ignore[attr-defined]
        request.api_token = None  # type: ignore[attr-defined]
        return user
    return None


TOKEN_OR_SESSION = [ApiKey(), django_auth]
