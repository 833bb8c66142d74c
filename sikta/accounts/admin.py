from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from sikta.accounts.models import User


@admin.register(User)
class SiktaUserAdmin(UserAdmin):
    list_display = ("username", "first_name", "last_name", "email", "is_active", "is_demo")
    list_filter = ("is_active", "is_staff", "is_demo")
    fieldsets = (*UserAdmin.fieldsets, (_("Demo"), {"fields": ("is_demo",)}))
