"""The admin's change lists, safe from dates that no date can hold.

Django's change list turns the date hierarchy's `?at__year=…` and the date filters'
`?created_at__gte=…` into dates itself. It catches the ValueError of a month 13, but not the
OverflowError of a year beyond any integer, nor the ValueError of the year after 9999, nor a
date of year 1 moved across the time zone into year 0: each was a server error. Such a
parameter is now an "incorrect lookup parameter", which Django answers as it answers any other
(the list again, with ?e=1). `protect_change_lists` gives every registered admin — ours and
the packages' (axes, django-otp) — this change list; sikta.core's AppConfig calls it once the
admin modules are loaded.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import NotRelationField, get_fields_from_path
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models

# The years a list may ask for: the next year, and the shift of the time zone, must stay
# within what Python's dates hold (1–9999).
YEARS = range(2, 9999)
_HIERARCHY = {"year": YEARS, "month": range(1, 13), "day": range(1, 32)}
_COMPARISONS = {"exact", "gt", "gte", "lt", "lte"}


class SafeDateChangeList(ChangeList):
    def get_filters(self, request: Any) -> Any:
        for key, values in request.GET.lists():
            for value in values:
                if not self._date_in_range(key, value):
                    raise IncorrectLookupParameters(f"{key}={value!r}")
        return super().get_filters(request)

    def _date_in_range(self, key: str, value: str) -> bool:
        if self.date_hierarchy and key.startswith(f"{self.date_hierarchy}__"):
            allowed = _HIERARCHY.get(key.rpartition("__")[2])
            if allowed is not None:
                return value.isascii() and value.isdigit() and int(value) in allowed
        path, _sep, lookup = key.rpartition("__")
        if lookup not in _COMPARISONS:
            return True
        try:
            field = get_fields_from_path(self.model, path)[-1]
        except (FieldDoesNotExist, NotRelationField):
            return True  # not a field: Django refuses it itself
        if not isinstance(field, models.DateField):
            return True
        try:
            day = field.to_python(value)
        except ValidationError:
            return True  # not a date: Django refuses it itself
        return not isinstance(day, dt.date) or day.year in YEARS


class SafeDateChangeListMixin:
    def get_changelist(self, request: Any, **kwargs: Any) -> type[ChangeList]:
        return SafeDateChangeList


def protect_change_lists(site: admin.AdminSite = admin.site) -> None:
    """Register every model's admin again, with the safe change list mixed in."""
    for model, model_admin in list(site._registry.items()):
        cls = type(model_admin)
        if isinstance(model_admin, SafeDateChangeListMixin):
            continue
        if cls.get_changelist is not admin.ModelAdmin.get_changelist:
            continue  # a change list of its own: left as it is
        safe = type(cls.__name__, (SafeDateChangeListMixin, cls), {"__module__": cls.__module__})
        site.unregister(model)
        site.register(model, safe)
