from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sikta.core.dates import happened
from sikta.finsam.models import Registration
from sikta.finsam.selectors import SHOW_ALL, SHOW_DONE, SHOW_TODO
from sikta.organisation.models import EducationLevel, Lansdel


class ChecklistFilter(forms.Form):
    visa = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=[
            (SHOW_TODO, _("Still to register or de-register")),
            (SHOW_DONE, _("Registered")),
            (SHOW_ALL, _("All with consent")),
        ],
    )
    lansdel = forms.ModelChoiceField(
        label=_("County area"),
        required=False,
        queryset=Lansdel.objects.none(),
        empty_label=_("All"),
        to_field_name="slug",
    )

    def __init__(self, *args: Any, lansdelar: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if lansdelar is None:
            del self.fields["lansdel"]
        else:
            self.fields["lansdel"].queryset = lansdelar


class MarkForm(forms.Form):
    kind = forms.ChoiceField(choices=Registration.Kind.choices, widget=forms.HiddenInput)
    registered_on = forms.DateField(
        label=_("Registered on"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def clean_registered_on(self) -> Any:
        day = self.cleaned_data["registered_on"]
        happened(day)
        return day


class EducationForm(forms.Form):
    education_level = forms.ModelChoiceField(
        label=_("Education level"),
        queryset=EducationLevel.objects.all(),
        empty_label=_("Choose…"),
        error_messages={"required": _("Choose the education level.")},
    )


class CountsPeriodForm(forms.Form):
    """A calendar year (how Uppföljning Finsam counts), or a period of one's own."""

    year = forms.TypedChoiceField(label=_("Year"), coerce=int, required=False)
    date_from = forms.DateField(
        label=_("Or from"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    date_to = forms.DateField(
        label=_("To"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args: Any, years: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y, str(y)) for y in years]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if bool(start) != bool(end):
            self.add_error(
                "date_to" if start else "date_from",
                _("Give both dates of the period, or choose a year."),
            )
        elif start and end and start > end:
            self.add_error("date_to", _("The period ends before it begins."))
        elif not start and not data.get("year"):
            self.add_error("year", _("Choose a year, or give a period."))
        return data

    def period(self) -> tuple[Any, Any]:
        data = self.cleaned_data
        if data.get("date_from"):
            return data["date_from"], data["date_to"]
        year = data["year"]
        return dt.date(year, 1, 1), dt.date(year, 12, 31)
