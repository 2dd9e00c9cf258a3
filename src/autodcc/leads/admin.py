from django.contrib import admin

from autodcc.core.admin import ViewOnly
from autodcc.leads.models import Appointment, Contact, DealerLeadSettings, DefeatRequest, Lead


class ContactInline(ViewOnly, admin.TabularInline):
    model = Contact
    extra = 0


@admin.register(Lead)
class LeadAdmin(ViewOnly, admin.ModelAdmin):
    list_display = ("id", "customer", "dealer", "channel", "status", "grade", "agent", "consultant", "created_at")
    list_filter = ("status", "channel", "grade")
    search_fields = ("customer__name", "source_ref")
    raw_id_fields = ("customer",)
    inlines = [ContactInline]


@admin.register(Appointment)
class AppointmentAdmin(ViewOnly, admin.ModelAdmin):
    list_display = ("lead", "scheduled_at", "status", "confirm_on")


@admin.register(DefeatRequest)
class DefeatRequestAdmin(ViewOnly, admin.ModelAdmin):
    list_display = ("lead", "kind", "reason", "status", "requested_at")


@admin.register(DealerLeadSettings)
class DealerLeadSettingsAdmin(ViewOnly, admin.ModelAdmin):
    list_display = ("dealer", "sla_minutes")
