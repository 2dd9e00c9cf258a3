"""Criteria extraction (广泛应用提取, LEAD-14): customers by any profile, lead or vehicle fields.

Criteria are plain JSON (saved with a customer group) so they can be re-run later by campaigns.
Each criterion maps to one filter; unknown keys are refused, empty values ignored.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db.models import Q, QuerySet

from autodcc.core.actors import Actor
from autodcc.customers.models import Customer


def _date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


# criterion → (how to turn a JSON value into a Q on Customer)
FILTERS: dict[str, Callable[[Any], Q]] = {
    # profile
    "kind": lambda v: Q(kind__in=v if isinstance(v, list) else [v]),
    "age_band": lambda v: Q(age_band__in=v if isinstance(v, list) else [v]),
    "family": lambda v: Q(family__in=v if isinstance(v, list) else [v]),
    "occupation": lambda v: Q(occupation__icontains=v),
    "hobbies": lambda v: Q(hobbies__icontains=v),
    "current_car": lambda v: Q(current_car__icontains=v),
    "budget_at_least": lambda v: Q(budget_max__gte=int(v)),
    "budget_at_most": lambda v: Q(budget_min__lte=int(v)),
    "city": lambda v: Q(city__adcode=v),
    # leads
    "lead_channel": lambda v: Q(leads__channel__in=v if isinstance(v, list) else [v]),
    "lead_grade": lambda v: Q(leads__grade__in=v if isinstance(v, list) else [v]),
    "lead_status": lambda v: Q(leads__status__in=v if isinstance(v, list) else [v]),
    "lead_model": lambda v: Q(leads__model_interest__icontains=v),
    "lead_campaign": lambda v: Q(leads__campaign__icontains=v),
    "lead_dealer": lambda v: Q(leads__dealer_id=int(v)),
    "lead_created_from": lambda v: Q(leads__created_at__date__gte=_date(v)),
    "lead_created_to": lambda v: Q(leads__created_at__date__lte=_date(v)),
    # vehicles
    "vehicle_model": lambda v: Q(vehicles__model_name__icontains=v),
    "purchased_from": lambda v: Q(vehicles__purchase_date__gte=_date(v)),
    "purchased_to": lambda v: Q(vehicles__purchase_date__lte=_date(v)),
    "has_vehicle": lambda v: Q(vehicles__isnull=not bool(v)),
}


def clean(criteria: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in criteria.items():
        if key not in FILTERS:
            raise KeyError(f"unknown criterion {key!r}")
        if value in (None, "", []):
            continue
        if isinstance(value, dt.date):
            value = value.isoformat()
        out[key] = value
    return out


def extract(*, actor: Actor, criteria: dict[str, Any]) -> QuerySet[Customer]:
    """The visible customers matching every criterion (AND)."""
    qs = Customer.objects.visible_to(actor)
    for key, value in clean(criteria).items():
        qs = qs.filter(FILTERS[key](value))
    return qs.distinct().order_by("-created_at", "-id")
