from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from autodcc.console.navigation import entries_for, menu_for


def console(request: HttpRequest) -> dict[str, Any]:
    actor = getattr(request, "actor", None)
    if actor is None or not request.path.startswith("/console/") or not actor.is_staff:
        return {}
    return {"nav_menu": menu_for(actor), "nav_entries": entries_for(actor), "actor": actor}
