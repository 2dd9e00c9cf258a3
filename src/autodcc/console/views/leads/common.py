"""What the lead pages share: labels, the actor's view of a lead, running a service from a form."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy

from autodcc.console.views.base import is_htmx, run_service, shows_dealer
from autodcc.core.tenancy import get_for_actor
from autodcc.leads.models import (
    MILESTONES,
    AppointmentStatus,
    Lead,
    Status,
)

MILESTONE_LABELS: dict[str, Any] = {
    "contacted": gettext_lazy("Contacted"),
    "invited": gettext_lazy("Invited"),
    "arrived": gettext_lazy("Arrived"),
    "presented": gettext_lazy("Presented"),
    "test_driven": gettext_lazy("Test-driven"),
    "negotiated": gettext_lazy("Negotiated"),
    "ordered": gettext_lazy("Ordered"),
    "delivered": gettext_lazy("Delivered"),
    "defeated": gettext_lazy("Defeated"),
}

STEP_LABELS: dict[str, Any] = {
    "presented": gettext_lazy("Presented the car"),
    "test_driven": gettext_lazy("Test drive done"),
    "negotiated": gettext_lazy("Negotiating"),
    "ordered": gettext_lazy("Ordered"),
    "delivered": gettext_lazy("Delivered"),
}

ACTIVE_APPOINTMENT = (AppointmentStatus.SCHEDULED, AppointmentStatus.CONFIRMED)
INVITABLE = (Status.NEW, Status.FOLLOWING, Status.INVITED, Status.ARRIVED, Status.NEGOTIATING)
ARRIVABLE = (Status.NEW, Status.FOLLOWING, Status.INVITED)
LEAD_RELATED = ("dealer", "customer", "customer__city", "agent", "consultant", "city",
                *(f"{m}_by" for m in MILESTONES))


# --- helpers ---------------------------------------------------------------------------------


_htmx = is_htmx


def _lead_for(request: HttpRequest, pk: int) -> Lead:
    """The lead if the actor may see it (a consultant: only the leads handed to them), else 404."""
    return get_for_actor(Lead.objects.select_related(*LEAD_RELATED), request.actor, pk=pk)


def _child_for(request: HttpRequest, queryset: QuerySet, pk: int) -> Any:
    """An appointment, defeat request or care task whose lead the actor may see, else 404."""
    visible = Lead.objects.visible_to(request.actor).values("pk")
    return get_for_actor(queryset.filter(lead__in=visible).select_related("lead__dealer"), request.actor, pk=pk)


_call = run_service


def _now() -> dt.datetime:
    return timezone.now()


_shows_dealer = shows_dealer




def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404 from None
