from django.contrib import admin

from autodcc.core.admin import ViewOnly
from autodcc.customers.models import Consent, Customer, CustomerGroup, Vehicle


class ConsentInline(ViewOnly, admin.TabularInline):
    model = Consent
    extra = 0
    readonly_fields = ("version", "purposes", "share_with_dealer", "marketing", "channel", "given_at")


@admin.register(Customer)
class CustomerAdmin(ViewOnly, admin.ModelAdmin):
    list_display = ("name", "kind", "city", "created_at")
    search_fields = ("name", "phone")
    inlines = [ConsentInline]


@admin.register(Vehicle)
class VehicleAdmin(ViewOnly, admin.ModelAdmin):
    list_display = ("vin", "plate", "model_name", "customer", "dealer")
    search_fields = ("vin", "plate")


@admin.register(CustomerGroup)
class CustomerGroupAdmin(ViewOnly, admin.ModelAdmin):
    list_display = ("name", "dealer", "member_count", "created_at")
