from django.contrib import admin

from autodcc.core.admin import ViewOnly
from autodcc.network.models import City, Dealer, LeavePeriod, Province, Region, RoleGrant, Staff


@admin.register(Region)
class RegionAdmin(ViewOnly, admin.ModelAdmin):
    list_display = ("code", "name", "is_active")


@admin.register(Province)
class ProvinceAdmin(admin.ModelAdmin):
    list_display = ("code", "name")
    search_fields = ("name", "code")


@admin.register(City)
class CityAdmin(admin.ModelAdmin):
    list_display = ("adcode", "name", "province", "level", "lng", "lat")
    search_fields = ("name", "adcode")
    list_filter = ("level",)


@admin.register(Dealer)
class DealerAdmin(ViewOnly, admin.ModelAdmin):
    list_display = ("code", "name", "region", "city", "is_key", "is_active")
    list_filter = ("region", "is_key", "is_active")
    search_fields = ("code", "name")
    autocomplete_fields = ("city",)


class RoleGrantInline(ViewOnly, admin.TabularInline):
    model = RoleGrant
    extra = 0


class LeaveInline(ViewOnly, admin.TabularInline):
    model = LeavePeriod
    extra = 0


@admin.register(Staff)
class StaffAdmin(ViewOnly, admin.ModelAdmin):
    list_display = ("name", "user", "employee_no", "on_duty")
    search_fields = ("name", "user__username")
    inlines = [RoleGrantInline, LeaveInline]
