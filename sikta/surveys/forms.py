from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sikta.surveys.models import Instrument, Item


class SurveyForm(forms.Form):
    """One optional choice per item: the participant may skip any of them."""

    def __init__(self, *args: Any, instrument: Instrument, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.items = list(instrument.items.select_related("subgoal", "instrument"))
        for item in self.items:
            self.fields[f"i{item.pk}"] = forms.TypedChoiceField(
                label=item.text,
                choices=[(str(v), label) for v, label in item.choices()],
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


class ReportForm(forms.Form):
    instrument = forms.TypedChoiceField(label=_("Survey"), coerce=int)
    group_by = forms.ChoiceField(
        label=_("By"),
        choices=[
            ("all", _("All together")),
            ("track", _("Track")),
            ("lansdel", _("County area")),
            ("gender", _("Gender")),
        ],
    )
    date_from = forms.DateField(
        label=_("Exit survey answered from"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    date_to = forms.DateField(
        label=_("to"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(
        self, *args: Any, instruments: list[Instrument], insats: Any, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.instruments = {i.pk: i for i in instruments}
        self.fields["instrument"].choices = [(i.pk, i.name) for i in instruments]
        self.insats = insats
        for name, value in self._default_values().items():
            self.fields[name].initial = value

    def _default_values(self) -> dict[str, Any]:
        from django.utils import timezone

        first = next(iter(self.instruments), None)
        return {
            "instrument": first,
            "group_by": "all",
            "date_from": self.insats.start_date if self.insats else timezone.localdate(),
            "date_to": timezone.localdate(),
        }

    def defaults(self) -> dict[str, Any]:
        values = self._default_values()
        values["instrument"] = self.instruments.get(values["instrument"])
        return values

    def clean_instrument(self) -> Instrument:
        return self.instruments[self.cleaned_data["instrument"]]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", _("The period ends before it begins."))
        return data
