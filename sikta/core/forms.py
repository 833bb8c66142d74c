"""Form fields shared by the apps."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

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


class LongText(forms.CharField):
    """A text area with a limit that is checked, never cut.

    Django puts the limit in the text area's `maxlength`, and a browser then cuts a longer
    pasted text without a word. Here the whole text reaches the server, which refuses it with a
    message saying the limit and how long the text is; the text stays in the form.
    """

    def __init__(self, *, max_length: int, rows: int = 4, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": rows}))
        super().__init__(max_length=max_length, **kwargs)

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        attrs = super().widget_attrs(widget)
        attrs.pop("maxlength", None)
        attrs["data-limit"] = str(self.max_length)
        return attrs

    def run_validators(self, value: Any) -> None:
        if value and self.max_length is not None and len(value) > self.max_length:
            raise ValidationError(
                _(
                    "The text may be at most %(limit)s characters; it is now %(length)s. "
                    "Shorten it: nothing you wrote has been removed."
                ),
                code="max_length",
                params={
                    "limit": number_format(self.max_length, force_grouping=True),
                    "length": number_format(len(value), force_grouping=True),
                },
            )
        super().run_validators(value)


# Django's label of the empty choice of a select ("---------"), which means nothing to a user.
DJANGO_EMPTY_LABEL = forms.models.ModelChoiceField(queryset=None).empty_label


def label_empty_choice(field: forms.Field) -> None:
    """Give the empty choice of a select a real label ("Välj …") instead of Django's dashes.

    Called for every field the templates render (includes/field.html, choice_field.html), so no
    form has to set it per field. A label a form chose itself ("All", "Choose an area") is kept.
    """
    from django.utils.translation import gettext_lazy as _

    if isinstance(field, forms.ModelChoiceField):
        if field.empty_label == DJANGO_EMPTY_LABEL:
            field.empty_label = _("Choose…")
        return
    widget = field.widget
    if isinstance(field, forms.ChoiceField) and isinstance(widget, forms.widgets.ChoiceWidget):
        choices = list(widget.choices)
        if any(value == "" and label == DJANGO_EMPTY_LABEL for value, label in choices):
            widget.choices = [
                (value, _("Choose…") if value == "" and label == DJANGO_EMPTY_LABEL else label)
                for value, label in choices
            ]
