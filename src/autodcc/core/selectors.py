from __future__ import annotations

from django.db.models import Model, QuerySet

from autodcc.core.models import AuditLog


def history_of(obj: Model, *, limit: int = 50) -> QuerySet[AuditLog]:
    """The audit rows of one object; the caller has already checked the actor may see it."""
    return AuditLog.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))[:limit]
