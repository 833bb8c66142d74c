from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from sikta.core.dates import happened
from sikta.core.forms import LongText
from sikta.organisation.models import Kommun, Track
from sikta.participants.models import Consent, Participant


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

    def __init__(self, *args: Any, kommuner: Any = None, insats: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if kommuner is not None:
            self.fields["kommun"].queryset = kommuner
        if insats is not None:
            self.fields["track"].queryset = Track.objects.filter(insats=insats)


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


class ProtectionForm(forms.Form):
    """Confirming that a participant is marked as protected identity, or that the mark goes."""

    confirm = forms.BooleanField(label=_("I confirm the change"))
    note = forms.CharField(
        label=_("Why (optional)"),
        help_text=_(
            "E.g. that the person has skyddade personuppgifter at Skatteverket. Do not write "
            "an address or anything else that tells where the person lives."
        ),
        max_length=300,
        required=False,
        widget=forms.TextInput,
    )

    def __init__(self, *args: Any, protect: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        confirm = self.fields["confirm"]
        if protect:
            confirm.label = _(
                "The person has protected identity: show who they are only to the responsible "
                "coach or care coordinator and the samordnare"
            )
            confirm.error_messages["required"] = _("Confirm that the person is to be protected.")
        else:
            confirm.label = _(
                "The person no longer has protected identity: show who they are to everyone "
                "who works with the case"
            )
            confirm.error_messages["required"] = _("Confirm that the mark is to be removed.")


DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ConsentForm(forms.Form):
    """A consent the participant gave: to what, when and how."""

    processing = forms.BooleanField(label=_("Processing in the programme"), required=False)
    finsam = forms.BooleanField(label=_("Registration in Uppföljning Finsam"), required=False)
    contact_organisations = forms.CharField(
        label=_("Contact with these organisations"),
        help_text=_("Name them, separated by commas, e.g. Försäkringskassan, Nyköpings kommun."),
        max_length=500,
        required=False,
    )
    given_on = forms.DateField(label=_("Given on"), widget=DATE_WIDGET)
    how = forms.ChoiceField(label=_("How"), choices=Consent.How.choices, widget=forms.RadioSelect)
    text = forms.CharField(
        label=_("The consent as given (optional)"),
        help_text=_("The wording the participant agreed to, or what they said."),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean_given_on(self) -> dt.date:
        given_on = self.cleaned_data["given_on"]
        happened(given_on)
        return given_on

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not (data.get("processing") or data.get("finsam") or data.get("contact_organisations")):
            raise forms.ValidationError(
                _("Choose at least one thing the participant consented to.")
            )
        if not data.get("text"):
            data["text"] = self._text(data)
        return data

    def _text(self, data: dict[str, Any]) -> str:
        """Without a wording, the record says in Swedish what was consented to."""
        with translation.override(settings.LANGUAGE_CODE):
            parts = [str(self.fields[n].label) for n in ("processing", "finsam") if data.get(n)]
            if data.get("contact_organisations"):
                label = self.fields["contact_organisations"].label
                parts.append(f"{label}: {data['contact_organisations']}")
            return "; ".join(parts)


class ConsentWithdrawForm(forms.Form):
    """Withdrawing a current consent, wholly or some of its purposes."""

    consent = forms.ModelChoiceField(
        label=_("Consent"),
        queryset=Consent.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
    )
    purposes = forms.MultipleChoiceField(
        label=_("What is withdrawn"),
        help_text=_("Choose every purpose to withdraw the whole consent."),
        choices=[
            ("processing", _("Processing in the programme")),
            ("finsam", _("Registration in Uppföljning Finsam")),
            ("contact_organisations", _("Contact with the named organisations")),
        ],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose what the participant withdrew.")},
    )
    withdrawn_on = forms.DateField(label=_("Withdrawn on"), widget=DATE_WIDGET)
    note = LongText(label=_("Note"), required=False, max_length=1000, rows=2)

    def __init__(self, *args: Any, consents: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["consent"].queryset = consents
        self.fields["consent"].label_from_instance = lambda c: (
            _("Given %(date)s") % {"date": c.given_on.isoformat()}
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        consent, withdrawn_on = data.get("consent"), data.get("withdrawn_on")
        if consent and withdrawn_on:
            if withdrawn_on < consent.given_on:
                self.add_error("withdrawn_on", _("The consent was given after that date."))
            elif withdrawn_on > timezone.localdate():
                self.add_error("withdrawn_on", _("The date cannot be in the future."))
        return data
