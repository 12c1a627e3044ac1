"""Read-only operator views: store changes go through the settings pages, which audit them."""

from django.contrib import admin

from shop.models import Announcement, ApiKey, AuditEntry, StoreSettings
from shop.web import ReadOnlyAdmin


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "actor_label", "module", "action", "object_repr")
    list_filter = ("module",)
    search_fields = ("object_repr", "action", "actor_label")
    date_hierarchy = "created_at"


@admin.register(Announcement)
class AnnouncementAdmin(ReadOnlyAdmin):
    list_display = ("title", "starts_at", "ends_at", "published")


@admin.register(ApiKey)
class ApiKeyAdmin(ReadOnlyAdmin):
    list_display = ("name", "prefix", "created_at", "last_used_at", "revoked_at")


admin.site.register(StoreSettings, ReadOnlyAdmin)
