from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sikta.surveys.models import Instrument, Item


class SurveyForm(forms.Form):
    """One optional choice per item: the participant may skip any of them."""

    def __init__(self, *args: Any, instrument: Instrument, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.items = list(instrument.items.select_related("subgoal"))
        choices = [(str(v), label) for v, label in instrument.choices()]
        for item in self.items:
            self.fields[f"i{item.pk}"] = forms.TypedChoiceField(
                label=item.text,
                choices=choices,
                coerce=int,
                empty_value=None,
                required=False,
                widget=forms.RadioSelect,
            )

    def answers(self) -> dict[Item, int | None]:
        return {item: self.cleaned_data.get(f"i{item.pk}") for item in self.items}

    def item_fields(self) -> list[forms.BoundField]:
        return [self[f"i{item.pk}"] for item in self.items]


class LinkForm(forms.Form):
    instrument = forms.ModelChoiceField(
        label=_("Survey"), queryset=Instrument.objects.all(), empty_label=None
    )
    timepoint = forms.ChoiceField(
        label=_("When"),
        choices=[("start", _("At enrolment (start)")), ("exit", _("At exit"))],
    )
