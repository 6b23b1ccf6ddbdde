"""Django admin for core: municipalities, users with their roles, and the records kept for audit.

The audit records (access log, jobs, API tokens, notifications) are read-only here: they are
written by the services, and an administrator may look but not rewrite history."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from thukkhon.core.models import (
    AccessLog,
    ApiToken,
    Consent,
    Job,
    Membership,
    Municipality,
    Notification,
    User,
)

admin.site.site_header = _("ThukKhon administration")
admin.site.site_title = _("ThukKhon")
admin.site.index_title = _("Administration")


class ReadOnlyAdmin(admin.ModelAdmin):
    """Look, filter and search; never add, change or delete."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ["name_th", "name_en", "code", "created_at"]
    search_fields = ["name_th", "name_en", "code"]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    fields = ["municipality", "role", "is_active"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "display_name", "phone", "language", "is_staff", "is_active", "last_login"]
    list_filter = ["is_active", "is_staff", "language", "memberships__role", "memberships__municipality"]
    search_fields = ["username", "display_name", "first_name", "last_name", "email", "phone"]
    inlines = [MembershipInline]
    fieldsets = (
        *(DjangoUserAdmin.fieldsets or ()),
        (_("ThukKhon"), {"fields": ("display_name", "phone", "language")}),
    )


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "municipality", "is_active", "created_at"]
    list_filter = ["role", "is_active", "municipality"]
    search_fields = ["user__username", "user__display_name", "user__first_name", "user__last_name"]
    list_select_related = ["user", "municipality"]
    autocomplete_fields = ["user"]


@admin.register(AccessLog)
class AccessLogAdmin(ReadOnlyAdmin):
    list_display = ["at", "user", "role", "what", "content_type", "object_id", "via"]
    list_filter = ["role", "what", "content_type", "municipality"]
    search_fields = ["user__username", "user__display_name", "object_id", "what", "via"]
    date_hierarchy = "at"
    list_select_related = ["user", "content_type"]


@admin.register(Consent)
class ConsentAdmin(admin.ModelAdmin):
    list_display = [
        "purpose",
        "given_by_name",
        "subject_type",
        "subject_id",
        "given_at",
        "expires_at",
        "withdrawn_at",
    ]
    list_filter = ["purpose", "municipality", "given_at", "withdrawn_at"]
    search_fields = ["given_by_name", "given_by_relation", "subject_id"]
    date_hierarchy = "given_at"
    readonly_fields = ["recorded_by"]


@admin.register(Job)
class JobAdmin(ReadOnlyAdmin):
    list_display = ["id", "kind", "status", "progress", "total", "created_by", "created_at", "finished_at"]
    list_filter = ["status", "kind", "municipality"]
    search_fields = ["kind", "message", "created_by__username"]
    date_hierarchy = "created_at"


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    list_display = ["name", "prefix", "user", "municipality", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["municipality", "revoked_at"]
    search_fields = ["name", "prefix", "user__username"]
    exclude = ["digest"]


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "channel", "to", "template", "state", "attempts", "sent_at"]
    list_filter = ["state", "channel", "template", "municipality"]
    search_fields = ["to", "template", "dedupe_key", "body"]
    date_hierarchy = "created_at"
