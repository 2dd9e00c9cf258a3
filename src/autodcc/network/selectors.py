"""Reads of the dealer network, always through the actor's scope."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet

from autodcc.core import audit
from autodcc.core.actors import Actor
from autodcc.core.models import AuditLog
from autodcc.network.models import Dealer, Region, RoleGrant, Staff


def dealer_list(*, actor: Actor, filters: dict[str, Any] | None = None) -> QuerySet[Dealer]:
    f = filters or {}
    qs = Dealer.objects.visible_to(actor).select_related("region", "city", "city__province")
    if f.get("q"):
        q = f["q"].strip()
        qs = qs.filter(Q(code__icontains=q) | Q(name__icontains=q) | Q(short_name__icontains=q) | Q(address__icontains=q))
    if f.get("region"):
        qs = qs.filter(region=f["region"])
    if f.get("province"):
        qs = qs.filter(city__province=f["province"])
    if f.get("city"):
        qs = qs.filter(city=f["city"])
    if f.get("is_key") in (True, False):
        qs = qs.filter(is_key=f["is_key"])
    if f.get("is_active") in (True, False):
        qs = qs.filter(is_active=f["is_active"])
    return qs.order_by("code")


def staff_list(*, actor: Actor, filters: dict[str, Any] | None = None) -> QuerySet[Staff]:
    f = filters or {}
    grants = RoleGrant.objects.select_related("dealer", "region").order_by("role")
    qs = Staff.objects.visible_to(actor).select_related("user").prefetch_related(Prefetch("grants", queryset=grants))
    if f.get("q"):
        q = f["q"].strip()
        qs = qs.filter(Q(name__icontains=q) | Q(user__username__icontains=q) | Q(employee_no__icontains=q))
    if f.get("role"):
        qs = qs.filter(grants__role=f["role"])
    if f.get("dealer"):
        qs = qs.filter(grants__dealer=f["dealer"])
    if f.get("on_duty") in (True, False):
        qs = qs.filter(on_duty=f["on_duty"])
    return qs.distinct().order_by("name", "id")


def region_list(*, actor: Actor) -> QuerySet[Region]:
    qs = Region.objects.annotate(
        dealer_count=Count("dealers", distinct=True),
        active_count=Count("dealers", filter=Q(dealers__is_active=True), distinct=True),
        key_count=Count("dealers", filter=Q(dealers__is_key=True), distinct=True),
    )
    if not actor.is_hq:
        qs = qs.filter(pk__in=sorted(actor.region_ids))
    return qs.order_by("code")


def staff_dealers(staff: Staff) -> list[Dealer]:
    return [g.dealer for g in staff.grants.all() if g.dealer_id]


def audit_list(*, actor: Actor, filters: dict[str, Any] | None = None) -> QuerySet[AuditLog]:
    """HQ reads the whole trail; a region or a dealer reads the rows of its dealers."""
    f = filters or {}
    qs = AuditLog.objects.all()
    if not actor.is_hq:
        qs = qs.filter(dealer_id__in=Dealer.objects.visible_to(actor).values("pk"))
    if audit.DEALER_ONLY_TYPES:  # the dealer's own deal figures stay with the dealer's staff
        qs = qs.exclude(Q(object_type__in=sorted(audit.DEALER_ONLY_TYPES)) & ~Q(dealer_id__in=sorted(actor.dealer_ids)))
    if f.get("action"):
        qs = qs.filter(action__startswith=f["action"])
    if f.get("dealer"):
        qs = qs.filter(dealer_id=f["dealer"].pk)
    if f.get("q"):
        qs = qs.filter(Q(actor_label__icontains=f["q"]) | Q(object_repr__icontains=f["q"]))
    return qs.order_by("-created_at", "-id")
