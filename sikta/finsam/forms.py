from __future__ import annotations

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
