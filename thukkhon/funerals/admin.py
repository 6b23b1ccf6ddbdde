from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from thukkhon.funerals import models


class ClosedDayInline(admin.TabularInline):
    model = models.ClosedDay
    extra = 0


class CrematorInline(admin.TabularInline):
    model = models.Cremator
    extra = 0


@admin.register(models.Crematorium)
class CrematoriumAdmin(SimpleHistoryAdmin):
    list_display = ["name_th", "municipality", "is_active"]
    list_filter = ["municipality"]
    inlines = [CrematorInline, ClosedDayInline]


class ProtocolTemplateStepInline(admin.TabularInline):
    model = models.ProtocolTemplateStep
    extra = 0


@admin.register(models.ProtocolTemplate)
class ProtocolTemplateAdmin(SimpleHistoryAdmin):
    list_display = ["name", "municipality", "disease", "is_active"]
    inlines = [ProtocolTemplateStepInline]


@admin.register(models.FuneralSettings)
class FuneralSettingsAdmin(admin.ModelAdmin):
    list_display = ["municipality", "fee_resident", "fee_other"]


@admin.register(models.FuneralCase)
class FuneralCaseAdmin(SimpleHistoryAdmin):
    list_display = ["number", "deceased_name", "municipality", "died_at", "cause", "status"]
    list_filter = ["municipality", "status", "cause"]
    search_fields = ["number", "deceased_name"]
    raw_id_fields = ["deceased", "community", "reported_by", "gate_override_by"]


@admin.register(models.Receipt)
class ReceiptAdmin(admin.ModelAdmin):
    list_display = ["label", "municipality", "amount", "issued_at"]
    raw_id_fields = ["case", "issued_by"]


@admin.register(models.FollowUp)
class FollowUpAdmin(admin.ModelAdmin):
    list_display = ["resident", "reason", "state", "created_at"]
    raw_id_fields = ["case", "resident"]
