"""Django admin for the registry: communities, volunteers' communities, households, residents with
their vulnerability profile, and places. Changes keep their history (django-simple-history)."""

from __future__ import annotations

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from thukkhon.core.admin import ReadOnlyAdmin
from thukkhon.people.models import (
    Community,
    CommunityScope,
    Household,
    LineLinkCode,
    Place,
    Resident,
    ResidentLinkLog,
    Vulnerability,
)


class CommunityScopeInline(admin.TabularInline):
    model = CommunityScope
    extra = 0
    autocomplete_fields = ["membership"]


@admin.register(Community)
class CommunityAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name_th", "name_en", "municipality"]
    list_filter = ["municipality"]
    search_fields = ["code", "name_th", "name_en"]
    inlines = [CommunityScopeInline]


@admin.register(CommunityScope)
class CommunityScopeAdmin(admin.ModelAdmin):
    list_display = ["membership", "community"]
    list_filter = ["community__municipality", "community"]
    search_fields = ["membership__user__username", "membership__user__display_name", "community__name_th"]
    autocomplete_fields = ["membership", "community"]


@admin.register(Household)
class HouseholdAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "registration_no", "community", "municipality", "created_at"]
    list_filter = ["municipality", "community"]
    search_fields = ["registration_no", "house_no", "road", "soi", "village", "tambon"]
    list_select_related = ["community", "municipality"]
    autocomplete_fields = ["community"]


class VulnerabilityInline(admin.StackedInline):
    model = Vulnerability
    fk_name = "resident"
    extra = 0
    autocomplete_fields = ["caregiver"]
    readonly_fields = ["dependency"]


@admin.register(Resident)
class ResidentAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "national_id", "birth_date", "sex", "community", "status", "phone"]
    list_filter = [
        "status",
        "sex",
        "id_kind",
        "municipality",
        "community",
        "vulnerability__dependency",
        "vulnerability__welfare_card",
    ]
    search_fields = ["first_name", "last_name", "nickname", "national_id", "phone", "line_id"]
    list_select_related = ["community"]
    autocomplete_fields = ["community", "household"]
    inlines = [VulnerabilityInline]
    date_hierarchy = "birth_date"


@admin.register(Vulnerability)
class VulnerabilityAdmin(SimpleHistoryAdmin):
    list_display = [
        "resident",
        "dependency",
        "barthel_score",
        "disability_type",
        "welfare_card",
        "lives_alone",
    ]
    list_filter = ["dependency", "disability_type", "welfare_card", "lives_alone", "resident__municipality"]
    search_fields = ["resident__first_name", "resident__last_name", "resident__national_id"]
    list_select_related = ["resident"]
    autocomplete_fields = ["resident", "caregiver"]
    readonly_fields = ["dependency"]


@admin.register(Place)
class PlaceAdmin(SimpleHistoryAdmin):
    list_display = ["name_th", "kind", "phone", "municipality"]
    list_filter = ["kind", "municipality"]
    search_fields = ["name_th", "name_en", "address", "phone"]


@admin.register(ResidentLinkLog)
class ResidentLinkLogAdmin(ReadOnlyAdmin):
    list_display = ["at", "action", "resident", "user", "by", "municipality"]
    list_filter = ["municipality", "action"]
    search_fields = ["resident__first_name", "resident__last_name", "user__username", "line_user_id"]
    list_select_related = ["resident", "user", "by", "municipality"]


@admin.register(LineLinkCode)
class LineLinkCodeAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "resident", "expires_at", "used_at", "created_by", "municipality"]
    list_filter = ["municipality"]
    search_fields = ["resident__first_name", "resident__last_name"]
    list_select_related = ["resident", "created_by", "municipality"]
    exclude = ["code"]  # a live code is shown on the resident's page only
