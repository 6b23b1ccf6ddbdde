from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from thukkhon.fleet.models import Driver, OutOfService, Shift, Vehicle


@admin.register(Vehicle)
class VehicleAdmin(SimpleHistoryAdmin):
    list_display = [
        "name",
        "plate",
        "municipality",
        "seats",
        "wheelchair_places",
        "stretcher_places",
        "is_active",
    ]
    list_filter = ["municipality", "kind", "is_active"]
    search_fields = ["name", "plate"]


@admin.register(Driver)
class DriverAdmin(admin.ModelAdmin):
    list_display = ["__str__", "phone", "is_active"]
    list_select_related = ["membership__user"]


@admin.register(Shift)
class ShiftAdmin(admin.ModelAdmin):
    list_display = ["vehicle", "driver", "starts_at", "ends_at"]
    list_filter = ["municipality"]


@admin.register(OutOfService)
class OutOfServiceAdmin(admin.ModelAdmin):
    list_display = ["vehicle", "starts_at", "ends_at", "reason"]
