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
from autodcc.customers.models import Customer, Vehicle


def _date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def _many(v: Any) -> list[Any]:
    return v if isinstance(v, list) else [v]


def _yes(v: Any) -> bool:
    return v is True or str(v).lower() in {"1", "true", "yes"}


# criterion → (the model it reads: "customer", "lead" or "vehicle"; how a JSON value becomes a Q)
FILTERS: dict[str, tuple[str, Callable[[Any], Q]]] = {
    # profile
    "kind": ("customer", lambda v: Q(kind__in=_many(v))),
    "gender": ("customer", lambda v: Q(gender__in=_many(v))),
    "age_band": ("customer", lambda v: Q(age_band__in=_many(v))),
    "family": ("customer", lambda v: Q(family__in=_many(v))),
    "occupation": ("customer", lambda v: Q(occupation__icontains=v)),
    "hobbies": ("customer", lambda v: Q(hobbies__icontains=v)),
    "current_car": ("customer", lambda v: Q(current_car__icontains=v)),
    "budget_at_least": ("customer", lambda v: Q(budget_max__gte=int(v))),
    "budget_at_most": ("customer", lambda v: Q(budget_min__lte=int(v))),
    "city": ("customer", lambda v: Q(city__adcode=v)),
    # leads: all lead criteria must hold for one and the same lead the actor may see
    "lead_channel": ("lead", lambda v: Q(channel__in=_many(v))),
    "lead_grade": ("lead", lambda v: Q(grade__in=_many(v))),
    "lead_status": ("lead", lambda v: Q(status__in=_many(v))),
    "lead_model": ("lead", lambda v: Q(model_interest__icontains=v)),
    "lead_campaign": ("lead", lambda v: Q(campaign__name__icontains=v) | Q(campaign__code__iexact=v)),
    "lead_dealer": ("lead", lambda v: Q(dealer_id=int(v))),
    "lead_created_from": ("lead", lambda v: Q(created_at__date__gte=_date(v))),
    "lead_created_to": ("lead", lambda v: Q(created_at__date__lte=_date(v))),
    "lead_consultant": ("lead", lambda v: Q(consultant_id=int(v))),
    "lead_test_driven": ("lead", lambda v: Q(test_driven_at__isnull=not _yes(v))),
    "lead_purchase_from": ("lead", lambda v: Q(expected_purchase_on__gte=_date(v))),
    "lead_purchase_to": ("lead", lambda v: Q(expected_purchase_on__lte=_date(v))),
    "lead_visit_from": ("lead", lambda v: Q(expected_visit_on__gte=_date(v))),
    "lead_visit_to": ("lead", lambda v: Q(expected_visit_on__lte=_date(v))),
    "lead_follow_up_by": ("lead", lambda v: Q(next_follow_up_on__lte=_date(v))),
    # vehicles: likewise one and the same vehicle of the actor's dealers
    "vehicle_model": ("vehicle", lambda v: Q(model_name__icontains=v)),
    "purchased_from": ("vehicle", lambda v: Q(purchase_date__gte=_date(v))),
    "purchased_to": ("vehicle", lambda v: Q(purchase_date__lte=_date(v))),
    "vehicle_plate": ("vehicle", lambda v: Q(plate__icontains=str(v).replace(" ", "").upper())),
    "mileage_at_least": ("vehicle", lambda v: Q(mileage_km__gte=int(v))),
    "service_due_by": ("vehicle", lambda v: Q(care__next_due_on__lte=_date(v))),
    "has_vehicle": ("vehicle", lambda v: Q()),
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
    """The visible customers matching every criterion (AND). Lead criteria read only the leads
    the actor may see, and must all hold for one lead; vehicle criteria likewise for one vehicle."""
    from autodcc.leads.models import Lead

    qs = Customer.objects.visible_to(actor)
    parts: dict[str, Q] = {"customer": Q(), "lead": Q(), "vehicle": Q()}
    used: set[str] = set()
    for key, value in clean(criteria).items():
        target, build = FILTERS[key]
        if key == "has_vehicle" and not value:
            qs = qs.exclude(pk__in=Vehicle.objects.visible_to(actor).values("customer_id"))
            continue
        parts[target] &= build(value)
        used.add(target)
    qs = qs.filter(parts["customer"])
    if "lead" in used:
        qs = qs.filter(pk__in=Lead.objects.visible_to(actor).filter(parts["lead"]).values("customer_id"))
    if "vehicle" in used:
        qs = qs.filter(pk__in=Vehicle.objects.visible_to(actor).filter(parts["vehicle"]).values("customer_id"))
    return qs.order_by("-created_at", "-id")
