"""Tenancy by construction: dealer-owned rows are reached through ``visible_to(actor)``.

A model opts in by using :class:`TenantQuerySet` as its manager and naming the path to its dealer
in ``TENANT_DEALER_FIELD`` (``"dealer"``, ``"lead__dealer"``; ``""`` for the Dealer model itself).
A row outside the actor's scope is simply absent, so views built on :func:`get_for_actor` answer
404, never 403, and never reveal that the row exists.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import models
from django.db.models import Q
from django.http import Http404

from autodcc.core.actors import Actor

M = TypeVar("M", bound=models.Model)


def dealer_scope_q(actor: Actor, dealer_field: str) -> Q:
    """The filter that keeps rows of the dealers ``actor`` may see (all for HQ)."""
    if actor.is_hq:
        return Q()
    prefix = f"{dealer_field}__" if dealer_field else ""
    pk = f"{dealer_field}_id" if dealer_field else "pk"
    q = Q(pk__in=[])  # matches nothing: consumers and anonymous see no dealer data
    if actor.dealer_ids:
        q |= Q(**{f"{pk}__in": sorted(actor.dealer_ids)})
    if actor.region_ids:
        q |= Q(**{f"{prefix}region_id__in": sorted(actor.region_ids)})
    return q


class TenantQuerySet(models.QuerySet):
    def visible_to(self, actor: Actor) -> TenantQuerySet:
        field = getattr(self.model, "TENANT_DEALER_FIELD", None)
        if field is None:
            raise TypeError(f"{self.model.__name__} has no TENANT_DEALER_FIELD")
        return self.filter(dealer_scope_q(actor, field))


def get_for_actor(queryset: models.QuerySet[M] | type[M], actor: Actor, **lookup: Any) -> M:
    """One row the actor may see, or 404 (also when it exists at another dealer)."""
    qs = queryset._default_manager.all() if isinstance(queryset, type) else queryset
    try:
        return qs.visible_to(actor).get(**lookup)  # type: ignore[attr-defined]
    except qs.model.DoesNotExist:
        raise Http404 from None


def one(queryset: models.QuerySet[M]) -> M | None:
    """The row of a lookup by a unique key, or None — without ``first()``'s ORDER BY on the
    primary key, which can lead PostgreSQL to walk the table in key order on big tables."""
    rows = list(queryset.order_by()[:1])
    return rows[0] if rows else None
