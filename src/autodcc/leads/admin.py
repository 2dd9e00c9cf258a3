from django.contrib import admin

from autodcc.leads.models import Appointment, Contact, DealerLeadSettings, DefeatRequest, Lead


class ContactInline(admin.TabularInline):
    model = Contact
    extra = 0


@admin.register(Lead)
class LeadAdmin(admin.ModelAdmin):
    list_display = ("id", "customer", "dealer", "channel", "status", "grade", "agent", "consultant", "created_at")
    list_filter = ("status", "channel", "grade")
    search_fields = ("customer__name", "source_ref")
    raw_id_fields = ("customer",)
    inlines = [ContactInline]


@admin.register(Appointment)
class AppointmentAdmin(admin.ModelAdmin):
    list_display = ("lead", "scheduled_at", "status", "confirm_on")


@admin.register(DefeatRequest)
class DefeatRequestAdmin(admin.ModelAdmin):
    list_display = ("lead", "kind", "reason", "status", "requested_at")


@admin.register(DealerLeadSettings)
class DealerLeadSettingsAdmin(admin.ModelAdmin):
    list_display = ("dealer", "sla_minutes")
