from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from sikta.activities.models import Activity, ActivityTarget, Minutes


@admin.register(ActivityTarget)
class ActivityTargetAdmin(admin.ModelAdmin):
    """Loaded from the organisation file; changes here are overwritten by the next load."""

    list_display = ("name", "kind", "per", "min_per_half_year", "max_per_half_year", "insats")
    list_filter = ("insats",)


class MinutesInline(admin.TabularInline):
    model = Minutes
    fields = ("filename", "content_type", "size", "sha256", "uploaded_by_name", "uploaded_at")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Minutes]:
        return super().get_queryset(request).defer("content")


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ("planned_date", "kind", "lansdel", "title", "status", "held_date")
    list_filter = ("kind", "status", "lansdel")
    search_fields = ("title", "place")
    date_hierarchy = "planned_date"
    readonly_fields = ("author", "author_name", "created_at", "changed_at")
    inlines = [MinutesInline]


@admin.register(Minutes)
class MinutesAdmin(admin.ModelAdmin):
    """Uploaded through the activity pages (checked and logged there); here only looked at."""

    list_display = ("filename", "activity", "size", "uploaded_by_name", "uploaded_at")
    readonly_fields = (
        "activity",
        "filename",
        "content_type",
        "size",
        "sha256",
        "uploaded_by",
        "uploaded_by_name",
        "uploaded_at",
    )
    search_fields = ("filename", "sha256")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Minutes]:
        return super().get_queryset(request).defer("content")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    # Deleting goes through the activity page, which writes the audit record.
    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
