from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from sikta.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the log can be inspected in the admin but never added to, changed or deleted."""

    list_display = ("at", "username", "role", "action", "participant_id", "ip_address")
    list_filter = ("action", "role")
    search_fields = ("username",)
    date_hierarchy = "at"
    readonly_fields = ("sequence", "previous_hash", "hash")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
