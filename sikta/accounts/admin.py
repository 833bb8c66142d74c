from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from sikta.accounts.models import RecoveryCodeDevice, User


@admin.register(User)
class SiktaUserAdmin(UserAdmin):
    list_display = ("username", "first_name", "last_name", "email", "is_active", "is_demo")
    list_filter = ("is_active", "is_staff", "is_demo")
    fieldsets = (*UserAdmin.fieldsets, (_("Demo"), {"fields": ("is_demo",)}))


@admin.register(RecoveryCodeDevice)
class RecoveryCodeDeviceAdmin(admin.ModelAdmin):
    """Whose recovery codes exist and how many are unused; the codes themselves are not kept."""

    list_display = ("user", "name", "unused", "last_used_at")
    search_fields = ("user__username",)
    readonly_fields = ("user", "name", "confirmed", "last_used_at", "unused")
    fields = readonly_fields

    @admin.display(description=_("unused codes"))
    def unused(self, device: RecoveryCodeDevice) -> int:
        return device.codes.count()

    def has_add_permission(self, request: Any) -> bool:
        return False  # codes are made at enrolment, shown once to their owner
