from django.contrib import admin

from sikta.surveys.models import Instrument, Item, SubGoal


class ItemInline(admin.TabularInline):
    model = Item
    extra = 0
    fields = (
        "ordering",
        "code",
        "subgoal",
        "text_sv",
        "text_en",
        "reverse",
        "scale_min",
        "scale_max",
    )


@admin.register(Instrument)
class InstrumentAdmin(admin.ModelAdmin):
    list_display = ("name_sv", "code", "version", "scoring")
    inlines = [ItemInline]


@admin.register(SubGoal)
class SubGoalAdmin(admin.ModelAdmin):
    list_display = ("name_sv", "code", "ordering")
