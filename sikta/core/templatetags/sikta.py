from __future__ import annotations

from django import template
from django.forms import BoundField
from django.forms.boundfield import BoundWidget
from django.utils.safestring import SafeString

from sikta.core.forms import label_empty_choice

register = template.Library()


@register.filter
def widget_with_aria(field: BoundField) -> SafeString:
    """Render the widget tied to its help text and errors for screen readers."""
    described_by = []
    if field.help_text:
        described_by.append(f"{field.auto_id}_help")
    attrs = {}
    if field.errors:
        described_by.append(f"{field.auto_id}_error")
        attrs["aria-invalid"] = "true"
    if described_by:
        attrs["aria-describedby"] = " ".join(described_by)
    label_empty_choice(field.field)
    return field.as_widget(attrs=attrs)


@register.filter
def options(field: BoundField) -> list[BoundWidget]:
    """A choice field's options (radio buttons, checkboxes), the empty one given a real label."""
    label_empty_choice(field.field)
    return field.subwidgets


@register.filter
def percent(value: object) -> str:
    """A percentage the Swedish way: '62,5 %', '625 %'."""
    from decimal import Decimal

    number = Decimal(str(value)).normalize()
    text = f"{number:f}".replace(".", ",")
    return f"{text}\xa0%"


@register.filter
def sek(value: object) -> str:
    """An amount in whole kronor the Swedish way: '9 000 000 kr'."""
    from decimal import Decimal

    amount = round(Decimal(str(value)))
    return f"{amount:,}".replace(",", "\xa0") + "\xa0kr"
