"""Form fields shared by the apps."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

# The widest integer any of our databases stores (SQLite INTEGER, PostgreSQL bigint).
_INT64 = range(-(2**63), 2**63)


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Django's, but a number no database integer can hold is an invalid choice.

    Django looks the chosen keys up with `pk__in`; SQLite cannot bind an integer beyond 64 bits
    and raises OverflowError (a server error) instead of finding nothing. A form sent with such
    a key — typed into the request by hand — gets the usual "not one of the choices" error.
    """

    def _check_values(self, value: Any) -> Any:
        meta = self.queryset.model._meta
        key = meta.get_field(self.to_field_name) if self.to_field_name else meta.pk
        kind = key.get_internal_type()
        numeric = kind.endswith("AutoField") or "IntegerField" in kind
        if numeric and isinstance(value, list | tuple):
            for choice in value:
                try:
                    number = int(str(choice))
                except ValueError:
                    continue  # not a number at all: Django's own check reports it
                if number not in _INT64:
                    raise ValidationError(
                        self.error_messages["invalid_choice"],
                        code="invalid_choice",
                        params={"value": choice},
                    )
        return super()._check_values(value)
