from django.contrib import admin

from autodcc.core.admin import ViewOnly
from autodcc.messaging.models import Message, MessageTemplate, OptOut


@admin.register(MessageTemplate)
class MessageTemplateAdmin(ViewOnly, admin.ModelAdmin):
    list_display = ("event", "channel", "is_active", "updated_at")
    list_filter = ("channel", "is_active")


@admin.register(Message)
class MessageAdmin(ViewOnly, admin.ModelAdmin):
    list_display = ("created_at", "event", "channel", "status", "attempts", "dealer")
    list_filter = ("status", "channel", "event")
    readonly_fields = [f.name for f in Message._meta.fields]


@admin.register(OptOut)
class OptOutAdmin(ViewOnly, admin.ModelAdmin):
    list_display = ("phone", "scope", "source", "created_at")
