"""The slower, per-name limit beside django-axes' lockout of a (name, address) pair.

Axes locks a name at one address after ``AXES_FAILURE_LIMIT`` failures, so one person mistyping
never locks out colleagues behind the same proxy. A name attacked from many addresses is locked
everywhere once its failures across all addresses in the cool-off period reach
``AXES_USERNAME_FAILURE_LIMIT``."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest
from django.utils import timezone


class UsernameLimitBackend:
    """Authenticates no one: refuses a name over its limit before the real backends try it."""

    def authenticate(self, request: HttpRequest | None, username: str | None = None, **kwargs: Any) -> None:
        if request is None or not username:
            return None
        from axes.exceptions import AxesBackendPermissionDenied
        from axes.models import AccessAttempt

        since = timezone.now() - timezone.timedelta(hours=settings.AXES_COOLOFF_TIME)
        failures = (AccessAttempt.objects.filter(username=username, attempt_time__gte=since)
                    .aggregate(n=Sum("failures_since_start"))["n"] or 0)
        if failures >= settings.AXES_USERNAME_FAILURE_LIMIT:
            request.axes_locked_out = True  # type: ignore[attr-defined]
            raise AxesBackendPermissionDenied("this name has failed too often from several addresses")
        return None

    def get_user(self, user_id: int) -> None:
        return None
