from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from sikta.accounts.models import IdentityProvider, RecoveryCodeDevice, SignInDevice, User


@admin.register(User)
class SiktaUserAdmin(UserAdmin):
    list_display = ("username", "first_name", "last_name", "email", "is_active", "is_demo")
    list_filter = ("is_active", "is_staff", "is_demo")
    search_fields = (*UserAdmin.search_fields, "hsa_id")
    fieldsets = (
        *UserAdmin.fieldsets,
        (_("Sign-in with e-identity"), {"fields": ("hsa_id", "personal_number")}),
        (_("Demo"), {"fields": ("is_demo",)}),
    )


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


@admin.register(IdentityProvider)
class IdentityProviderAdmin(admin.ModelAdmin):
    """The member organisations' identity providers: how their staff sign in."""

    list_display = ("name", "protocol", "party", "identifier", "person_acr", "is_active")
    list_filter = ("protocol", "is_active")
    prepopulated_fields = {"slug": ("name",)}
    fieldsets = (
        (None, {"fields": ("name", "slug", "party", "protocol", "is_active", "ordering")}),
        (_("Where"), {"fields": ("issuer", "entity_id", "metadata_xml")}),
        (_("OpenID Connect client"), {"fields": ("client_id", "client_secret")}),
        (_("Who signs in"), {"fields": ("identifier", "claim", "person_acr")}),
    )


@admin.register(SignInDevice)
class SignInDeviceAdmin(admin.ModelAdmin):
    """Who has signed in with which e-identity as their second factor; delete to revoke."""

    list_display = ("user", "provider", "last_used_at")
    list_filter = ("provider",)
    search_fields = ("user__username",)
    readonly_fields = ("user", "provider", "name", "confirmed", "last_used_at")
    fields = readonly_fields

    def has_add_permission(self, request: Any) -> bool:
        return False
