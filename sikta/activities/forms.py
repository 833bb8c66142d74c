from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.functional import lazy
from django.utils.translation import gettext, gettext_lazy as _

from sikta.activities.models import LANSDEL_FORBIDDEN, LANSDEL_REQUIRED, Activity, Kind
from sikta.activities.uploads import CheckedFile, check_upload, megabytes
from sikta.casework.forms import DATE_ERRORS, DATE_WIDGET
from sikta.core.dates import add_years, date_window, earliest, happened, today


def _minutes_help() -> str:
    return gettext(
        "PDF, Word (.docx), OpenDocument (.odt) or text (.txt), at most %(mb)s MB each; you may "
        "choose several files. Do not name participants in the minutes."
    ) % {"mb": megabytes()}


# Lazy: in the user's language, and with the limit as configured when the form is shown.
MINUTES_HELP = lazy(_minutes_help, str)()


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MinutesField(forms.FileField):
    """One or more files of minutes, each checked by name and by content (see uploads.py)."""

    widget = MultipleFileInput(attrs={"accept": ".pdf,.docx,.odt,.txt"})

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Minutes"))
        kwargs.setdefault("help_text", MINUTES_HELP)
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[CheckedFile]:
        uploads = [d for d in (data if isinstance(data, list | tuple) else [data]) if d]
        if not uploads:
            if self.required:
                raise ValidationError(_("Choose the file with the minutes."), code="required")
            return []
        checked, errors = [], []
        for upload in uploads:
            try:
                super().clean(upload, initial)
                checked.append(check_upload(upload))
            except ValidationError as error:
                errors.extend(error.error_list)
        if errors:
            raise ValidationError(errors)
        return checked


def _not_in_future(value: Any) -> None:
    happened(value, future_message=_("A meeting cannot have been held in the future."))


class ActivityForm(forms.ModelForm):
    """An activity or meeting; `kinds` and `lansdelar` are what the user may manage."""

    minutes = MinutesField(required=False)

    class Meta:
        model = Activity
        fields = [
            "kind",
            "lansdel",
            "title",
            "planned_date",
            "status",
            "held_date",
            "place",
            "note",
        ]
        widgets = {
            "planned_date": DATE_WIDGET,
            "held_date": DATE_WIDGET,
            "status": forms.RadioSelect,
            "note": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "held_date": _("Filled in when the meeting has been held."),
            "note": _("Not for participants' names or other personal data."),
        }
        error_messages = {
            "kind": {"required": _("Choose the kind of activity.")},
            "planned_date": {"required": _("Give the planned date."), **DATE_ERRORS},
            "held_date": DATE_ERRORS,
        }

    def __init__(
        self,
        *args: Any,
        kinds: list[str],
        lansdelar: Any,
        lansdel_required: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("Choose the kind")), *Kind.choices]
        self.fields["kind"].choices = [
            c for c in self.fields["kind"].choices if c[0] == "" or c[0] in kinds
        ]
        self.fields["lansdel"].queryset = lansdelar
        self.fields["lansdel"].empty_label = _("None: the whole programme")
        if lansdel_required:
            self.fields["lansdel"].required = True
            self.fields["lansdel"].empty_label = _("Choose the county area")
            self.fields["lansdel"].error_messages["required"] = _("Choose the county area.")
        self.fields["status"].choices = Activity.Status.choices
        self.fields["held_date"].validators.append(_not_in_future)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        kind, lansdel = data.get("kind"), data.get("lansdel")
        if kind in LANSDEL_REQUIRED and lansdel is None and "lansdel" not in self.errors:
            self.add_error(
                "lansdel", _("A local steering group meets in a county area: choose which.")
            )
        if kind in LANSDEL_FORBIDDEN and lansdel is not None:
            self.add_error(
                "lansdel",
                _("The central steering group belongs to no county area: choose “None”."),
            )
        if data.get("planned_date") is not None:
            self._check_planned_date(data["planned_date"], data.get("status"))
        status, held = data.get("status"), data.get("held_date")
        if status == Activity.Status.HELD and held is None and "held_date" not in self.errors:
            self.add_error("held_date", _("Give the date the meeting was held."))
        if status != Activity.Status.HELD and held is not None:
            self.add_error(
                "held_date",
                _("Only a held meeting has a date held: mark it as held, or clear the date."),
            )
        return data

    def _check_planned_date(self, day: Any, status: Any) -> None:
        """Within the programme and at most two years ahead; a meeting still planned, when its
        date is set or changed, not on a day that has passed (a held one is recorded after)."""
        first, before_first = earliest()
        changed = day != self.instance.planned_date or status != self.instance.status
        try:
            date_window(
                day,
                earliest=first,
                latest=add_years(today(), 2),
                too_early=before_first,
            )
            if status == Activity.Status.PLANNED and changed:
                date_window(
                    day,
                    earliest=today(),
                    too_early=_("A planned meeting cannot have a date that has already passed."),
                )
        except ValidationError as error:
            self.add_error("planned_date", error)


class HeldForm(forms.Form):
    """Marking a planned meeting as held, with its minutes if they are ready."""

    held_date = forms.DateField(
        label=_("Date held"),
        widget=DATE_WIDGET,
        validators=[_not_in_future],
        error_messages={"required": _("Give the date the meeting was held."), **DATE_ERRORS},
    )
    minutes = MinutesField(required=False)


class MinutesForm(forms.Form):
    minutes = MinutesField(required=True)
