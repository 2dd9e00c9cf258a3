from __future__ import annotations

from django.db.models import Q, QuerySet

from autodcc.core import phone as phones
from autodcc.core.actors import Actor
from autodcc.core.errors import DomainError
from autodcc.customers.models import Customer


def customer_search(*, actor: Actor, q: str) -> QuerySet[Customer]:
    """By name, mobile (full number or its last four digits), plate or VIN (full or last six)."""
    qs = Customer.objects.visible_to(actor)
    text = (q or "").strip()
    if not text:
        return qs.order_by("-created_at")[:0]
    compact = text.upper().replace(" ", "").replace("-", "").replace("·", "")
    match = Q(name__icontains=text) | Q(vehicles__plate__icontains=compact)
    digits = "".join(ch for ch in text if ch.isdigit())
    if len(digits) >= 11:
        try:
            match |= Q(phone=phones.normalize_mobile(text))
        except DomainError:
            pass
    elif len(digits) == 4 and digits == compact:
        match |= Q(phone__endswith=digits)
    if len(compact) == 17:
        match |= Q(vehicles__vin=compact)
    elif len(compact) >= 6 and compact.isalnum():
        match |= Q(vehicles__vin__endswith=compact)
    return qs.filter(match).distinct().order_by("-created_at")
