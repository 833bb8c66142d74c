from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sikta.organisation.models import Kommun, Track
from sikta.participants.models import Participant


class ParticipantFilterForm(forms.Form):
    q = forms.CharField(label=_("Name or personal identity number"), required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All")), *Participant.Status.choices],
    )
    track = forms.ModelChoiceField(
        label=_("Track"), required=False, queryset=Track.objects.all(), empty_label=_("All")
    )
    kommun = forms.ModelChoiceField(
        label=_("Municipality"), required=False, queryset=Kommun.objects.all(), empty_label=_("All")
    )

    def __init__(self, *args: Any, kommuner: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if kommuner is not None:
            self.fields["kommun"].queryset = kommuner


class AssignForm(forms.Form):
    caseworker = forms.ChoiceField(
        label=_("New coach or care coordinator"),
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose who will be responsible.")},
    )
    note = forms.CharField(
        label=_("Why (optional)"), max_length=300, required=False, widget=forms.TextInput
    )

    def __init__(self, *args: Any, caseworkers: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.caseworkers = {str(c.staff.pk): c for c in caseworkers}
        self.fields["caseworker"].choices = [
            (pk, c.staff.full_name) for pk, c in self.caseworkers.items()
        ]

    def clean_caseworker(self) -> Any:
        return self.caseworkers[self.cleaned_data["caseworker"]].staff
