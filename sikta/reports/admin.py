from django.contrib import admin

from sikta.reports.models import StatusReport


@admin.register(StatusReport)
class StatusReportAdmin(admin.ModelAdmin):
    """For removing a report started by mistake; they are written on their own pages."""

    list_display = ("__str__", "author_name", "created_at", "updated_at")
    list_filter = ("lansdel",)
    readonly_fields = ("author", "author_name", "updated_by_name", "created_at", "updated_at")
