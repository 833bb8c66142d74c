"""The worklist's filters (a GET form) and the bulk survey reminder (a POST)."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from sikta.organisation.models import Kommun, StaffMember, Track
from sikta.worklists.due import LABELS, Kind

# At most a page's rows are sent at once.
MOST_SELECTED = 200


class WorklistFilterForm(forms.Form):
    typ = forms.ChoiceField(
        label=_("What"),
        required=False,
        choices=[("", _("All")), *((kind.value, label) for kind, label in LABELS.items())],
    )
    personal = forms.ModelChoiceField(
        label=_("Coach or care coordinator"),
        required=False,
        queryset=StaffMember.objects.none(),
        empty_label=_("All"),
    )
    spar = forms.ModelChoiceField(
        label=_("Track"), required=False, queryset=Track.objects.none(), empty_label=_("All")
    )
    kommun = forms.ModelChoiceField(
        label=_("Municipality"),
        required=False,
        queryset=Kommun.objects.none(),
        empty_label=_("All"),
    )

    def __init__(
        self, *args: Any, staff: Any = None, tracks: Any = None, kommuner: Any = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if staff is None:
            del self.fields["personal"]  # a coach's list is their own
        else:
            cast(forms.ModelChoiceField, self.fields["personal"]).queryset = staff
        if tracks is not None:
            cast(forms.ModelChoiceField, self.fields["spar"]).queryset = tracks
        if kommuner is not None:
            cast(forms.ModelChoiceField, self.fields["kommun"]).queryset = kommuner

    def kind(self) -> Kind | None:
        value = self.cleaned_data.get("typ")
        return Kind(value) if value else None


class IdsField(forms.Field):
    """Ids of rows ticked in the list (each a positive integer)."""

    widget = forms.MultipleHiddenInput
    default_error_messages = {
        "required": _("Tick at least one participant."),
        "invalid": _("The selection could not be read. Reload the page and try again."),
        "too_many": _("Tick at most %(most)s participants at a time."),
    }

    def to_python(self, value: Any) -> list[int]:
        if value in self.empty_values:
            return []
        values = value if isinstance(value, list | tuple) else [value]
        ids = []
        for item in values:
            text = str(item)
            if not (text.isascii() and text.isdigit()) or len(text) > 10:
                raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
            ids.append(int(text))
        if len(set(ids)) > MOST_SELECTED:
            raise forms.ValidationError(
                self.error_messages["too_many"], code="too_many", params={"most": MOST_SELECTED}
            )
        return sorted(set(ids))


class SurveyReminderForm(forms.Form):
    deltagare = IdsField(label=_("Participants"))
