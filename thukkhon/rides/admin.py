from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from thukkhon.rides.models import ResidentAccount, RideRequest, RideSeries, RideSettings, TripEvent, UnmetNeed


@admin.register(RideSettings)
class RideSettingsAdmin(admin.ModelAdmin):
    list_display = [
        "municipality",
        "arrive_before_min",
        "window_min",
        "book_days_ahead",
        "min_age",
        "ineligible_requests",
    ]


@admin.register(ResidentAccount)
class ResidentAccountAdmin(admin.ModelAdmin):
    list_display = ["user", "resident", "municipality"]
    raw_id_fields = ["user", "resident"]


class TripEventInline(admin.TabularInline):
    model = TripEvent
    extra = 0
    readonly_fields = ["status", "note", "at", "by", "stop", "idempotency_key"]
    can_delete = False


@admin.register(RideRequest)
class RideRequestAdmin(SimpleHistoryAdmin):
    list_display = ["id", "resident", "service_date", "purpose", "status", "priority", "municipality"]
    list_filter = ["municipality", "status", "purpose", "service_date"]
    raw_id_fields = ["resident", "booked_by", "pickup_place", "dropoff_place", "outbound", "series"]
    inlines = [TripEventInline]


@admin.register(RideSeries)
class RideSeriesAdmin(admin.ModelAdmin):
    list_display = ["resident", "weekdays", "starts_on", "ends_on", "is_active"]
    raw_id_fields = ["resident", "created_by"]


@admin.register(UnmetNeed)
class UnmetNeedAdmin(admin.ModelAdmin):
    list_display = ["request", "reason", "detail", "recorded_at", "municipality"]
    list_filter = ["municipality", "reason"]
