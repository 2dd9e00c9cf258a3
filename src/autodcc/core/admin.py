from typing import Any

from django.contrib import admin

from autodcc.core.models import AuditLog, ImportJob, OutboxEvent


class ViewOnly:
    """An admin page to look at rows, never to change them: business data changes through the
    console's services, which check who may and record who did (NET-4); an edit here would leave
    no trace in the audit trail."""

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(AuditLog)
class AuditLogAdmin(ViewOnly, admin.ModelAdmin):
    list_display = ("created_at", "actor_label", "action", "object_type", "object_id", "dealer_id")
    list_filter = ("action", "object_type")
    search_fields = ("actor_label", "object_repr", "object_id")


@admin.register(OutboxEvent)
class OutboxEventAdmin(admin.ModelAdmin):
    list_display = ("id", "topic", "status", "attempts", "next_attempt_at", "created_at")
    list_filter = ("status", "topic")
    readonly_fields = ("topic", "payload", "attempts", "max_attempts", "created_at", "done_at", "last_error")


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = ("created_at", "kind", "filename", "status", "total_rows", "created_count", "updated_count")
    list_filter = ("kind", "status")
