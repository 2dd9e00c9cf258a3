"""Absolute links for messages (an SMS carries the whole address): ``SITE_URL`` + the route."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse


def absolute(name: str, *args: Any) -> str:
    return settings.SITE_URL.rstrip("/") + reverse(name, args=args)
