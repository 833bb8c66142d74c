from django.contrib import admin

from sikta.organisation.models import (
    DeclineReason,
    EligibilityRule,
    FinancingShare,
    GoalArea,
    IncomeSource,
    Insats,
    Kommun,
    Lansdel,
    Outcome,
    ReferrerOrganisation,
    Role,
    StaffMember,
    Track,
)


class KommunInline(admin.TabularInline):
    model = Kommun
    extra = 0
    fields = ("kommunkod", "name", "lansdel")


class LansdelInline(admin.TabularInline):
    model = Lansdel
    extra = 0
    fields = ("slug", "name", "name_en", "main_town", "ordering")


@admin.register(Insats)
class InsatsAdmin(admin.ModelAdmin):
    """An insats with its länsdelar (none, for one without) and the kommuner it covers; the
    same kommun may be in several insatser."""

    list_display = ("name", "owner", "start_date", "end_date", "open_for_referral")
    inlines = [LansdelInline, KommunInline]


@admin.register(Lansdel)
class LansdelAdmin(admin.ModelAdmin):
    list_display = ("name", "main_town", "insats", "ordering")
    inlines = [KommunInline]


@admin.register(Kommun)
class KommunAdmin(admin.ModelAdmin):
    list_display = ("name", "kommunkod", "lansdel")
    list_filter = ("lansdel",)
    search_fields = ("name", "kommunkod")


class EligibilityRuleInline(admin.TabularInline):
    model = EligibilityRule
    extra = 0


@admin.register(Track)
class TrackAdmin(admin.ModelAdmin):
    list_display = ("name", "min_age", "max_age", "caseworker_role", "insats")
    filter_horizontal = ("referrers",)
    inlines = [EligibilityRuleInline]


@admin.register(ReferrerOrganisation, DeclineReason, GoalArea)
class CodedListAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "ordering")


@admin.register(IncomeSource)
class IncomeSourceAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "insured_by", "ordering")


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "ordering")


@admin.register(StaffMember)
class StaffMemberAdmin(admin.ModelAdmin):
    list_display = (
        "full_name",
        "insats",
        "role",
        "lansdel",
        "employer",
        "position_percent",
        "capacity",
        "is_active",
    )
    list_filter = ("insats", "role", "lansdel", "is_active")
    search_fields = ("first_name", "last_name", "email", "employer")
    autocomplete_fields = ("user",)
    list_select_related = ("insats", "role", "lansdel")


@admin.register(FinancingShare)
class FinancingShareAdmin(admin.ModelAdmin):
    list_display = ("__str__", "funder", "cofinancing_percent", "rar_percent", "insats")
    list_filter = ("funder", "insats")
    list_select_related = ("kommun", "insats")


@admin.register(Outcome)
class OutcomeAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "destination", "ordering")
