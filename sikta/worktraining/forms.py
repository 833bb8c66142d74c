from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.se import orgnr

from sikta.casework.forms import DATE_ERRORS, DATE_WIDGET
from sikta.core.dates import (
    YEARS_AHEAD,
    add_years,
    date_window,
    happened,
    held_or_booked,
    today,
)
from sikta.worktraining.models import Employer, EmployerContact, Placement, PlacementFollowUp


class EmployerForm(forms.ModelForm):
    class Meta:
        model = Employer
        fields = ["name", "organisation_number", "sector", "address", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}
        error_messages = {
            "name": {"required": _("Write the employer's name.")},
            "sector": {"required": _("Choose the sector.")},
            "organisation_number": {
                "required": _("Write the organisation number."),
                "unique": _("An employer with this organisation number is already registered."),
            },
        }

    def clean_organisation_number(self) -> str:
        value = self.cleaned_data["organisation_number"]
        try:
            return orgnr.format(orgnr.validate(value))
        except StdnumError:
            raise forms.ValidationError(
                _("That is not a valid organisation number: check the ten digits.")
            ) from None


class ContactForm(forms.ModelForm):
    class Meta:
        model = EmployerContact
        fields = ["name", "title", "phone", "email"]
        error_messages = {"name": {"required": _("Write the contact person's name.")}}


class PlacementForm(forms.ModelForm):
    class Meta:
        model = Placement
        fields = [
            "employer",
            "status",
            "start_date",
            "end_date",
            "hours_per_week",
            "tasks",
            "supervisor",
            "supervisor_phone",
            "insured_by",
        ]
        localized_fields = ["hours_per_week"]  # 12,5 the Swedish way
        widgets = {
            "start_date": DATE_WIDGET,
            "end_date": DATE_WIDGET,
            "tasks": forms.Textarea(attrs={"rows": 3}),
            "insured_by": forms.RadioSelect,
        }
        error_messages = {
            "employer": {"required": _("Choose the employer (register it first if it is new).")},
            "start_date": {"required": _("Give the start date."), **DATE_ERRORS},
            "end_date": DATE_ERRORS,
            "insured_by": {"required": _("Choose who insures the work training.")},
            "hours_per_week": {"invalid": _("Write the hours as a number, e.g. 12,5.")},
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["employer"].empty_label = _("Choose an employer")
        self.fields["insured_by"].choices = self.fields["insured_by"].choices[1:]  # no blank

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The end date cannot be before the start date."))
        status = data.get("status")
        if start and "start_date" not in self.errors:
            self._check("start_date", self._start_window, start, status)
        if end and "end_date" not in self.errors:
            self._check("end_date", self._end_window, end, status)
        hours = data.get("hours_per_week")
        if hours is not None and not 0 < hours <= 40:
            self.add_error("hours_per_week", _("Hours per week are between 0 and 40."))
        return data

    def _check(self, name: str, window: Any, day: Any, status: Any) -> None:
        try:
            window(day, status)
        except forms.ValidationError as error:
            self.add_error(name, error)

    def _start_window(self, start: Any, status: Any) -> None:
        """Since the programme began and at most a year ahead; a placement still planned, when
        its start is set or changed, not on a day that has passed."""
        held_or_booked(start)
        changed = start != self.instance.start_date or status != self.instance.status
        if status == Placement.Status.PLANNED and changed:
            date_window(
                start,
                earliest=today(),
                too_early=_("A planned work training cannot start on a date that has passed."),
            )

    def _end_window(self, end: Any, status: Any) -> None:
        """At most two years ahead; an ended placement has ended by today."""
        date_window(end, latest=add_years(today(), 2), too_late=YEARS_AHEAD)
        if status == Placement.Status.ENDED:
            date_window(end, latest=today(), too_late=_("The end date cannot be in the future."))


class PlacementFollowUpForm(forms.ModelForm):
    class Meta:
        model = PlacementFollowUp
        fields = ["date", "with_whom", "how_it_goes", "next_step"]
        widgets = {
            "date": DATE_WIDGET,
            "with_whom": forms.RadioSelect,
            "how_it_goes": forms.Textarea(attrs={"rows": 3}),
            "next_step": forms.Textarea(attrs={"rows": 2}),
        }
        error_messages = {
            "date": {"required": _("Give the date."), **DATE_ERRORS},
            "with_whom": {"required": _("Choose who the follow-up was with.")},
            "how_it_goes": {"required": _("Write how it is going.")},
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["with_whom"].choices = self.fields["with_whom"].choices[1:]

    def clean_date(self) -> Any:
        day = self.cleaned_data["date"]
        happened(day)
        return day
